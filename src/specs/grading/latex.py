"""Small, linear-time LaTeX surgery shared by extraction and comparison.

Everything here is string manipulation with explicit bounds — no regex with nested quantifiers, no recursion —
so adversarial model output (megabytes, 10,000 nested braces) costs at most one pass.
"""

from __future__ import annotations

import re

# `\text{…}`-like wrappers whose content is kept as plain text.
TEXT_COMMANDS = (
    "text", "textnormal", "textbf", "textit", "textrm", "textsf", "texttt", "mathrm", "mathbf", "mathit", "mathsf",
    "mathtt", "mbox", "hbox", "operatorname",
)
_TEXT_CMD = re.compile(r"\\(?:" + "|".join(TEXT_COMMANDS) + r")\s*\{")
# Spacing and sizing commands that carry no meaning for a final answer.
_NOISE = re.compile(r"\\(?:left|right|[bB]igg?[lr]?|displaystyle|textstyle)(?![A-Za-z])|\\[!,;: ]")
_MATH_DELIMS = (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]"))
# Control characters left when a JSON/Python loader decoded the `\f`, `\b`, `\a`, `\v` of a LaTeX command.
_DECODED_ESCAPES = {"\x0c": "\\f", "\x08": "\\b", "\x07": "\\a", "\x0b": "\\v"}
_DECODED_TAB = re.compile(r"\t(?=imes|heta|ext|an\b|frac)")


def match_brace(text: str, open_index: int, max_depth: int = 10_000) -> int | None:
    """Index of the ``}`` closing the ``{`` at ``open_index``; ``None`` if unbalanced or nested too deep."""
    depth = 0
    for i in range(open_index, len(text)):
        char = text[i]
        if char == "{":
            depth += 1
            if depth > max_depth:
                return None
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i
    return None


def brace_depth(text: str) -> int:
    """Maximum nesting depth of ``{([`` brackets (mismatches ignored): a cheap proxy for parser cost."""
    depth = best = 0
    for char in text:
        if char in "{([":
            depth += 1
            best = max(best, depth)
        elif char in "})]" and depth:
            depth -= 1
    return best


def unwrap_text_commands(text: str) -> str:
    """``\\text{12 cm}`` → ``12 cm`` (and ``\\mathrm``, ``\\textbf``, …); unbalanced wrappers are dropped."""
    for _ in range(50):  # bounded: each round removes one wrapper
        match = _TEXT_CMD.search(text)
        if match is None:
            return text
        close = match_brace(text, match.end() - 1)
        if close is None:
            return text[: match.start()] + text[match.end() :]
        text = text[: match.start()] + text[match.end() : close] + text[close + 1 :]
    return text


def strip_math_delims(text: str) -> str:
    """Remove one or more enclosing ``$…$``, ``$$…$$``, ``\\(…\\)``, ``\\[…\\]`` pairs (and stray ``$``)."""
    text = text.replace("\\$", "$").strip()  # an escaped dollar is currency: dropped like the delimiters
    changed = True
    while changed:
        changed = False
        for left, right in _MATH_DELIMS:
            if len(text) >= len(left) + len(right) and text.startswith(left) and text.endswith(right):
                text = text[len(left) : len(text) - len(right)].strip()
                changed = True
                break
    return text.replace("$", "").strip() if "$" in text else text


def remove_noise(text: str) -> str:
    """Drop ``\\left``/``\\right``, ``\\displaystyle`` and spacing commands (``\\!``, ``\\,``, ``\\;``)."""
    return _NOISE.sub(lambda m: " " if m.group(0) in ("\\,", "\\;", "\\:", "\\ ") else "", text)


_SHORTHAND = (
    # One spelling of a matrix: pmatrix = bmatrix = an array in \left[ \right] or \left( \right) (not vmatrix:
    # that is a determinant).
    (re.compile(r"(?:\\left)?\s*[\[(]\s*\\begin\{array\}\{[lcr|\s]*\}"), r"\\begin{pmatrix}"),
    (re.compile(r"\\end\{array\}\s*(?:\\right)?\s*[\])]"), r"\\end{pmatrix}"),
    (re.compile(r"\\(begin|end)\{bmatrix\}"), r"\\\1{pmatrix}"),
    (re.compile(r"\\[dt]frac(?![A-Za-z])"), r"\\frac"),
    (re.compile(r"\\(frac|sqrt)\s*(\d)\s*(\d)?"), lambda m: f"\\{m.group(1)}{{{m.group(2)}}}"
     + (f"{{{m.group(3)}}}" if m.group(3) else "")),
    (re.compile(r"([\^_])\s*\{\s*([^{}\s])\s*\}"), r"\1\2"),
    (re.compile(r"\\(?:cdot|times)(?![A-Za-z])"), "*"),
)


def canonical_latex(text: str) -> str:
    r"""One spelling for LaTeX that means the same: ``\dfrac34`` → ``\frac{3}{4}``, ``x^{2}`` → ``x^2``.

    >>> canonical_latex("\\dfrac34 + x^{2} \\cdot y")
    '\\frac{3}{4} + x^2 * y'
    """
    if "\\" not in text and "{" not in text:
        return text
    for pattern, replacement in _SHORTHAND:
        text = pattern.sub(replacement, text)
    return text


def unbox(text: str) -> str:
    """``\\boxed{X}`` / ``\\fbox{X}`` wrapping the whole string → ``X`` (repeatedly)."""
    for _ in range(10):
        stripped = text.strip()
        for command in ("\\boxed", "\\fbox"):
            if stripped.startswith(command):
                rest = stripped[len(command) :].lstrip()
                if rest.startswith("{") and match_brace(rest, 0) == len(rest) - 1:
                    text = rest[1:-1]
                    break
        else:
            return stripped
    return text.strip()


def fix_decoded_escapes(text: str) -> str:
    """Undo a loader decoding ``\\frac`` as form feed + ``rac`` (MATH-Vision gold ``"\\x0crac{36}{13}"``)."""
    for char, escape in _DECODED_ESCAPES.items():
        if char in text:
            text = text.replace(char, escape)
    return _DECODED_TAB.sub(r"\\t", text) if "\t" in text else text


def clean_gold(ground_truth: str | int | float) -> str:
    """Benchmark gold → plain answer: decoded escapes fixed, ``$…$`` and ``\\boxed{}`` removed, stripped."""
    text = str(ground_truth)
    text = fix_decoded_escapes(text).strip()
    for _ in range(3):
        before = text
        text = unbox(strip_math_delims(text))
        if text == before:
            break
    return text
