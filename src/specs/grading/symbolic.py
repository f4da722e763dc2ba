"""Symbolic equivalence through math-verify, fenced in (docs/grading.md, "Symbolic").

math-verify (``parse``/``verify``) does the algebra — ``\\sqrt{75}`` = ``5\\sqrt3``, intervals, tuples,
relations — but it has gaps we work around here:

- it finds nothing in ``<answer>12</answer>`` or a bare ``−5``, and reads *something* out of any string: we
  hand it the extracted answer only (:func:`prepared`: delimiters, a ``Range:`` label and a trailing
  ``\\text{unit}`` dropped, colons and prose refused), in one pair of ``$…$``, Unicode minus normalised;
- its timeouts use ``signal.alarm``, which raises outside the main thread (TRL may call rewards from
  threads): we disable them (``parsing_timeout=None``, ``timeout_seconds=None``) and bound the work
  ourselves, twice. Before the call, on the input: span length, bracket depth, no power towers or powers of
  powers, small exponents and literals, no ``\\sum``/``\\int``/factorials — these stop the C-level big-integer
  blow-ups (``2^{2^{2^{2^3}}}``) that nothing can interrupt. During the call, a budget of the grading
  thread's own CPU time (:data:`DEADLINE_SECONDS`, 0.5 s: a safety cap, far above any honest comparison, so
  that the verdict does not depend on machine load): a watchdog raises an exception in the grading thread once
  it is spent (the ANTLR parse and sympy's ``simplify`` are Python; ``(a+b+c+e)^{99}`` vs ``a^{99}`` alone
  takes minutes). It works in any thread;
- it accepts a subset of a multi-answer gold and treats 1/2^99 and 1/2^98 as equal (rounding to 6 places):
  we reject smaller answer sets and compare pure numbers with a relative tolerance ourselves.

The cheap, exact-enough cases (intervals with numeric ends, polynomial/rational identities, relations, a
single value against a ``\\pm`` gold) are decided first in :mod:`specs.grading.probes`, without sympy.
math-verify is imported lazily, so ``import specs.grading`` stays fast.
"""

from __future__ import annotations

import ctypes
import logging
import re
import threading
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

from specs.grading.latex import brace_depth
from specs.grading.probes import fast_symbolic

MAX_SYMBOLIC_CHARS = 150
MAX_SYMBOLIC_DEPTH = 4
MAX_LITERAL_DIGITS = 12
MAX_EXPONENT_DIGITS = 2
# CPU seconds of the grading thread per math-verify comparison, after the one-time warm-up: a safety cap against
# pathological inputs, not a speed knob. The reward must not depend on machine load, so (1) the budget counts this
# thread's CPU time, not wall time (waiting for a core or the GIL is not counted), and (2) it is far above what
# any honest comparison needs (the slowest in the external check: ~0.1 s CPU), so a verdict never sits at the
# edge. A comparison that runs it out is answered False ("not proven equal"), logged, and not cached. Speed comes
# from deciding first without sympy (probes.py) and from the verdict cache, never from cutting proofs short.
DEADLINE_SECONDS = 0.5
VERDICT_CACHE = 8192  # (prediction, gold) verdicts: G rollouts per prompt repeat the same answers

T = TypeVar("T")
_LOG = logging.getLogger(__name__)

_FORBIDDEN = re.compile(r"\\(?:sum|prod|i?int|oint|lim|binom|choose|over|mathbb|Gamma)(?![A-Za-z])|!(?!\s*=)")
_EXPONENT = re.compile(r"\^\s*(\{[^{}]*\}|\S)")
_DIGITS = re.compile(r"\d+")


class DeadlineExceeded(BaseException):
    """Raised inside math-verify/sympy when the budget is spent (a BaseException: ``except Exception`` in
    library code does not swallow it)."""


