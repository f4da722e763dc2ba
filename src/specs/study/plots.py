"""The study's figures, drawn from ``study.json`` alone (matplotlib, Agg backend: no display needed).

Every figure shows every seed (thin lines or dots) next to the mean ± std over seeds, so the spread that
decides the claims is visible, not hidden behind a mean.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from specs.report.plots import integer_steps, pyplot
from specs.study.claims import final_acc, mean, std
from specs.study.claims import rbf as rbf_of
from specs.study.config import ARMS, COLD_ARMS

FIGURES = {
    "gf_curves.png": "Cold-start GF tracking: Ψ on ID and OOD (top: format rate, bottom: accuracy) and GF, per seed",
    "final_accuracy.png": "Final greedy accuracy per arm, ID and OOD (mean ± std over seeds; dots are seeds)",
    "rbf.png": "Rollout Branching Factor (top-p 0.95, T = 1) of the base, cold-start and final models",
    "passk.png": "pass@k of the final models on the ID test set (T = 1; mean ± std over seeds)",
    "chosen_reward.png": "DPO rewards/chosen during the cold start, per seed (below 0: likelihood displacement)",
}


def _runs(study: dict[str, Any], arm: str) -> list[dict[str, Any]]:
    return [r for r in study["runs"] if r["arm"] == arm]


def _bars(ax, study: dict[str, Any], groups: list[tuple[str, Any]], arms: list[str]) -> None:
    """Grouped bars: one group per arm, one bar per (label, getter), error bars = std, dots = seeds."""
    width, labelled = 0.8 / len(groups), set()
    for j, (label, getter) in enumerate(groups):
        for i, arm in enumerate(arms):
            values = [v for r in _runs(study, arm) if (v := getter(r)) is not None]
            if not values:
                continue
            x = i + (j - (len(groups) - 1) / 2) * width
            ax.bar(x, mean(values), width, yerr=std(values) or 0, capsize=3, color=f"C{j}",
                   label=None if label in labelled else label)
            labelled.add(label)
            ax.plot([x] * len(values), values, "k.", ms=4)
    ax.set_xticks(range(len(arms)), [ARMS[a].label for a in arms], rotation=20, ha="right", fontsize=8)
    ax.legend(fontsize=8)


def gf_curves(study: dict[str, Any], path: Path) -> bool:
    arms = [a for a in study["arms"] if a in COLD_ARMS and any(r.get("gf") for r in _runs(study, a))]
    if not arms:
        return False
    plt = pyplot()
    fig, axes = plt.subplots(2, len(arms), figsize=(3.6 * len(arms), 6), squeeze=False, sharey=True)
    for col, arm in enumerate(arms):
        for row, psi in enumerate(("format_rate", "accuracy")):
            ax = axes[row][col]
            bests = []
            for r in _runs(study, arm):
                if not r.get("gf"):
                    continue
                steps = [p["step"] for p in r["gf"]["points"]]
                ax.plot(steps, [p["id"][psi] for p in r["gf"]["points"]], "C0-", alpha=0.6, lw=1)
                ax.plot(steps, [p["ood"][psi] for p in r["gf"]["points"]], "C1--", alpha=0.6, lw=1)
                ax.plot(steps, [c["gf"] for c in r["gf"]["curves"][psi]], "C2:", alpha=0.8, lw=1.5)
                bests.append(r["gf"]["summary"][psi]["best"]["gf"])
            ax.set_title(f"{ARMS[arm].label}\nbest GF {100 * mean(bests):.1f} ({psi})", fontsize=8)
            ax.set_xlabel("cold-start step", fontsize=8)
            ax.set_ylim(-0.02, 1.02)
            integer_steps(ax)
        axes[0][col].plot([], [], "C0-", label="Ψ ID")
        axes[0][col].plot([], [], "C1--", label="Ψ OOD")
        axes[0][col].plot([], [], "C2:", label="GF (β=2)")
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return True


def final_accuracy(study: dict[str, Any], path: Path) -> bool:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 3.6))
    _bars(ax, study, [("ID", final_acc("id")), ("OOD", final_acc("ood"))], study["arms"])
    ax.set_ylabel("greedy accuracy")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return True


def rbf(study: dict[str, Any], path: Path) -> bool:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 3.6))
    groups = [("base", rbf_of("base")), ("cold start", rbf_of("cold_start")), ("final", rbf_of("final"))]
    _bars(ax, study, groups, study["arms"])
    ax.set_ylabel("RBF (mean nucleus size)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return True


def passk(study: dict[str, Any], path: Path) -> bool:
    ks = [int(k) for k in study["config"]["pass_k"]]
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.6))

    def curve(records: list[dict[str, Any]], model: str, **style: Any) -> None:
        table = [[r["passk"][model][str(k)] for r in records if (r.get("passk") or {}).get(model)] for k in ks]
        if all(table):
            ax.errorbar(ks, [mean(v) for v in table], yerr=[std(v) or 0 for v in table], capsize=3, **style)

    for i, arm in enumerate(study["arms"]):
        curve(_runs(study, arm), "final", color=f"C{i}", marker="o", label=ARMS[arm].label)
    first = {r["seed"]: r for r in study["runs"]}.values()  # the base is the same model in every arm of a seed
    curve(list(first), "base", color="gray", ls="--", label="base")
    ax.set_xscale("log", base=2)
    ax.set_xticks(ks, [str(k) for k in ks])
    ax.set_xlabel("k")
    ax.set_ylabel("pass@k (ID test)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return True


def chosen_reward(study: dict[str, Any], path: Path) -> bool:
    arms = [a for a in study["arms"] if any(r.get("chosen_reward") for r in _runs(study, a))]
    if not arms:
        return False
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for i, arm in enumerate(arms):
        for j, r in enumerate(x for x in _runs(study, arm) if x.get("chosen_reward")):
            series = r["chosen_reward"]["series"]
            ax.plot([p["step"] for p in series], [p["value"] for p in series], color=f"C{i}", alpha=0.7,
                    marker=".", label=ARMS[arm].label if j == 0 else None)
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xlabel("cold-start step")
    integer_steps(ax)
    ax.set_ylabel("rewards/chosen")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return True


def make_plots(study: dict[str, Any], out_dir: Path) -> list[tuple[str, str]]:
    """Draw every figure that has data into ``out_dir``; returns ``(file name, caption)`` of those drawn."""
    out_dir.mkdir(parents=True, exist_ok=True)
    makers = {"gf_curves.png": gf_curves, "final_accuracy.png": final_accuracy, "rbf.png": rbf,
              "passk.png": passk, "chosen_reward.png": chosen_reward}
    return [(name, FIGURES[name]) for name, make in makers.items() if make(study, out_dir / name)]
