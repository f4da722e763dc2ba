"""``report.html`` of one run folder: the summary, the training curves, rollouts and pairs, in one page.

Why: after ``specs run`` the numbers live in a dozen files (evals, metrics JSONL, trainer logs, the pairs file);
one self-contained page (figures and prompt images embedded as data URIs) is what a person opens to see whether
the run did what SPECS says it should. It is rendered from the folder's files alone — no models, no torch — and
works on a partial folder (only the stages done so far; a missing piece is a shorter page, never an error), so
the runner can call :func:`refresh_run_report` after every stage.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from specs.atomic import atomic_file
from specs.config import load_yaml
from specs.errors import ConfigError
from specs.report import plots, samples
from specs.report.html import Block, to_html
from specs.report.run_folder import (
    METRICS,
    SPLITS,
    evals,
    lmms_reports,
    model_rows,
    read_json,
    read_rows,
    responses,
    split_examples,
    stage_log,
    summary_rows,
)

REPORT = "report.html"
N_ROLLOUTS = 4
N_PAIRS = 5  # one per corruption
GRPO_STAGES = (("grpo_zero", "GRPO-zero"), ("final", "final GRPO"))
COLD_START_LOGS = ("cold_start-last", "cold_start")  # with gf_select=best the trained model is cold_start-last
GF_CURVE = Path("models") / "cold_start-gf" / "gf_curve.json"  # gf_tracking: <out>-gf/gf_curve.json beside out
RUN_MARKERS = ("recipe.yaml", "manifest.json", "data", "evals")


def render_run_report(run_dir: Path) -> Path:
    """Write ``run_dir/report.html`` atomically from whatever the run folder holds now; returns its path.

    Raises ``ConfigError`` (one line) when ``run_dir`` is not a run folder; anything missing inside one is skipped.
    """

    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise ConfigError(f"{run_dir}: not a run folder (no such directory)")
    if not any((run_dir / marker).exists() for marker in RUN_MARKERS):
        raise ConfigError(f"{run_dir}: not a run folder (none of {', '.join(RUN_MARKERS)}; made by `specs run`?)")
    items = blocks(run_dir)
    page = to_html(items, None, items[0][2], style=samples.STYLE)
    out = run_dir / REPORT
    with atomic_file(out) as handle:
        handle.write(page)
    return out


def refresh_run_report(run_dir: Path, log: Callable[[str], None] = print) -> Path | None:
    """:func:`render_run_report` for the runner: a report that cannot be drawn is one logged line, and the
    training run carries on (a report is never worth a failed stage)."""
    try:
        return render_run_report(run_dir)
    except Exception as exc:  # deliberately broad: the run must not die of its report
        log(f"[report] not rendered: {type(exc).__name__}: {exc}")
        return None


def blocks(run_dir: Path) -> list[Block]:
    """Every section that has data, in reading order. A section whose files were edited out of shape (a key gone,
    a number turned text) says so in one paragraph; the rest of the report still renders."""
    out: list[Block] = [*_intro(run_dir)]
    for section in (_summary, _lmms, _grpo, _cold_start, _rollouts, _pairs):
        try:
            out += section(run_dir)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            out.append(("p", f"(a section was not drawn: its files are not as specs writes them — "
                             f"{type(exc).__name__}: {str(exc)[:200]})"))
    return out


# --- sections ----------------------------------------------------------------------------------------------------
def _intro(run_dir: Path) -> list[Block]:
    import yaml

    try:
        recipe = load_yaml((run_dir / "recipe.yaml").read_text(encoding="utf-8")) or {}
    except (OSError, ValueError, yaml.YAMLError):
        recipe = {}
    recipe = recipe if isinstance(recipe, dict) else {}
    name = recipe.get("name") or "?"
    facts = [f"Run folder `{run_dir.resolve()}`", f"recipe `{name}`"]
    if recipe.get("base_model"):
        facts.append(f"base model `{recipe['base_model']}`")
    method = (recipe.get("cold_start") or {}).get("method") if isinstance(recipe.get("cold_start"), dict) else None
    if method:
        facts.append(f"cold start `{method}`")
    facts.append(f"rendered {time.strftime('%Y-%m-%d %H:%M:%S')}")
    out: list[Block] = [("h", 1, f"SPECS run — {name}"), ("p", "; ".join(facts) + ".")]
    manifest = read_json(run_dir / "manifest.json")
    stages = manifest.get("stages") if isinstance(manifest, dict) else None
    if isinstance(stages, dict) and stages:
        rows = []
        for stage, entry in stages.items():
            entry = entry if isinstance(entry, dict) else {}
            status = str(entry.get("status", "?"))
            if entry.get("error"):
                status += f": {entry['error']}"
            rows.append([f"`{stage}`", status, _number(entry.get("seconds"), ".1f"),
                         str(entry.get("finished") or entry.get("started") or "—")])
        out += [("h", 2, "Stages"), ("table", ["stage", "status", "seconds", "finished (or started)"], rows)]
    return out


def _number(value: Any, spec: str) -> str:
    """A number read from a run folder's file, formatted; anything else (an edited file's text) is "—"."""
    import math

    real = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    return format(value, spec) if real else "—"


def _pct(value: Any) -> str:
    return _number(100 * value, ".1f") if isinstance(value, (int, float)) and not isinstance(value, bool) else "—"


def _summary(run_dir: Path) -> list[Block]:
    rows, source = summary_rows(run_dir)
    if not rows:
        return []
    header = ["model"] + [f"{s} {m}" for _, s in SPLITS for _, m in METRICS]
    table = [[label] + [_pct(row.get(f"{split}/{metric}")) for split, _ in SPLITS for metric, _ in METRICS]
             for label, row in rows.items()]
    where = "`summary.json`" if source == "summary.json" else "the eval reports in `evals/` (no `summary.json` yet)"
    return [("h", 2, "Summary"),
            ("p", f"Greedy format rate and accuracy (%) on the held-out ID and OOD test sets, from {where}. Format "
                  "is judged against the format each prompt asks for."),
            ("table", header, table)]


def _lmms(run_dir: Path) -> list[Block]:
    reports = lmms_reports(run_dir)
    rows = []
    for name, report in reports.items():
        counts = (report.get("lmms_eval") or {}).get("n-samples") or {}
        for task, values in report["results"].items():
            shown = ", ".join(f"{k} {v:.4g}" if isinstance(v, (int, float)) else f"{k} {v}"
                              for k, v in values.items() if "_stderr" not in k)
            n = (counts.get(task) or {}).get("effective", "—")
            rows.append([f"`evals/{name}.json`", f"`{report.get('model', '?')}`", f"`{task}`", shown or "—", str(n)])
    if not rows:
        return []
    return [("h", 2, "Benchmarks through lmms-eval"),
            ("p", "lmms-eval's own metrics, as it computed them (`specs lmms-eval`, the recipe's prompt); "
                  "a MEGA-Bench task's score comes from MEGA-Bench's scorer on its responses file."),
            ("table", ["report", "model", "task", "metrics", "n"], rows)]


def _source(path: Path | None, run_dir: Path, rows: list[dict[str, Any]]) -> str:
    where = path.relative_to(run_dir) if path is not None and path.is_relative_to(run_dir) else path
    steps = {r.get("step") for r in rows if "step" in r}
    return f"`{where}` ({_count(len(rows), 'logged row')} over {_count(len(steps), 'step')})"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _grpo(run_dir: Path) -> list[Block]:
    logs = {label: stage_log(run_dir / "models", (name,)) for name, label in GRPO_STAGES}
    figure = plots.grpo_figure({label: rows for label, (rows, _) in logs.items() if rows})
    if figure is None:
        return []
    sources = "; ".join(f"{label}: {_source(path, run_dir, rows)}" for label, (rows, path) in logs.items() if rows)
    caption = ("GRPO: mean reward per batch by reward function (`rewards/format_reward/mean`, "
               "`rewards/accuracy_reward/mean`) and in total (`reward`); `filter/dropped_share` below when the "
               "online filter ran")
    return [("h", 2, "GRPO training"), ("p", f"From {sources}."), ("img", figure, caption)]


def _cold_start(run_dir: Path) -> list[Block]:
    rows, path = stage_log(run_dir / "models", COLD_START_LOGS)
    out: list[Block] = []
    figure = plots.dpo_figure(rows)
    if figure is not None:
        out += [("p", f"From {_source(path, run_dir, rows)}."),
                ("img", figure, "Cold start: DPO's implicit rewards `rewards/chosen`, `rewards/rejected`, "
                                "`rewards/margins` (below 0: less likely than under the base) and the loss")]
    curve = read_json(run_dir / GF_CURVE)
    gf = plots.gf_figure(curve) if isinstance(curve, dict) else None
    if gf is not None:
        out += [("p", f"GF tracking from `{GF_CURVE}`: greedy Ψ on {curve.get('n_id', '?')} ID and "
                      f"{curve.get('n_ood', '?')} OOD prompts every few steps; selection `{curve.get('select')}` "
                      f"on `{curve.get('metric_for_selection')}`."),
                ("img", gf, "Cold start: Ψ on ID and OOD and the Generalization Factor per step")]
    return [("h", 2, "Cold start"), *out] if out else []


def _rollouts(run_dir: Path) -> list[Block]:
    reports = {name: r["id-test"] for name, r in evals(run_dir).items() if isinstance(r.get("id-test"), dict)}
    if not reports:
        return []
    examples = split_examples(run_dir, "id-test", list(reports.values()))
    graded = {name: responses(report, examples) for name, report in reports.items()}
    graded = {name: by_id for name, by_id in graded.items() if by_id}
    if not graded:
        return []
    first = next(iter(reports.values()))
    order = [str(e.get("id")) for e in first.get("per_prompt") or [] if isinstance(e, dict)]
    ids = samples.pick_prompts(graded, order, N_ROLLOUTS)
    if not ids:
        return []
    labels = dict(model_rows())
    text = (f"The same {len(ids)} ID-test prompts answered by every model evaluated so far (the eval's first "
            "response per prompt, as generated), prompts the models grade differently first. Correctness is the "
            "eval's verdict; format is judged by the rewards' scorer against the format the prompt asks for.")
    return [("h", 2, "Rollouts"), ("p", text), ("html", samples.rollouts_html(labels, graded, examples, ids))]


def _pairs(run_dir: Path) -> list[Block]:
    pairs = read_rows(run_dir / "pairs.jsonl")
    if not pairs:
        return []
    out: list[Block] = [("h", 2, "Preference pairs")]
    stats = read_json(run_dir / "pairs.stats.json")
    stats = stats if isinstance(stats, dict) else {}
    if isinstance(stats.get("corruptions"), dict):
        dropped = ", ".join(f"{k} {v}" for k, v in (stats.get("dropped") or {}).items() if v) or "none"
        out.append(("p", f"{_count(stats.get('pairs', len(pairs)), 'pair')} from {stats.get('prompts', '?')} "
                         f"prompts; chosen from `{stats.get('chosen_source', '?')}`. Dropped prompts: {dropped}."))
        out.append(("table", ["corruption", "pairs", "what it does"],
                    [[f"`{name}`", str(n), samples.corruption_doc(name)] for name, n in stats["corruptions"].items()]))
    coupled = (stats.get("settings") or {}).get("coupled") if isinstance(stats.get("settings"), dict) else False
    rejected = ("a *wrong* base response (coupled pairs: they differ in format and correctness)" if coupled else
                "a correct base response (the pair differs in format, not in correctness)")
    shown = samples.pick_pairs(pairs, N_PAIRS)
    out.append(("p", f"{len(shown)} of the {len(pairs)} pairs in `pairs.jsonl`, one per corruption first. Chosen: a "
                     f"correct, well formatted response; rejected: {rejected} with one format corruption."))
    out.append(("html", samples.pairs_html(shown, run_dir)))
    return out
