"""Benchmarks (MathVista, MathVerse, MATH-Vision, MMMU) and RL training sets from local files → canonical JSONL.

``convert(benchmark, path, out_dir)`` writes ``<out_dir>/<benchmark>.jsonl`` plus PNGs in each benchmark's own
conventions (see ``adapters``); ``breakdown(meta, correct, BREAKDOWNS[benchmark])`` gives the per-category
accuracy tables those benchmarks report; ``load_training_rows`` converts Orsta-47K/ViRL39K-style sets and
drops prompts that would not fit once images are counted. Nothing here touches the network.
"""

from specs.benchmarks.breakdowns import BREAKDOWNS, benchmark_breakdown, breakdown
from specs.benchmarks.convert import BENCHMARKS, convert
from specs.benchmarks.images import image_tokens, smart_resize
from specs.benchmarks.training import ALIASES, TrainingReport, load_training_rows

__all__ = [
    "ALIASES",
    "BENCHMARKS",
    "BREAKDOWNS",
    "TrainingReport",
    "benchmark_breakdown",
    "breakdown",
    "convert",
    "image_tokens",
    "load_training_rows",
    "smart_resize",
]
