"""``specs run``: the SPECS stages in order, each writing to the run directory, with a resumable manifest.

Data flows one way: recipe → stage → artifact on disk → next stage. A stage already marked done (with its
outputs present) is skipped on rerun; a changed recipe key is accepted only if no completed stage read it.

Under ``accelerate launch`` every rank walks the same stages in lockstep (a barrier after each): trainers form
one process group, eval and distill shard their prompts, and only the main process writes the recipe, the
manifest and the logs. ``main_only`` stages (making data) run on the main process while the others wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from specs.atomic import mark, sweep
from specs.config import build, load_yaml
from specs.data.jsonl import write_json_atomic, write_text_atomic
from specs.distributed import is_main_process, wait_for_everyone
from specs.errors import ConfigError, Interrupted, interruption
from specs.paths import check_output
from specs.recipe.lock import run_lock
from specs.recipe.schema import Recipe
from specs.report.run_report import refresh_run_report


@dataclass
class Stage:
    name: str
    outputs: list[Path]
    run: Callable[[], Any]
    keys: tuple[str, ...] = ()  # the recipe keys it reads ("grpo_zero", "data.train", …): see Run.claim
    main_only: bool = False
    isolated: bool = True  # run in a fresh process when the runner isolates stages (it loads models)

    def reads(self, key: str) -> bool:
        """Whether the dotted recipe key ``key`` is (or holds, or lies inside) one this stage reads."""
        return any(key == k or key.startswith(k + ".") or k.startswith(key + ".") for k in self.keys)


class Run:
    """A run directory: resolved recipe, manifest, data, models, evals."""

    def __init__(self, recipe: Recipe, root: Path, log: Callable[[str], None] = print, report: bool = True):
        self.recipe, self.root, self.report = recipe, Path(root), report  # report: re-render report.html per stage
        if self.root.is_file():
            raise ConfigError(f"{self.root}: is a file; --out must be a folder (new or a run folder)")
        self.log = log if is_main_process() else (lambda _msg: None)  # one voice under accelerate launch
        self.manifest_path = self.root / "manifest.json"
        self.data_dir, self.models, self.evals = self.root / "data", self.root / "models", self.root / "evals"

    # --- paths -----------------------------------------------------------------------------------------------
    def data(self, split: str) -> Path:
        given = getattr(self.recipe.data, split.replace("-", "_"))
        return Path(given) if given else self.data_dir / f"{split}.jsonl"

    def model(self, name: str) -> Path:
        if name == "base" and self.recipe.base_model:
            return Path(self.recipe.base_model)
        return self.models / name

    # --- lifecycle ---------------------------------------------------------------------------------------------
    def claim(self, stages: list[Stage], write: bool = True) -> dict[str, Any]:
        """Create the run dir, or reopen it; its manifest.

        A rerun may change the recipe keys of stages that have not completed (they, and the stages after them, run
        with the new values); a change to a key a completed stage read is refused, since its artifact would not
        match the recipe. ``write=False`` (ranks other than the main one) only checks and reads.
        """
        resolved = yaml.safe_dump(self.recipe.model_dump(mode="json"), sort_keys=False)
        recipe_file = self.root / "recipe.yaml"
        if not recipe_file.is_file():  # a new run folder (execute checked it holds none of the user's files)
            if write:
                self.root.mkdir(parents=True, exist_ok=True)
                mark(self.root)
                write_text_atomic(recipe_file, resolved)
            return {"stages": {}}
        manifest = self._manifest()
        old = _with_defaults(_read_yaml(recipe_file), type(self.recipe))
        changed = sorted(_diff_keys(old, yaml.safe_load(resolved)))
        if not changed:
            return manifest
        done = [s for s in stages if self._done(manifest, s)]
        stale = {key: [s.name for s in done if s.reads(key)] for key in changed}
        if refused := {key: names for key, names in stale.items() if names}:
            key, names = next(iter(refused.items()))
            more = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
            raise ConfigError(
                f"{self.root}: {key} changed{more}, but {', '.join(names)} already ran with the old value; "
                "use a new --out, or delete the folder to start over"
            )
        self.log(f"recipe changed for stages not run yet ({', '.join(changed[:6])}): they run with the new values")
        if write:
            write_text_atomic(recipe_file, resolved)
        return manifest

    def _manifest(self) -> dict[str, Any]:
        import json

        if not self.manifest_path.is_file():
            return {"stages": {}}
        try:
            manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{self.manifest_path}: unreadable ({exc}); delete the run folder to start over, or "
                              "use a new --out") from None
        if not isinstance(manifest, dict) or not isinstance(manifest.get("stages"), dict):
            raise ConfigError(f"{self.manifest_path}: field 'stages': missing; not a specs run manifest")
        return manifest

    def execute(self, stages: list[Stage], ready: Callable[[Path], Any] = lambda _root: None,
                isolate: Callable[[Stage], dict[str, float]] | None = None) -> dict[str, Any]:
        """Run the stages not done yet; ``ready(root)`` once the folder's lock is ours (the console attaches
        ``run.log`` then: a refused second run writes nothing into the live one's folder). ``isolate(stage)`` runs
        an ``isolated`` stage in its own process and returns memory figures for the manifest."""
        import contextlib


        main = is_main_process()
        if main and not (self.root / "recipe.yaml").is_file():  # a new run: never in a folder of the user's files
            check_output(self.root, {}, folder=True)
        with run_lock(self.root, self.log) if main else contextlib.nullcontext():
            ready(self.root)
            return self._execute(stages, main, isolate)

    def _execute(self, stages: list[Stage], main: bool, isolate: Callable[[Stage], dict[str, float]] | None
                 ) -> dict[str, Any]:
        manifest = self.claim(stages, write=main)
        wait_for_everyone()
        manifest["recipe"] = str(self.root / "recipe.yaml")
        for name, entry in manifest["stages"].items():  # the lock is ours: a "running" stage was cut short
            if entry.get("status") == "running":
                entry["status"] = "interrupted"
                self.log(f"{name}: interrupted last time (the process was killed); it runs again")
        if main and self.root.is_dir() and (removed := sweep(self.root)):  # the lock is ours: no writer is live
            self.log(f"removed {removed} half-written file(s) a killed process left")
        # decided once, before anything runs, so every rank makes the same decisions
        done = {s.name for s in stages if self._done(manifest, s)}
        save = (lambda: write_json_atomic(self.manifest_path, manifest)) if main else (lambda: None)
        for number, stage in enumerate(stages, 1):
            counter = f"[{number}/{len(stages)}] {stage.name}"
            if stage.name in done:
                self.log(f"{counter}: done already, skipped")
                continue
            self.log(counter)
            entry = {"status": "running", "outputs": [str(p) for p in stage.outputs], "started": _now()}
            manifest["stages"][stage.name] = entry
            save()
            started = time.perf_counter()
            try:
                if isolate is not None and stage.isolated:
                    entry.update(isolate(stage))
                elif main or not stage.main_only:
                    stage.run()
            except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (errors.Terminated)
                entry.update(status="interrupted", finished=_now())
                save()
                raise Interrupted(f"{counter}: interrupted ({interruption(exc)}). Resume with: {resume_command()}"
                                  ) from None
            except BaseException as exc:
                entry.update(status="failed", error=f"{type(exc).__name__}: {exc}", finished=_now())
                save()
                if main and self.report:
                    refresh_run_report(self.root, self.log)
                raise
            wait_for_everyone()
            entry.update(status="done", seconds=round(time.perf_counter() - started, 1), finished=_now())
            save()
            self.log(f"{counter}: done in {entry['seconds']} s")
            if main and self.report:
                refresh_run_report(self.root, self.log)
        return manifest

    @staticmethod
    def _done(manifest: dict[str, Any], stage: Stage) -> bool:
        entry = manifest["stages"].get(stage.name, {})
        return entry.get("status") == "done" and all(p.exists() for p in stage.outputs)


def resume_command() -> str:
    """The command line this process was started with: rerunning it resumes (finished stages are skipped)."""
    import shlex
    import sys

    argv = ["specs", *sys.argv[1:]] if Path(sys.argv[0]).name in ("specs", "__main__.py") else sys.argv
    return " ".join(shlex.quote(a) for a in argv)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError) as exc:
        data, why = None, str(exc).splitlines()[0]
    else:
        why = "not a mapping of recipe keys"
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: unreadable ({why}); delete the run folder to start over, or use a new --out")
    return data


def _with_defaults(old: Any, schema: type) -> Any:
    """A run folder's recipe as this version reads it: keys added since (at their defaults) are no change."""
    try:
        return build(schema, old, "recipe.yaml").model_dump(mode="json")
    except ConfigError:  # a key this version no longer knows: compare as written (and refuse)
        return old


def _diff_keys(a: Any, b: Any, prefix: str = "") -> set[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        keys: set[str] = set()
        for k in set(a) | set(b):
            keys |= _diff_keys(a.get(k), b.get(k), f"{prefix}{k}.")
        return keys
    return set() if a == b else {prefix.rstrip(".")}
