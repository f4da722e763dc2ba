"""``specs study``: the paper's claims in miniature, on the toy world, over several seeds.

Five arms share one final-GRPO budget and differ only in their cold start: ``grpo_only`` (none), ``sft`` (SFT on
the chosen responses), ``dpo`` (DPO, λ = 0), ``specs`` (DPO + λ·SFT, λ = 1) and ``coupled`` (λ = 1 on pairs whose
rejected side is also wrong). Four opt-in ablation arms (``arms=[...]``) vary one thing of ``specs`` each:
``specs_lambda_half`` (λ = 0.5), ``specs_seqnorm`` (per-sequence SFT normalisation), ``base_chosen`` (chosen side
sampled from the base) and ``no_filter`` (no consistency filter). For every seed and arm the study records ID/OOD
format rate and accuracy of every model, the cold start's GF curve, pass@k and RBF, writes them to ``study.json``
and judges the paper's claims with an explicit rule (:mod:`specs.study.claims`).

Modules: :mod:`~specs.study.config` (settings, presets, arms), :mod:`~specs.study.runner` (training, resumable),
:mod:`~specs.study.measure` (pass@k, RBF), :mod:`~specs.study.collect` (``study.json``), and the pure report side,
:mod:`~specs.study.claims`, :mod:`~specs.study.report` (``render_report``) and :mod:`~specs.study.plots`.
"""

from specs.study.config import ARMS, PRESETS, StudyConfig, load_study

__all__ = ["ARMS", "PRESETS", "StudyConfig", "load_study"]
