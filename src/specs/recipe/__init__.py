"""Recipes: one YAML → typed stage configs → a run directory with a manifest (``specs run``)."""
