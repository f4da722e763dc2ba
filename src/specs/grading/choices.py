"""Multiple choice (docs/grading.md, "Multiple choice").

A prediction picks an option by a letter in common dress (``C``, ``(C)``, ``C.``, ``Option C``,
``\\boxed{C}``, ``\\text{(C)}``, ``c``, ``**C**``, ``答案：C``) or by text naming exactly one option.
Everything else — hedges ("B or C"), out-of-range letters, a letter whose text names another option,
prose that merely starts with the article "A" — picks nothing. We never map an answer to the *nearest*
option: MathVista's scorer (edit distance) and MMMU's (random option) do, which rewards guessing.
"""

from __future__ import annotations

import re

from specs.grading.flips import flipped
from specs.grading.latex import canonical_latex, remove_noise, strip_math_delims, unbox, unwrap_text_commands
from specs.grading.numbers import close, normalize_numeric_text, parse_number
from specs.grading.probes import fast_symbolic
from specs.grading.statements import states_phrase

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_CHOICE_CHARS = 300

_DRESSED = re.compile(
    r"(?:(?:the\s+)?(?:option|choice|answer)\s*(?:is\s*)?[:：]?\s*|答案\s*(?:是|为)?\s*[:：]?\s*)?"
    r"[(\[（]?([A-Za-z])[)\]）]?\s*[.:：)）]?",
    re.IGNORECASE,
)
_LETTER_TEXT = re.compile(r"(?:[(\[]([A-Za-z])[)\]]\s*[.:：]?|([A-Za-z])\s*[.:：)])\s*(\S.*)", re.DOTALL)
_CHOICE_LINE = re.compile(r"^\s*[(\[]?([A-Z])[)\]]?\s*[:.)：]\s*(.*?)\s*$")
_UNIT_TAIL = re.compile(r"(?:degrees?|deg|units?)$")
_LETTER_TOKEN = re.compile(r"(?<![A-Za-z])\(?([A-Z])\)?(?![A-Za-z])")
_WORDS = re.compile(r"[^\W_]+")
_ARTICLE = re.compile(r"^(?:an?|the)\s+(?=\w)", re.IGNORECASE)
_MATHY = re.compile(r"[\^_\\]|\d\s*[a-z]|[a-z]\s*[-+*/]")
_QUOTES = {"``", "''", '""', "“”", "‘’", "「」"}
_NOT_WORDS = re.compile(r"[\d\\^_=+*/<>{}|−±×÷√π∞]|(?<![A-Za-z])-|-(?![A-Za-z])")
_PROSE_WORD = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{2,}")
DEFAULT_OPTIONS = 5  # options assumed when only the question text lists them (MathVerse: A–E at most)


def names_another_letter(text: str, letter: str, n_options: int = DEFAULT_OPTIONS) -> bool:
    """True when ``text`` mentions a second option letter: ``(A) and (B)``, ``A: or maybe C`` are hedges."""
    return any(
        m.group(1) != letter and LETTERS.index(m.group(1)) < n_options for m in _LETTER_TOKEN.finditer(text)
    )


def dress_off(text: str) -> str:
    """Remove presentation: math delimiters, ``\\boxed``/``\\text`` wrappers, markdown bold, outer spaces."""
    text = text.replace("**", "").strip()
    for _ in range(3):
        before = text
        text = unwrap_text_commands(unbox(strip_math_delims(text))).strip()
        if len(text) >= 2 and text[0] + text[-1] in _QUOTES:  # `B`, 'B', "B", “B” (option letters in quotes)
            text = text[1:-1].strip()
        if text == before:
            break
    return text


def letter_of(text: str) -> str | None:
    """The upper-case letter when the whole span is one letter in dress (``(c)``, ``Option C``), else None."""
    if len(text) > 40:
        return None
    match = _DRESSED.fullmatch(dress_off(text))
    return match.group(1).upper() if match else None


def letter_with_text(text: str) -> tuple[str, str] | None:
    """``C. 40°`` / ``(C) 40°`` / ``C: 40°`` → (``C``, ``40°``); needs a separator: "A triangle" is prose."""
    match = _LETTER_TEXT.fullmatch(dress_off(text)[:MAX_CHOICE_CHARS])
    if match is None:
        return None
    return (match.group(1) or match.group(2)).upper(), match.group(3).strip()


def _norm(text: str) -> str:
    text = canonical_latex(normalize_numeric_text(remove_noise(text))).lower()
    text = "".join(text.split()).rstrip(".")
    return _UNIT_TAIL.sub("", text) if len(text) > 1 and text[0].isdigit() else text


def match_option(text: str, choices: list[str]) -> int | None:
    """Index of the one option ``text`` names (normalised text, else equal value); None if none or several."""
    if not text or len(text) > MAX_CHOICE_CHARS:
        return None
    target = _norm(dress_off(text))
    if not target:
        return None
    bare = _norm(_ARTICLE.sub("", dress_off(text)))  # "a right triangle", "The mitochondria"
    for key in dict.fromkeys((target, bare)):
        exact = [i for i, option in enumerate(choices) if key and _norm(option) == key]
        if exact:
            return exact[0] if len(exact) == 1 else None
    number = parse_number(text)
    if number is None:
        return _part_of_one(text, choices)
    numeric = []
    for i, option in enumerate(choices):
        value = parse_number(option)
        if value is not None and value.percent == number.percent and close(value.value, number.value):
            numeric.append(i)
    numeric = [i for i in numeric if not flipped(text, choices[i])]  # "4 mm" is not the option "4 cm"
    return numeric[0] if len(numeric) == 1 else None


