"""``python -m specs`` (and ``accelerate launch -m specs …``) runs the CLI."""

from specs.cli import main

main()
