"""One gold rule for every consumer: the record's ``answer`` plus its ``meta.answers`` (accepted alternatives).

Why: the GRPO reward read only ``answer`` while eval and distillation read ``meta.answers`` *instead* — the
same response scored 0.0 as a reward and 1.0 in eval (issue 21). Every consumer (rewards, eval, distill, the
judge paths, ``specs grade``) now asks :func:`accepted_golds` and grades against all of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def accepted_golds(answer: Any, alternatives: Iterable[Any] | None = None, answer_type: str | None = None) -> Any:
    """``answer`` and the ``alternatives``, deduplicated in order: one gold, or a list of accepted alternatives.

    A list ``answer`` with ``answer_type="list"`` is one list-valued gold (MathVista), not alternatives, and is
    returned as it is (no benchmark stores alternatives for a list answer). ``None`` and blank entries are
    dropped; nothing left gives ``None``.

    >>> accepted_golds("24/7", ["24/7", "3.429"])
    ['24/7', '3.429']
    >>> accepted_golds("12", None), accepted_golds(None, None)
    ('12', None)
    >>> accepted_golds([2014, 2016], None, "list")
    [2014, 2016]
    """
    if answer_type == "list" and isinstance(answer, (list, tuple)):
        return answer
    firsts = list(answer) if isinstance(answer, (list, tuple)) else [answer]
    if alternatives is None:
        extra: list[Any] = []
    elif isinstance(alternatives, (str, int, float)):
        extra = [alternatives]
    else:
        extra = list(alternatives)
    golds: list[Any] = []
    seen: set[str] = set()
    for gold in [*firsts, *extra]:
        if gold is None or (isinstance(gold, str) and not gold.strip()):
            continue
        key = str(gold).strip()
        if key not in seen:
            seen.add(key)
            golds.append(gold)
    if not golds:
        return None
    return golds[0] if len(golds) == 1 else golds