def names_a_letter(text: str) -> bool:
    """Whether the answer picks by letter (``C``, ``(C) 40°``): its text then must not pick another way."""
    return letter_of(text) is not None or letter_with_text(text) is not None


def stated_option(text: str, choices: list[str]) -> int | None:
    """The one word option a short, unhedged sentence names ("It moves to the right.").

    Only prose counts: the answer needs two words and the option must be words (no digits, no LaTeX), so a
    token inside an expression (``-2``, ``\\sqrt{2}``, ``2\\pi`` for the option ``2``) never names an
    option. Numeric options are named by value through :func:`match_option` on what a sentence states.
    """
    if not _is_prose(text):
        return None
    named = [i for i, option in enumerate(choices) if _is_words(option) and states_phrase(text, dress_off(option))]
    if len(named) == 1:
        return named[0]
    if named:  # "the larval phase" also names "phase": keep the longest if it contains the others
        longest = max(named, key=lambda i: len(choices[i]))
        if all(choices[i].lower() in choices[longest].lower() for i in named):
            return longest
    return None


def equivalent_option(text: str, choices: list[str]) -> int | None:
    """The one option a mathematical answer equals by the sympy-free probes (``1+x^2`` for ``x^2+1``)."""

    span = dress_off(text)
    if not _MATHY.search(span):
        return None
    equal = [i for i, option in enumerate(choices) if fast_symbolic(span, dress_off(option)) is True]
    return equal[0] if len(equal) == 1 else None


def _part_of_one(text: str, choices: list[str]) -> int | None:
    """The one option whose words contain the answer's words in a row ("mitochondria" for "The mitochondria").

    The answer must have a word of three or more letters and must not fit any other option; a leading article
    stays part of the answer ("a square" is not "square": "A" may be a letter).
    """
    words = _WORDS.findall(dress_off(text).lower())
    if not _is_words(text) or not any(len(word) >= 3 and word.isalpha() for word in words):
        return None
    n, hits = len(words), []
    for i, option in enumerate(choices):
        if not _is_words(option):  # `3\sqrt{2}` is not "part of" `\frac{3\sqrt{2}}{2}`
            continue
        option_words = _WORDS.findall(option.lower())
        if any(option_words[j : j + n] == words for j in range(len(option_words) - n + 1)):
            hits.append(i)
    return hits[0] if len(hits) == 1 else None


def _is_words(text: str) -> bool:
    """Plain words: no digit, no LaTeX, no operator — the only options a phrase can name."""
    return not _NOT_WORDS.search(dress_off(text))


def _is_prose(text: str) -> bool:
    """A sentence of words (two or more of two letters), not an expression."""
    return _is_words(text) and len(_PROSE_WORD.findall(text)) >= 2


def gold_option(gold: str, choices: list[str]) -> int | None:
    """Index of the gold option: its text (MathVista) or its letter (MMMU, MathVerse ``(C)``, MATH-Vision)."""
    index = match_option(gold, choices)
    if index is not None:
        return index
    letter = gold_letter(gold)
    if letter is not None and LETTERS.index(letter) < len(choices):
        return LETTERS.index(letter)
    return None


def gold_letter(gold: str) -> str | None:
    """An upper-case letter gold in dress (``C``, ``(C)``); lower-case golds are variables, not letters."""
    cleaned = dress_off(gold)
    match = _DRESSED.fullmatch(cleaned)
    return match.group(1) if match and match.group(1).isupper() else None


def picked_option(prediction: str, choices: list[str]) -> int | None:
    """Index of the option the prediction picks, or None (no pick, hedge, out of range, contradiction)."""
    letter = letter_of(prediction)
    if letter is not None:
        index = LETTERS.index(letter)
        return index if index < len(choices) else match_option(prediction, choices)
    paired = letter_with_text(prediction)
    if paired is not None:
        letter, text = paired
        index = LETTERS.index(letter)
        by_text = match_option(text, choices)
        if index >= len(choices):
            return None
        if by_text is not None:
            return index if by_text == index else None
        if names_another_letter(text, letter, len(choices)):
            return None
        # Text naming no option: explanatory ("C. because …") unless it is a number that contradicts C.
        stated, own = parse_number(text), parse_number(choices[index])
        if stated is not None and (own is None or not close(stated.value, own.value)):
            return None
        return index
    return match_option(prediction, choices)


def predicted_letter(prediction: str) -> str | None:
    """Letter picked when no options are known (choices inside the question text): dressed or ``C. text``."""
    letter = letter_of(prediction)
    if letter is not None:
        return letter
    paired = letter_with_text(prediction)
    if paired is None or names_another_letter(paired[1], paired[0]):
        return None
    return paired[0]


def choices_from_question(question: str) -> list[str] | None:
    """Options listed in a MathVerse-style question (``Choices:\\nA:40°\\nB:60°``), or None."""
    lines = question.splitlines()
    names = ("choices", "options")
    heads = (i for i, line in enumerate(lines) if line.strip().lower().rstrip(":：") in names)
    start = next(heads, None)
    if start is None:
        return None
    options: list[str] = []
    for line in lines[start + 1 :]:
        match = _CHOICE_LINE.match(line)
        if match is None or match.group(1) != LETTERS[len(options)]:
            break
        options.append(match.group(2))
    return options if len(options) >= 2 else None
