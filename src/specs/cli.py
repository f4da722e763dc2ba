"""The ``specs`` command line. Each concern owns its commands in ``<concern>/cli.py``; this file wires them.

Command modules import torch/transformers inside the command bodies, so ``specs --help`` stays fast.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="specs",
    help="SPECS: self-distilled, preference-based cold start for vision-language reasoning RL.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
