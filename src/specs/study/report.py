"""``report.md`` and a self-contained ``report.html`` from ``study.json`` alone (no models, no torch).

The report is a list of blocks (headings, paragraphs, tables, figures) rendered twice by the shared renderer
(:mod:`specs.report.html`), to Markdown and to HTML with the figures embedded as base64 data URIs, so the two
always say the same thing. Every number is a mean ± sample std over seeds, or a per-seed value, formatted from
``study.json`` by the helpers below.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from specs.atomic import mark
from specs.data.jsonl import read_json, write_text_atomic
from specs.errors import DataError
from specs.report.html import Block, to_html, to_markdown
from specs.study.claims import Claim, Comparison, Correlation, Getter, evaluate_claims, mean, path_getter, std
from specs.study.config import ARMS
from specs.study.plots import make_plots

__all__ = ["Block", "blocks", "render_report", "to_html", "to_markdown"]


# --- numbers ------------------------------------------------------------------------------------------------------
def num(x: float | None, unit: str = "") -> str:
    """``pp``: a fraction shown in percent (1 decimal); otherwise 3 decimals; ``—`` when missing."""
    if x is None:
        return "—"
    return f"{100 * x:.1f}" if unit == "pp" else f"{x:.3f}"


def signed(x: float | None, unit: str = "") -> str:
    if x is None:
        return "—"
    return f"{100 * x:+.1f}" if unit == "pp" else f"{x:+.3f}"


def spread(xs: list[float], unit: str = "") -> str:
    """``mean ± std`` over seeds (just the mean for one value, ``—`` for none)."""
    s = std(xs)
    return num(mean(xs), unit) if s is None else f"{num(mean(xs), unit)} ± {num(s, unit)}"


def ratio(x: float | None) -> str:
    return "—" if x is None else ("∞" if x == math.inf else "−∞" if x == -math.inf else f"{x:.2f}")


def verdict(row: Comparison | Correlation | Claim) -> str:
    return f"**{row.decision}**" if getattr(row, "decides", True) else f"(info: {row.decision})"


# --- what the tables show ----------------------------------------------------------------------------------------
def _ks(study: dict[str, Any]) -> list[str]:
    return [str(k) for k in study["config"]["pass_k"]]


def arm_columns(study: dict[str, Any]) -> list[tuple[str, Getter, str]]:
    """(header, getter, unit) of the per-arm and per-seed tables."""
    cols = [
        ("pairs", path_getter("pairs", "n"), "n"),
        ("cold ID format", path_getter("models", "cold_start", "id", "format_rate"), "pp"),
        ("cold OOD format", path_getter("models", "cold_start", "ood", "format_rate"), "pp"),
        ("cold ID acc", path_getter("models", "cold_start", "id", "accuracy"), "pp"),
        ("cold OOD acc", path_getter("models", "cold_start", "ood", "accuracy"), "pp"),
        ("best GF (format)", path_getter("gf", "summary", "format_rate", "best", "gf"), "pp"),
        ("last GF (format)", path_getter("gf", "summary", "format_rate", "last", "gf"), "pp"),
        ("best GF (acc)", path_getter("gf", "summary", "accuracy", "best", "gf"), "pp"),
        ("final ID format", path_getter("models", "final", "id", "format_rate"), "pp"),
        ("final ID acc", path_getter("models", "final", "id", "accuracy"), "pp"),
        ("final OOD format", path_getter("models", "final", "ood", "format_rate"), "pp"),
        ("final OOD acc", path_getter("models", "final", "ood", "accuracy"), "pp"),
        ("RBF cold", path_getter("rbf", "cold_start"), ""),
        ("RBF final", path_getter("rbf", "final"), ""),
    ]
    cols += [(f"pass@{k}", path_getter("passk", "final", k), "pp") for k in _ks(study)]
    return cols + [("rewards/chosen", path_getter("chosen_reward", "last"), "")]


def trunk_columns(study: dict[str, Any], model: str) -> list[tuple[str, Getter, str]]:
    cols = [(f"{split.upper()} {label}", path_getter("models", model, split, key), "pp")
            for split in ("id", "ood") for label, key in (("format", "format_rate"), ("acc", "accuracy"))]
    if model == "base":
        cols += [("RBF", path_getter("rbf", "base"), "")] + [(f"pass@{k}", path_getter("passk", "base", k), "pp")
                                                     for k in _ks(study)]
    return cols


def _cell(value: float | None, unit: str) -> str:
    return "—" if value is None else (str(int(value)) if unit == "n" else num(value, unit))


def _summary(values: list[float | None], unit: str) -> str:
    """Counts are listed per seed (``12/15/11``); everything else is ``mean ± std`` of the measured seeds."""
    if unit == "n":
        return "/".join(_cell(v, unit) for v in values) if any(v is not None for v in values) else "—"
    return spread([v for v in values if v is not None], unit)


def trunk_rows(study: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """One record per seed (base and GRPO-zero are shared by every arm of a seed)."""
    return sorted({r["seed"]: r for r in study["runs"]}.items())


# --- blocks ------------------------------------------------------------------------------------------------------
def blocks(study: dict[str, Any], claims: list[Claim], figures: list[tuple[str, str]]) -> list[Block]:
    """The whole report: settings, claims with their evidence, results per arm and per seed, figures, caveats."""
    figure_blocks: list[Block] = [("h", 2, "Figures"), *[("img", name, caption) for name, caption in figures]]
    return [*_intro(study), *_claim_blocks(study, claims), *_result_blocks(study), *figure_blocks, *_caveats()]


def _intro(study: dict[str, Any]) -> list[Block]:
    cfg, settings = study["config"], study["settings"]
    budget = settings["final_grpo_budget"]
    return [
        ("h", 1, f"SPECS study — preset {cfg['preset']}, recipe {settings['recipe']['name']}"),
        ("p", f"Arms: {', '.join(f'`{a}` ({ARMS[a].label})' for a in study['arms'])}. Seeds: "
              f"{', '.join(str(s) for s in study['seeds'])}. Final GRPO budget, identical in every arm: "
              f"{budget['max_steps']} steps × {budget['batch_size']} completions ({budget['num_generations']} "
              f"rollouts per prompt), lr {budget['learning_rate']}. Base model (shared by all seeds): "
              f"`{settings['base_model']}`. Ψ for the claims: {settings['psi_for_claims']}; GF β = "
              f"{settings['gf_beta']}; GF tracked every {cfg['gf_every']} cold-start steps on {cfg['limits']['gf']} "
              f"prompts per split. pass@k: {cfg['pass_n']} samples per ID prompt at T = 1; RBF: "
              f"{cfg['rbf_samples']} responses per model at T = 1. Stage time in total: "
              f"{study['timings']['stage_seconds_total']} s (torch threads: {cfg.get('threads') or 'default'})."),
        ("ul", [f"`{a}` — {ARMS[a].label}: {ARMS[a].description}" for a in study["arms"]]),
    ]


def _claim_blocks(study: dict[str, Any], claims: list[Claim]) -> list[Block]:
    cfg = study["config"]
    return [
        ("h", 2, "The paper's claims"),
        ("p", f"Decision rule (z = {cfg.get('decision_z', 2.0)}): each comparison A > B is judged on the per-seed "
              "differences d = A − B; **held** when mean(d) > 0 and mean(d) ≥ z·se, **not held** when mean(d) < 0 "
              "and −mean(d) ≥ z·se, otherwise **inconclusive** (also when fewer than 2 seeds, or mean(d) = 0); "
              "se = std(d)/√n. Correlations use Spearman ρ over arms × seeds with t = ρ·√((n−2)/(1−ρ²)) against "
              "the same z (inconclusive below 4 points). A claim combines its deciding rows with *all* or *any*; "
              "*info* rows do not decide. pp = percentage points."),
        ("table", ["#", "claim", "paper", "measured", "rows", "decision"], [
            [str(c.number), c.title, c.paper, _measured(c), c.combine, verdict(c)] for c in claims]),
        ("h", 3, "Comparisons (paired by seed)"),
        ("table", ["claim", "comparison", "metric", "A", "B", "mean Δ", "se", "Δ/se", "n", "decision"], [
            [str(c.number), r.label, r.metric, spread(r.a, r.unit), spread(r.b, r.unit), signed(mean(r.diffs), r.unit),
             num(r.se, r.unit), ratio(r.ratio), str(r.n), verdict(r)] for c in claims for r in c.comparisons]),
        ("h", 3, "Correlations (cold-start arms × seeds)"),
        ("table", ["claim", "x vs y", "n", "Pearson r", "R²", "Spearman ρ", "t", "decision"], [
            [str(c.number), r.label, str(r.n), num(r.pearson), num(r.r2), num(r.spearman), ratio(r.t), verdict(r)]
            for c in claims for r in c.correlations]),
    ]


def _result_blocks(study: dict[str, Any]) -> list[Block]:
    out: list[Block] = [("h", 2, "Results per arm (mean ± std over seeds)")]
    cols = arm_columns(study)
    rows = []
    for arm in study["arms"]:
        records = [r for r in study["runs"] if r["arm"] == arm]
        rows.append([arm, str(len(records))] + [_summary([get(r) for r in records], unit) for _, get, unit in cols])
    out.append(("table", ["arm", "seeds"] + [c[0] for c in cols], rows))
    trunk = trunk_rows(study)
    out.append(("h", 3, "Base and GRPO-zero (mean ± std over seeds)"))
    out.append(("table", ["model"] + [c[0] for c in trunk_columns(study, "base")], [
        [label] + [_summary([get(r) for _, r in trunk], unit) for _, get, unit in trunk_columns(study, model)]
        for model, label in (("base", "base"), ("grpo_zero", "GRPO-zero"))]))
    out.append(("h", 2, "Every seed"))
    out.append(("table", ["seed", "arm"] + [c[0] for c in cols], [
        [str(r["seed"]), r["arm"]] + [_cell(get(r), unit) for _, get, unit in cols] for r in study["runs"]]))
    for model, label in (("base", "base"), ("grpo_zero", "GRPO-zero")):
        out.append(("h", 3, f"{label} per seed"))
        out.append(("table", ["seed"] + [c[0] for c in trunk_columns(study, model)], [
            [str(seed)] + [_cell(get(r), unit) for _, get, unit in trunk_columns(study, model)] for seed, r in trunk]))
    return out


def _caveats() -> list[Block]:
    return [("h", 2, "Caveats"), ("ul", [
        "A toy world and a tiny VLM: the study checks whether the paper's *mechanisms* show up in miniature, "
        "not its numbers. Compare signs and orderings, not magnitudes.",
        "Seeds vary training and sampling only; the world and the base model are shared, so the spread leaves "
        "out base-pretraining noise. With 3 seeds a screening rule is the most the data support: most claims "
        "should be expected to be inconclusive.",
        "GF here uses the cold start's own GF tracking (greedy, on a subset of the test splits); the claims use "
        "Ψ = format rate (what the paper's curves behave like) and report Ψ = accuracy as info.",
        "Only the final GRPO has an equal budget across arms. The cold starts share one config (steps or "
        "epochs) over their pairs file — the decoupled pairs for `sft`, `dpo` and `specs`, the coupled pairs for "
        "`coupled` — and DPO costs more per step than SFT (a reference model and a rejected side).",
        "pass@k and RBF are sampled at T = 1 (top-p 1) with the seed's sampling seed; the RBF is token-weighted "
        "(long responses weigh more), as in `specs rbf`.",
    ])]


def _measured(claim: Claim) -> str:
    parts = [f"{r.label}: Δ {signed(mean(r.diffs), r.unit)}{' pp' if r.unit == 'pp' else ''} (se {num(r.se, r.unit)}"
             f", n {r.n})" for r in claim.comparisons if r.decides]
    parts += [f"ρ {num(r.spearman)}, r {num(r.pearson)}, R² {num(r.r2)} (n {r.n})"
              for r in claim.correlations if r.decides]
    return "; ".join(parts)


_SHAPE = {"config": dict, "arms": list, "seeds": list, "settings": dict, "runs": list}


def read_study(path: Path) -> dict[str, Any]:
    """A ``study.json`` written by ``specs study``, or one ``DataError`` line saying what is wrong with it."""

    study = read_json(path)
    if not isinstance(study, dict):
        raise DataError(path, None, "not a study.json (expected a JSON object written by specs study)")
    for key, kind in _SHAPE.items():
        if not isinstance(study.get(key), kind):
            raise DataError(path, None, f"expected a {kind.__name__} (a study.json written by specs study)", key)
    return study


def render_report(study_json_path: Path, out_dir: Path) -> dict[str, Path]:
    """Claims, figures, ``report.md`` and ``report.html`` in ``out_dir``, from ``study.json`` alone."""

    study = read_study(Path(study_json_path))
    out_dir = Path(out_dir)
    figures = make_plots(study, out_dir)
    mark(out_dir)
    items = blocks(study, evaluate_claims(study), figures)
    paths = {"markdown": out_dir / "report.md", "html": out_dir / "report.html"}
    write_text_atomic(paths["markdown"], to_markdown(items))
    write_text_atomic(paths["html"], to_html(items, out_dir, items[0][2]))
    return {**paths, **{name: out_dir / name for name, _ in figures}}