def run_with_deadline(fn: Callable[[], T], seconds: float) -> T:
    """Run ``fn`` in this thread; once it has used ``seconds`` of *its own CPU time*, raise
    :class:`DeadlineExceeded` in it.

    Why CPU time and not wall time: the verdict is a reward, and the same rollout must earn the same reward on
    an idle machine and on a busy one. This thread's CPU clock (``pthread_getcpuclockid``) counts only the work
    done by this thread: time spent waiting for a core (other processes) or for the GIL (other threads) does not
    count. A watchdog thread sleeps ``seconds`` of wall time (CPU time can never exceed it), reads the clock,
    and sleeps again for what is left of the budget until it is spent or ``fn`` returns, so it costs nothing
    while ``fn`` runs. Where no per-thread CPU clock exists it falls back to wall time.

    The exception is delivered with ``PyThreadState_SetAsyncExc`` (CPython), which needs no signal and so works
    in any thread. It lands at the next bytecode boundary: a single long C call (a huge integer power) is not
    interrupted, hence the input bounds as well. Callers catch :class:`DeadlineExceeded` around this call (it
    may land in the cleanup below).
    """
    target = threading.get_ident()
    cpu_clock = _thread_cpu_clock(target)
    used_at_start = time.clock_gettime(cpu_clock) if cpu_clock is not None else 0.0
    lock = threading.Lock()
    done = threading.Event()
    state = {"running": True, "fired": False}

    def watch() -> None:
        remaining = seconds
        while not done.wait(remaining):
            if cpu_clock is not None:
                try:
                    remaining = seconds - (time.clock_gettime(cpu_clock) - used_at_start)
                except OSError:  # the thread is gone
                    return
                if remaining > 1e-4:
                    continue
            with lock:
                if state["running"]:
                    _set_async_exc(target, DeadlineExceeded)
                    state["fired"] = True
            return

    watchdog = threading.Thread(target=watch, daemon=True, name="specs-grading-deadline")
    watchdog.start()
    try:
        return fn()
    finally:
        with lock:
            state["running"] = False
        done.set()
        if state["fired"]:
            _set_async_exc(target, None)  # clear it if it has not been delivered yet


def _thread_cpu_clock(thread_id: int) -> int | None:
    """The CPU-time clock of a thread (Linux and most Unixes), or None where there is none."""
    try:
        clock = time.pthread_getcpuclockid(thread_id)
        time.clock_gettime(clock)
    except (AttributeError, OSError):
        return None
    return clock


def _set_async_exc(thread_id: int, exc: type[BaseException] | None) -> None:
    payload = ctypes.py_object(exc) if exc is not None else None
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), payload)


class _DropTimeoutWarning(logging.Filter):
    """math-verify logs a warning on *every* call made with timeouts disabled; we bound the work ourselves."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Timeout is disabled" not in record.getMessage()


def within_bounds(span: str) -> bool:
    """True when ``span`` is small and tame enough for math-verify to finish in milliseconds."""
    if not span or len(span) > MAX_SYMBOLIC_CHARS or brace_depth(span) > MAX_SYMBOLIC_DEPTH:
        return False
    if _FORBIDDEN.search(span):
        return False
    if any(len(digits) > MAX_LITERAL_DIGITS for digits in _DIGITS.findall(span)):
        return False
    for match in _EXPONENT.finditer(span):
        exponent = match.group(1)
        if "^" in exponent or any(len(d) > MAX_EXPONENT_DIGITS for d in _DIGITS.findall(exponent)):
            return False
    return not _has_power_of_power(span)


def _has_power_of_power(span: str) -> bool:
    """``10^{10^{10}}`` (a power in an exponent) or ``((10^{12})^{99})^{99}`` (a power of a power)."""
    for index, char in enumerate(span):
        if char != "^":
            continue
        after = span[index + 1 :].lstrip()
        if after.startswith("{"):
            depth = 0
            for inner in after:
                depth += {"{": 1, "}": -1}.get(inner, 0)
                if depth == 0:
                    break
                if inner == "^":
                    return True
        before = span[:index].rstrip()
        if before.endswith((")", "}", "]")):
            depth = 0
            for inner in reversed(before):
                depth += {")": 1, "}": 1, "]": 1, "(": -1, "{": -1, "[": -1}.get(inner, 0)
                if depth == 0:
                    break
                if inner == "^":
                    return True
    return False


_WARM_UP = (
    ("$x^2+1$", "$1+x^2$"),
    ("$(-\\infty, 3) \\cup (3, \\infty)$", "$(-\\infty,3)\\cup(3,\\infty)$"),
    ("$\\{1, 3\\}$", "$\\{3, 1\\}$"),
    ("$y = 2x$", "$y=2x$"),
    ("$x \\le 3$", "$3 \\ge x$"),
    ("$\\sin^2 x + \\cos^2 x$", "$1$"),
    ("$\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}$", "$\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}$"),
    ("$\\frac{\\sqrt{3}}{2}\\pi$", "$\\sqrt{3}\\pi/2$"),
)


@lru_cache(maxsize=1)
def _math_verify() -> tuple[Any, Any]:
    """Import math-verify once and warm it up (its first parse builds the ANTLR machinery: ~0.3 s)."""
    from math_verify import parse, verify

    for name in ("math_verify.parser", "math_verify.grader"):
        logging.getLogger(name).addFilter(_DropTimeoutWarning())
    for left, right in _WARM_UP:  # one of each kind: sympy's first interval/set/relation/trig costs 20-150 ms
        verify(parse(left, parsing_timeout=None), parse(right, parsing_timeout=None), timeout_seconds=None)
    return parse, verify


def warm_up() -> None:
    """Pay math-verify's one-time import and warm-up now rather than inside the first timed comparison."""
    _math_verify()


