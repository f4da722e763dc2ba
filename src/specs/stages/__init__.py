"""Thin adapters from SPECS stages onto TRL trainers. Each reads its inputs from disk and writes a model folder."""
