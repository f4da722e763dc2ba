"""Our lmms-eval tasks: upstream's reasoning tasks (and MEGA-Bench) read from local parquet files.

Each ``tasks/specs_<name>.yaml`` ``include`` s one upstream task and overrides only where its data comes from (plus
``reasoning_tags``); its ``specs:`` block, ours, says which hub files it expects and which columns the upstream code
reads. lmms-eval resolves ``include`` against the including file and reads ``data_files`` as given, so the file that
runs is written at run time (:func:`write_local_tasks`): ``include`` absolute under the installed ``lmms_eval/tasks``,
``data_files`` the split's parquet files found under ``--data``, checked for those columns first (one located line,
not a traceback from inside a task's utils).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

from specs.benchmarks.sources import table_files
from specs.config import read_yaml
from specs.data.jsonl import write_text_atomic
from specs.errors import ConfigError, DataError

PREFIX = "specs_"


def shipped_tasks() -> dict[str, Path]:
    """Our task names → their YAML files in the package."""
    folder = Path(str(resources.files("specs.lmms").joinpath("tasks")))
    return {path.stem: path for path in sorted(folder.glob(f"{PREFIX}*.yaml"))}


def parse_data(items: list[str]) -> dict[str, Path]:
    """``--data TASK=PATH`` values → {task: path}, for our tasks only."""
    known, data = shipped_tasks(), {}
    for item in items:
        name, sep, path = item.partition("=")
        if not sep or not path.strip():
            raise ConfigError(f"--data {item!r}: expected TASK=PATH, e.g. specs_mathvista=/data/MathVista")
        if name not in known:
            raise ConfigError(f"--data {name}: not one of our local tasks ({', '.join(known)})")
        data[name] = Path(path)
    return data


def upstream_config(include: str) -> tuple[Path, dict[str, Any]]:
    """The installed upstream YAML named by an ``include`` (relative to ``lmms_eval/tasks``) and its config, with
    its own includes resolved and ``!function`` tags left unresolved (nothing is imported)."""
    import lmms_eval.tasks
    from lmms_eval.utils import load_yaml_config

    path = Path(lmms_eval.tasks.__file__).parent / include
    if not path.is_file():
        raise ConfigError(f"{path}: no such upstream task file (this lmms-eval is not the one our tasks were made for)")
    return path, load_yaml_config(str(path), mode="simple")


def parquet_files(path: Path, split: str, columns: list[str]) -> list[Path]:
    """The split's parquet files at ``path`` (a file, or a folder of shards), each holding ``columns``."""
    import pyarrow.parquet as pq


    files = table_files(path, split)
    for file in files:
        if file.suffix != ".parquet":
            raise DataError(file, None, "lmms-eval tasks read the benchmark's HF parquet files; not a .parquet file")
        try:
            names = set(pq.read_schema(file).names)
        except (OSError, ValueError) as exc:
            raise DataError(file, None, f"cannot read parquet: {exc}") from None
        missing = [c for c in columns if c not in names]
        if missing:
            raise DataError(file, None, f"missing columns {', '.join(missing)} (has: {', '.join(sorted(names))})")
    return files


def media_root(name: str) -> Path:
    """Where MEGA-Bench's utils read media: ``$HF_HOME/<name>`` (their default, computed as they compute it)."""
    return Path(os.path.expanduser(os.getenv("HF_HOME", "~/.cache/huggingface"))) / name


def write_local_tasks(data: dict[str, Path], folder: Path) -> dict[str, list[str]]:
    """Write the runnable YAML of each task in ``data`` into ``folder``; returns the data files each reads."""
    import yaml


    shipped, used = shipped_tasks(), {}
    for name, path in data.items():
        config, _ = read_yaml(shipped[name])
        ours = config.pop("specs")
        upstream, upstream_cfg = upstream_config(config["include"])
        if "media" in ours and not media_root(ours["media"]).is_dir():
            raise ConfigError(f"{name}: its media are read from {media_root(ours['media'])} (lmms-eval's layout): "
                              "put the benchmark's unpacked media folder there, or link it")
        split = upstream_cfg["test_split"]
        files = [str(f.resolve()) for f in parquet_files(path, split, ours["columns"])]
        config.update(include=str(upstream), dataset_kwargs={"data_files": {split: files}})
        write_text_atomic(folder / f"{name}.yaml", yaml.safe_dump(config, sort_keys=False))
        used[name] = files
    return used