_DELIMITER = re.compile(r"\$|\\[()\[\]]")  # `$`, `\(`, `\)`, `\[`, `\]`: never part of an answer's value
_LABEL = re.compile(r"^\s*(?:\\(?:text|textbf|mathrm)\s*\{\s*)?[A-Za-z][A-Za-z ]{0,30}[:：]\s*\}?\s*")
_UNIT_TEXT = re.compile(r"\s*\\(?:text|mathrm|textnormal)\s*\{\s*[A-Za-z ]{1,20}\s*\}\s*$")
_WORD = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{3,}")


def prepared(span: str) -> str | None:
    """The answer itself, in one pair of ``$…$``, or None when math-verify would read something else.

    Why: math-verify reads *some* expression out of any string, so a span we rebuilt can parse to a
    different answer (``$Range: \\((-4, 1]\\)$`` parsed to ``1``, ``2:1`` to ``2``). We drop delimiters, a
    leading label (``Range:``) and a trailing ``\\text{units}``, and refuse what is left if it still holds a
    colon (ratios, labels inside) or a word (prose): those are decided by our own rules or not at all.
    """
    span = _DELIMITER.sub(" ", span.replace("−", "-")).strip()
    span = _UNIT_TEXT.sub("", _LABEL.sub("", span, count=1)).strip()
    if not span or ":" in span or "：" in span or _WORD.search(_TEXT_ARGS.sub("", span)):
        return None
    return f"${span}$"


_NAMED = re.compile(r"^[A-Za-z]\s*=\s*([^=<>]+)$")
_RELATION_SIGN = re.compile(r"[=<>]|\\(?:le|ge|ne|leq|geq|neq|lt|gt)(?![A-Za-z])")


def _bare(span: str) -> str:
    """``span`` without math delimiters, a leading ``Range:`` label, a trailing ``\\text{unit}`` or sizing
    commands (``\\left(`` is ``(``), and with a doubled backslash before a known command undone
    (``\\\\frac`` is a string-escaping accident, not a line break, outside a matrix)."""
    span = _DELIMITER.sub(" ", span.replace("−", "-")).strip()
    if "\\begin" not in span:
        span = _DOUBLED.sub(r"\\", span)
    span = _SIZING.sub("", span)
    if span.startswith("{") and span.endswith("}") and _balanced(span[1:-1]):
        span = span[1:-1]  # `{1,3}`: a LaTeX group (a set is `\{1,3\}`)
    return _UNIT_TEXT.sub("", _LABEL.sub("", span, count=1)).strip() or span


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


_DOUBLED = re.compile(r"\\\\(?=(?:left|right|frac|dfrac|tfrac|sqrt|pi|cdot|infty)(?![A-Za-z]))")
_SIZING = re.compile(r"\\(?:left|right|bigg?|Bigg?)(?![A-Za-z.])\s*")
_MEMBER = re.compile(r"^[A-Za-z]\s*\\in(?![A-Za-z])\s*")


