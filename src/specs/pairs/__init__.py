"""SPECS preference pairs: format corruptions, pair selection from graded samples, consistency filters, pairs IO.

Pure Python (no torch): GRPO-zero's correct, well-formatted response is the chosen side; a correct base response
with one random format corruption is the rejected side (arXiv 2510.25801). The judge's filter lives in specs.judge.
"""

from specs.pairs.consistency import conclusion_agrees, think_and_answer
from specs.pairs.corruptions import CORRUPTIONS, check_rejected, corrupt, random_corruption
from specs.pairs.io import PairRecord, pair_record, read_pairs, to_dpo_rows, to_sft_rows, write_pairs
from specs.pairs.selection import DROP_REASONS, Candidate, DistillStats, Drop, Pair, build_pair

__all__ = [
    "CORRUPTIONS",
    "DROP_REASONS",
    "Candidate",
    "DistillStats",
    "Drop",
    "Pair",
    "PairRecord",
    "build_pair",
    "check_rejected",
    "conclusion_agrees",
    "corrupt",
    "pair_record",
    "random_corruption",
    "read_pairs",
    "think_and_answer",
    "to_dpo_rows",
    "to_sft_rows",
    "write_pairs",
]
