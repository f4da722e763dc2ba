"""A tiny, safe evaluator for closed-form numeric LaTeX: ``\\dfrac34``, ``4\\pi``, ``\\frac{\\sqrt3}{2}``.

Why not sympy or ``eval``: model output must never run as Python, and sympy can hang on ``10^{10^{10}}``.
This is a bounded recursive-descent parser: numbers, ``+ - * /``, ``^``, parentheses and braces, ``\\frac``,
``\\sqrt[n]``, ``\\pi``, implicit multiplication (``2\\sqrt3``). Anything else (letters, sets, functions)
is "not a closed form" and returns ``None``. Input length, nesting depth and exponents are capped, float
overflow is caught, so every call is microseconds.

Given ``variables`` (``{"x": Fraction(4, 7), "\\theta": …}``), single-letter variables (``x``, ``x_1``) and
Greek letters evaluate too, and ``exact=True`` computes with ``Fraction`` (no ``\\pi``/roots):
:mod:`specs.grading.symbolic` uses both to test polynomial/rational identities at fixed points before paying
for sympy.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

MAX_EVAL_CHARS = 200
MAX_DEPTH = 30
MAX_EXPONENT = 1000

Value = float | Fraction

_NUMBER = re.compile(r"\d+(?:\.\d*)?|\.\d+")
_SPACED_DIGITS = re.compile(r"(?<![_\d.])[\d.]+ +[\d.]")  # `2 3`, but not `\log_2 8`
GREEK = ("alpha", "beta", "gamma", "delta", "theta", "phi", "varphi", "lambda", "mu", "sigma", "omega", "rho")
VARIABLE = re.compile(r"[A-Za-z](?:_(?:\d|\{\w{1,4}\}))?|\\(?:" + "|".join(GREEK) + r")(?![A-Za-z])")
# Functions (probe mode only: with variables) become one private-use character each, so that removing spaces
# is safe (`\sin x` must not become `\sinx`).
_FUNCTION_NAMES = {"sin": "\ue000", "cos": "\ue001", "tan": "\ue002", "ln": "\ue003", "exp": "\ue004",
                   "log": "\ue005", "sec": "\ue006", "csc": "\ue007", "cot": "\ue008"}
_CALLS = {"sin": math.sin, "cos": math.cos, "tan": math.tan, "ln": math.log, "exp": math.exp, "log": math.log,
          "sec": lambda t: 1 / math.cos(t), "csc": lambda t: 1 / math.sin(t),
          "cot": lambda t: math.cos(t) / math.sin(t)}
_NO_DEGREES = {"\ue003", "\ue004", "\ue005"}  # ln, exp, log: no degree/radian ambiguity, fine in numbers too
FUNCTIONS = {_FUNCTION_NAMES[name]: call for name, call in _CALLS.items()}
_STARTS_FACTOR = "({\\π" + "".join(FUNCTIONS)
_REWRITES = (
    (re.compile(r"\\(sin|cos|tan|sec|csc|cot|ln|exp|log)(?![A-Za-z])"), lambda m: _FUNCTION_NAMES[m.group(1)]),
    (re.compile(r"\\[dtc]frac(?![A-Za-z])"), r"\\frac"),
    (re.compile(r"\\(?:cdot|times)(?![A-Za-z])|[×·∙]"), "*"),
    (re.compile(r"\\div(?![A-Za-z])|÷"), "/"),
    (re.compile(r"\\pi(?![A-Za-z])|\bpi\b"), "π"),
    (re.compile(r"√"), r"\\sqrt"),
    (re.compile(r"\\(?:left|right)(?![A-Za-z])|\\[!,;: ]|\s+"), ""),
    (re.compile(r"[−–]"), "-"),
    # A whole number right before a numeric fraction is a mixed number (`3\frac{1}{2}` = 7/2), as in MATH answers.
    (re.compile(r"(?<![\d.}^_])(\d+)\\frac\{(\d+)\}\{(\d+)\}"), r"(\1+\\frac{\2}{\3})"),
)
MAX_BINOMIAL = 1000


class _Fail(Exception):
    """Not a closed form we evaluate."""


class _Parser:
    def __init__(self, text: str, variables: dict[str, Value] | None = None, exact: bool = False) -> None:
        self.s = text
        self.i = 0
        self.depth = 0
        self.variables = variables
        self.exact = exact

    def number(self, literal: str) -> Value:
        return Fraction(literal) if self.exact else float(literal)

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def take(self, token: str) -> bool:
        if self.s.startswith(token, self.i):
            self.i += len(token)
            return True
        return False

    def expect(self, token: str) -> None:
        if not self.take(token):
            raise _Fail

    def expr(self) -> Value:
        value = self.term()
        while self.peek() in ("+", "-"):
            plus = self.s[self.i] == "+"
            self.i += 1
            value = value + self.term() if plus else value - self.term()
        return value

    def term(self) -> Value:
        value = self.unary()
        while True:
            char = self.peek()
            if char == "*":
                self.i += 1
                value *= self.unary()
            elif char == "/":
                self.i += 1
                value /= self.unary()
            elif char and (char in _STARTS_FACTOR or (self.variables is not None and char.isalpha())):
                value *= self.power()  # implicit product: 2\sqrt3, 4π, 2(3+1), 2x; never `2 3`
            else:
                return value

    def unary(self) -> Value:
        if self.take("-"):
            return -self.unary()
        if self.take("+"):
            return self.unary()
        return self.power()

    def power(self) -> Value:
        base = self.primary()
        if not self.take("^"):
            return base
        if self.peek() == "{":
            exponent = self.group()
        elif self.peek().isdigit():
            exponent = self.number(self.s[self.i])
            self.i += 1
        else:
            raise _Fail
        if self.peek() == "^" or abs(exponent) > MAX_EXPONENT:
            raise _Fail  # towers and huge powers are not "a number" we check numerically
        if self.exact:
            if exponent.denominator != 1:
                raise _Fail
            return base ** int(exponent)
        if base < 0 and not float(exponent).is_integer():
            raise _Fail
        return float(base**exponent)

    def group(self) -> Value:
        opener = self.peek()
        closer = {"{": "}", "(": ")"}.get(opener)
        if closer is None:
            raise _Fail
        self.i += 1
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Fail
        value = self.expr()
        self.expect(closer)
        self.depth -= 1
        return value

    def argument(self) -> Value:
        """A LaTeX macro argument: ``{…}``, or one digit (``\\frac34``), or one command (``\\frac\\pi2``)."""
        char = self.peek()
        if char == "{":
            return self.group()
        if char.isdigit():
            self.i += 1
            return self.number(char)
        if char in ("\\", "π") or (self.variables is not None and char.isalpha()):
            return self.primary()
        raise _Fail

    def function(self, name: str) -> Value:
        """``\\sin x``, ``\\sin(2x)``, ``\\sin^2 x``, ``\\sin 2x`` (= sin(2x)), ``\\log_2 8``.

        Trigonometry only with variables (probe mode): a bare ``\\sin 30`` may mean degrees. Logarithms need an
        explicit base (``\\log_{10}``, ``\\log_2``) or are ``\\ln``. An unbraced argument is the run of numbers
        and variables that follows, as math-verify reads it: ``\\sin 2x\\cos x`` is sin(2x)·cos(x), ``\\sin x^2`` is
        sin(x²).
        """
        if self.exact or (self.variables is None and name not in _NO_DEGREES):
            raise _Fail  # transcendental: float probes only, never the closed-form number path (degrees!)
        base: Value | None = None
        if name == _FUNCTION_NAMES["log"]:
            if not self.take("_"):
                raise _Fail  # `\log x`: natural or decimal? Not ours to decide.
            base = self.argument()
            if base <= 0 or base == 1:
                raise _Fail
        power: Value | None = None
        if self.take("^"):
            if not self.peek().isdigit():
                raise _Fail
            power = self.number(self.s[self.i])
            self.i += 1
        if self.peek() in ("(", "{"):
            argument = self.group()
        else:
            argument, found = self.number("1"), False
            while True:
                token = (VARIABLE.match(self.s, self.i) if self.variables is not None else None) or \
                    _NUMBER.match(self.s, self.i)
                if token is None:
                    break
                self.i, found = token.end(), True
                if token.re is VARIABLE:
                    if token.group(0) not in self.variables:
                        raise _Fail
                    factor = self.variables[token.group(0)]
                else:
                    factor = self.number(token.group(0))
                if self.take("^"):  # `\sin x^2` is sin(x²), as math-verify reads it
                    exponent = self.group() if self.peek() == "{" else self.argument()
                    if abs(exponent) > MAX_EXPONENT:
                        raise _Fail
                    factor = factor**exponent
                argument *= factor
            if not found:
                raise _Fail
        if argument <= 0 and name in (_FUNCTION_NAMES["ln"], _FUNCTION_NAMES["log"]):
            raise _Fail
        value = FUNCTIONS[name](argument)
        if base is not None:
            value /= math.log(base)
        return value**power if power is not None else value

    def primary(self) -> Value:
        char = self.peek()
        if char in ("{", "("):
            return self.group()
        if char in FUNCTIONS:
            self.i += 1
            return self.function(char)
        if char == "π":
            if self.exact:
                raise _Fail
            self.i += 1
            return math.pi
        if self.take("\\frac"):
            numerator = self.argument()
            return numerator / self.argument()
        if self.take("\\binom"):
            n, k = self.argument(), self.argument()
            if n != int(n) or k != int(k) or not 0 <= k <= n <= MAX_BINOMIAL:
                raise _Fail
            return self.number(str(math.comb(int(n), int(k))))
        if self.take("\\sqrt"):
            if self.exact:
                raise _Fail
            index = 2.0
            if self.take("["):
                index = self.expr()
                self.expect("]")
            radicand = self.argument()
            if radicand < 0 or index <= 0:
                raise _Fail
            return radicand ** (1.0 / index)
        if self.variables is not None:
            variable = VARIABLE.match(self.s, self.i)
            if variable is not None:
                self.i = variable.end()
                if variable.group(0) not in self.variables:
                    raise _Fail
                return self.variables[variable.group(0)]
        match = _NUMBER.match(self.s, self.i)
        if match is None:
            raise _Fail
        self.i = match.end()
        return self.number(match.group(0))


def prepare(text: str) -> str:
    """Canonical spelling: ``\\dfrac``→``\\frac``, ``\\cdot``→``*``, ``\\pi``→``π``, no spaces."""
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    return text


def evaluate(text: str, variables: dict[str, Value] | None = None, exact: bool = False) -> Value | None:
    """Value of a closed-form numeric expression, or ``None`` when it is not one (or is too big to check).

    A float, or with ``exact=True`` a ``Fraction`` (then ``\\pi`` and roots are "not exact": ``None``).

    >>> evaluate("\\\\dfrac34")
    0.75
    >>> round(evaluate("4\\\\pi"), 4)
    12.5664
    >>> evaluate("10^{10^{10}}") is None
    True
    >>> evaluate("x^2 - 1", {"x": Fraction(1, 2)}, exact=True)
    Fraction(-3, 4)
    """
    if not text or len(text) > MAX_EVAL_CHARS or _SPACED_DIGITS.search(text):
        return None  # `2 3` is not 6, `1 000` is handled (as 1000) by the number reader
    source = prepare(text)
    if not source:
        return None
    parser = _Parser(source, variables, exact)
    try:
        value = parser.expr()
        if parser.i != len(source):
            return None
    except (_Fail, OverflowError, ZeroDivisionError, ValueError, RecursionError):
        return None
    if exact:
        return value if isinstance(value, Fraction) else None
    if isinstance(value, complex) or not math.isfinite(value):
        return None
    return float(value)


def is_closed_form(text: str) -> bool:
    """True when ``text`` evaluates but is not a bare decimal literal (``4\\pi``, ``3/4``, ``\\sqrt2``)."""
    source = prepare(text)
    return evaluate(text) is not None and _NUMBER.fullmatch(source.lstrip("+-")) is None
