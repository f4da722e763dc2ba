"""The recipes shipped in the package, by name: the one lookup every command that takes a recipe goes through.

Why here, at the bottom: the prompt loader (``data/``), the recipe loader (``recipe/``) and the study (``study/``)
all take "a built-in name or a path"; one rule below them all keeps the answer the same everywhere and keeps the
data layer from importing the recipe layer for a list of names.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

BUILTIN_RECIPES = ("toy", "toy-fast", "study-quick")


def builtin_recipe_path(name: str) -> Path:
    """The packaged recipe ``name`` (``toy`` is the demo; ``toy-fast`` the CI-sized one)."""
    return Path(str(resources.files("specs.recipe").joinpath("builtin", f"{name}.yaml")))


def recipe_file(source: str | Path) -> Path:
    """A built-in recipe's packaged file when ``source`` names one, else ``source`` as a path.

    >>> recipe_file("toy").name, recipe_file("runs/demo/recipe.yaml").as_posix()
    ('toy.yaml', 'runs/demo/recipe.yaml')
    """
    return builtin_recipe_path(str(source)) if str(source) in BUILTIN_RECIPES else Path(source)