_TEXT_ARGS = re.compile(r"\\[A-Za-z]+")  # commands are not words: drop their names before looking for prose


@lru_cache(maxsize=4096)
def _parse_cached(span: str) -> tuple[Any, ...]:
    """Gold answers repeat (G rollouts per prompt): cache their parse. Predictions are not cached."""
    return tuple(_parse(span))


def _parse(span: str) -> list[Any]:
    text = prepared(span)
    if text is None:
        return []
    parse, _ = _math_verify()
    try:
        return list(parse(text, parsing_timeout=None))
    except Exception:  # any parser failure means "no symbolic reading"
        return []


def _size(expr: Any) -> int:
    """Number of answers an expression stands for: ``{1, 2}`` and ``\\pm 2`` are two, ``x`` is one."""
    import sympy

    if isinstance(expr, (sympy.FiniteSet, tuple, list, set)):
        return len(expr)
    return 1


def _pure_number(expr: Any) -> Any | None:
    import sympy

    if isinstance(expr, sympy.Expr) and expr.is_number and not expr.free_symbols:
        try:
            value = complex(expr.evalf(30))
        except (TypeError, ValueError, OverflowError):
            return None
        return value
    return None


def symbolic_equal(prediction: str, gold: str) -> bool:
    """True when math-verify proves ``prediction`` equals ``gold``; False if unsure, unparseable or unbounded.

    >>> symbolic_equal("5\\\\sqrt{3}", "\\\\sqrt{75}")
    True
    >>> symbolic_equal("2021", "\\\\pm 2021")
    False
    """
    if len(prediction) > MAX_SYMBOLIC_CHARS or len(gold) > MAX_SYMBOLIC_CHARS:
        return False
    prediction, gold = _bare(prediction), _bare(gold)  # the probes, too, see the answer without its label
    if "\\in" not in gold:
        prediction = _MEMBER.sub("", prediction, count=1)  # `x \in [-2, 7]` states `[-2, 7]`
    stated = _NAMED.match(prediction)
    if stated and not _RELATION_SIGN.search(gold):  # `y = 3x` states `3x`
        prediction = stated.group(1)
    verdict = fast_symbolic(prediction, gold)  # bounded on its own (the safe evaluator's caps)
    if verdict is not None:
        return verdict
    if not within_bounds(prediction) or not within_bounds(gold):
        return False
    try:
        return _verified(prediction, gold)
    except _Overrun:
        return False


@lru_cache(maxsize=VERDICT_CACHE)
def _verified(prediction: str, gold: str) -> bool:
    """math-verify's verdict within the budget; a budget overrun is False and is not cached (may be load)."""
    _math_verify()
    try:
        return run_with_deadline(lambda: _equal(prediction, gold), DEADLINE_SECONDS)
    except DeadlineExceeded:
        _LOG.warning("math-verify ran out of its %.2f s CPU budget on %r vs %r: graded False",
                     DEADLINE_SECONDS, prediction[:80], gold[:80])
        raise _Overrun from None


class _Overrun(Exception):
    """The budget ran out: the verdict is False, but lru_cache must not remember it."""


def _equal(prediction: str, gold: str) -> bool:
    gold_parsed = _parse_cached(gold)
    pred_parsed = _parse(prediction)
    if not gold_parsed or not pred_parsed:
        return False
    if _size(pred_parsed[0]) < _size(gold_parsed[0]):
        return False  # a partial multi-answer (one root of two) is wrong; math-verify may accept the subset
    gold_value, pred_value = _pure_number(gold_parsed[0]), _pure_number(pred_parsed[0])
    if gold_value is not None and pred_value is not None:
        scale = max(abs(gold_value), abs(pred_value))
        return gold_value == pred_value or abs(gold_value - pred_value) <= 1e-9 * scale
    _, verify = _math_verify()
    try:
        return bool(verify(list(gold_parsed), pred_parsed, timeout_seconds=None))
    except Exception:  # a comparison math-verify cannot do is not a match
        return False
