"""The format check is linear in the response's length: a megabyte of near-tags costs ~1000x a kilobyte, not more.

    .venv/bin/python bench/formatcheck.py [--repeats 5]

Why: every GRPO completion is format-checked on the main process; a regex that backtracks on nested near-tags
(``a</think`` repeated) would turn one runaway rollout into a stalled step. Prints the time of each size (best of
``--repeats``) and the cost per kilobyte relative to the smallest: a ratio near 1 at every size is linear.
"""

from __future__ import annotations

import argparse
import time

from specs.grading.formatcheck import format_ok

SIZES = (1_000, 10_000, 100_000, 1_000_000)  # characters, roughly


def near_tags(chars: int) -> str:
    return "<think>" + "a</think" * (chars // 8) + "</think><answer>4</answer>"


def best_time(text: str, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        format_ok(text)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    base = None
    print(f"{'chars':>10}{'seconds':>12}{'per KB vs smallest':>20}")
    for size in SIZES:
        text = near_tags(size)
        seconds = best_time(text, args.repeats)
        per_kb = seconds / (len(text) / 1000)
        base = base or per_kb
        print(f"{len(text):>10}{seconds:>12.5f}{per_kb / base:>20.2f}")


if __name__ == "__main__":
    main()
