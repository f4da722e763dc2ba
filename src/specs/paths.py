"""Inputs are never outputs: one check every command runs before it writes anything.

Why: ``specs eval M data.jsonl --out data.jsonl``, ``specs grade in.jsonl --out in.jsonl`` and ``specs grpo --out
<the model>`` used to overwrite their own input and exit 0 — the one mistake a user cannot undo.
"""

from __future__ import annotations

from pathlib import Path

from specs.atomic import MARK, ours
from specs.errors import ConfigError


def check_output(out: Path, inputs: dict[str, Path | None], folder: bool = False) -> None:
    """Refuse an ``out`` equal to, inside, or containing one of ``inputs`` (name → path), or of the wrong kind; and,
    for a folder, one that holds files specs did not write (the one rule of every ``--out``: we never delete or
    replace what we did not create — :func:`specs.atomic.ours`).

    >>> check_output(Path("/tmp/r.json"), {"DATA": Path("/tmp/d.jsonl")})
    >>> check_output(Path("/tmp/d.jsonl"), {"DATA": Path("/tmp/d.jsonl")})
    Traceback (most recent call last):
    specs.errors.ConfigError: --out /tmp/d.jsonl is DATA, an input of this command: write somewhere else
    """
    target = Path(out).resolve()
    for name, given in inputs.items():
        if given is None:
            continue
        source = Path(given).resolve()
        if target == source:
            raise ConfigError(f"--out {out} is {name}, an input of this command: write somewhere else")
        if source in target.parents:
            raise ConfigError(f"--out {out} is inside {name} ({given}), an input of this command: write elsewhere")
        if folder and target in source.parents:
            raise ConfigError(f"--out {out} would replace a folder holding {name} ({given}): write elsewhere")
    if blocker := next((p for p in target.parents if p.is_file()), None):
        raise ConfigError(f"--out {out}: {blocker} is a file, so nothing can be written under it")
    if folder and target.is_file():
        raise ConfigError(f"--out {out} is a file; this command writes a folder there")
    if not folder and target.is_dir():
        raise ConfigError(f"--out {out} is a folder; this command writes a file there")
    if folder and not ours(target):
        raise ConfigError(f"--out {out} is a folder of files specs did not write (no {MARK} in it): nothing in it is "
                          "replaced or removed; give a new or empty folder")
