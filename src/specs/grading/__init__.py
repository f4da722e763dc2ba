"""Answer grading shared by the rewards (training) and the evaluator (benchmarks). Pure Python, no torch.

``grade`` locates the final answer of a response and compares it with the gold; ``grade_answer`` compares an
already-extracted answer; ``format_ok`` is the strict ``<think>…</think><answer>…</answer>`` check.
Conventions: docs/grading.md.
"""

from specs.grading.choices import choices_from_question
from specs.grading.extract import Extraction, extract_answer
from specs.grading.formatcheck import format_ok
from specs.grading.golds import accepted_golds
from specs.grading.grade import ANSWER_TYPES, GradeResult, grade, grade_answer
from specs.grading.symbolic import warm_up

__all__ = [
    "ANSWER_TYPES",
    "Extraction",
    "GradeResult",
    "accepted_golds",
    "choices_from_question",
    "extract_answer",
    "format_ok",
    "grade",
    "grade_answer",
    "warm_up",
]
