"""Where the final answer is (docs/grading.md, "Where the final answer is").

1. If ``</think>`` occurs, only the text after the last one counts; an unclosed ``<think>`` is wrong.
2. There: the ``<answer>…</answer>`` content; disagreeing blocks are a contradiction (wrong).
3. Else the last ``\\boxed{…}``; else the last "the answer is / Answer:" statement; else a short remainder.
4. Inside an answer block, peel the same way (``The answer is $\\boxed{12}$`` → ``12``).

All scans are linear (``str.find``/``rfind`` plus simple regexes), so megabyte responses stay cheap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from specs.grading.latex import fix_decoded_escapes, match_brace, strip_math_delims

SHORT_REMAINDER = 80  # a tag-less, box-less response this short (after stripping) is taken as the answer
MAX_BOXED_TRIES = 3  # unbalanced `\boxed{` candidates tried from the end before giving up (keeps it linear)

# "final answer is", "the answer (to the question) is:", "Answer:", "correct option is", "答案：", "**Answer:**".
_STATEMENT = re.compile(
    r"\banswer\b(?:\s+to\s+(?:the|this)\s+(?:question|problem))?\s*(?:\*{1,2}\s*)?(?:is\b|[:：]|(?=\\\[|\\\(|\$))|\b(?:option|choice)\s+is\b|答案\s*(?:是|为)?\s*[:：]?",
    re.IGNORECASE,
)
# Doubt voiced after the statement ("The answer is 6. Hmm, or maybe 5? Not sure.") takes the statement back.
_DOUBT = re.compile(r"\bor\s+(?:maybe|perhaps|possibly)\b|\bnot\s+(?:sure|certain)\b|\bunsure\b", re.IGNORECASE)
# "Therefore $x \\geq 5$ is the solution." / "$\\boxed{14{,}916}$ is our answer." (MATH solutions say it so).
_CLAIMED = re.compile(
    r"(?:^|[.!?:;\n]\s*)(?:(?:therefore|thus|so|hence|we find that|finally)\s*,?\s*)?"
    r"([^.!?\n]{1,160}?)\s+is\s+(?:the|our)\s+(?:final\s+)?(?:answer|solution)s?\s*[.!]?\s*$",
    re.IGNORECASE,
)
_CLAIM_HEDGE = re.compile(r"\b(?:not|or|maybe|perhaps|possibly|probably|might|could|wrong|incorrect)\b|n't", re.I)
_DISPLAY = {"\\[": "\\]", "\\(": "\\)", "$$": "$$", "$": "$"}
_SENTENCE_END = re.compile(r"\.(?:\s|$)|。")  # "12. Done" ends at 12; "3.5" does not end
_ANSWER_TAG = re.compile(r"<\s*/?\s*answer", re.IGNORECASE)
_ANY_TAG = re.compile(r"</?\s*(?:think|answer)\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class Extraction:
    """The located answer span (``None`` when there is none) and how it was found, or why not."""

    answer: str | None
    source: str  # answer_block | boxed | statement | remainder | none


def final_region(response: str) -> str | None:
    """Text after the last ``</think>``; ``None`` when a ``<think>`` is left unclosed."""
    lower = response.lower()
    close = lower.rfind("</think>")
    if close == -1:
        return None if "<think>" in lower else response
    region = response[close + len("</think>") :]
    return None if "<think>" in region.lower() else region


def answer_blocks(region: str) -> tuple[list[str], bool]:
    """Contents of every closed ``<answer>…</answer>`` block, and whether an unclosed ``<answer>`` trails."""
    lower = region.lower()
    blocks: list[str] = []
    start = lower.find("<answer>")
    while start != -1:
        end = lower.find("</answer>", start + len("<answer>"))
        if end == -1:
            return blocks, True
        # A nested `<answer>` inside the block starts a new block: keep the innermost content.
        inner = lower.rfind("<answer>", start, end)
        blocks.append(region[inner + len("<answer>") : end])
        start = lower.find("<answer>", end + len("</answer>"))
    return blocks, False


def last_boxed(text: str) -> str | None:
    """Content of the last brace-balanced ``\\boxed{…}`` / ``\\fbox{…}`` (nested braces allowed)."""
    end = len(text)
    for _ in range(MAX_BOXED_TRIES):
        box, fbox = text.rfind("\\boxed", 0, end), text.rfind("\\fbox", 0, end)
        start = max(box, fbox)
        if start == -1:
            return None
        i = start + (len("\\boxed") if start == box else len("\\fbox"))
        while i < len(text) and text[i] == " ":
            i += 1
        if i < len(text) and text[i] == "{":
            close = match_brace(text, i)
            if close is not None:
                return text[i + 1 : close]
        elif i < len(text) and start == box and text[i - 1] == " ":  # `\boxed 5`
            token = text[i:].split(None, 1)
            if token:
                return token[0].rstrip(".$")
        end = start
    return None


def last_statement(text: str) -> str | None:
    """What follows the last "the answer is / Answer:" up to the end of its sentence (or the next line)."""
    match = None
    for match in _STATEMENT.finditer(text):  # noqa: B007 — we want the last one
        pass
    if match is None or _DOUBT.search(text, match.end()):
        return None
    rest = text[match.end() :].lstrip(" \t*:：")
    for left, right in _DISPLAY.items():  # "Answer \\[ 9 \\]": the delimited block, across lines for display
        if rest.startswith(left):
            end = rest.find(right, len(left))
            inner = rest[len(left) : end] if end != -1 else ""
            after_block = rest[end + len(right) :].partition("\n")[0] if end != -1 else ""
            alone = not after_block.strip(" .,;!*$")  # "Answer \\( 9 \\) or \\( 10 \\)" is read as a sentence
            if inner.strip() and alone and (left in ("\\[", "$$") or "\n" not in inner):
                return inner.strip()
            break
    line, _, after = rest.partition("\n")
    if not line.strip():  # "The final answer is:\n$$12$$"
        line = next((candidate for candidate in after.split("\n", 5)[:5] if candidate.strip()), "")
    stop = _SENTENCE_END.search(line)
    if stop is not None:
        line = line[: stop.start()]
    line = line.strip().strip("*").strip()
    return line or None


def claimed(text: str) -> str | None:
    """``X`` of a closing "X is the solution / X is our answer" sentence, unless it hedges or negates."""
    match = _CLAIMED.search(text.rstrip()[-400:])
    if match is None or _CLAIM_HEDGE.search(match.group(1)):
        return None
    return match.group(1).strip() or None


def tidy(span: str) -> str:
    """Strip math delimiters, markdown bold and a trailing full stop from an extracted span."""
    span = span.strip().strip("*").strip()
    span = strip_math_delims(span)
    span = span.strip().strip("*").strip()
    while span.endswith((".", "。")) and not span.endswith(".."):
        span = span[:-1].rstrip()
    return span


def peel(text: str, whole_if_long: bool = True) -> tuple[str | None, str]:
    """Last boxed → last statement → the text as a whole (only when short unless ``whole_if_long``)."""
    boxed = last_boxed(text)
    if boxed is not None:
        inner = last_boxed(boxed)  # `\boxed{\boxed{12}}`
        return tidy(inner if inner is not None else boxed) or None, "boxed"
    statement = last_statement(text)
    if statement is None:
        statement = claimed(text)
    if statement is not None:
        inner = last_boxed(statement)
        return tidy(inner if inner is not None else statement) or None, "statement"
    remainder = _ANY_TAG.sub(" ", text).strip()
    if not remainder or (not whole_if_long and len(remainder) > SHORT_REMAINDER):
        return None, "none"
    return tidy(remainder) or None, "remainder"


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and "".join(a.split()) == "".join(b.split())


def extract_answer(response: str, *, strict: bool = True) -> Extraction:
    """Locate the final answer of ``response`` following docs/grading.md.

    ``strict`` (the default, and the one meaning of "correct": reward, eval, distill, ``specs grade``): if the
    response contains an ``<answer>`` tag anywhere, the answer is read only from closed ``<answer>`` blocks
    after the last ``</think>``, never from a boxed value. ``strict=False`` (opt-in, ``specs grade --lenient``)
    also reads a truncated ``<answer>`` block to the end and a boxed value beside broken tags.

    >>> extract_answer("<think>2+2</think><answer>The answer is $\\\\boxed{4}$</answer>").answer
    '4'
    >>> extract_answer("<think>it is 4").answer is None
    True
    """
    region = final_region(fix_decoded_escapes(response))  # `\x0crac`: before a strip eats the form feed
    if region is None:
        return Extraction(None, "none")
    blocks, unclosed = answer_blocks(region)
    if blocks:
        peeled = [peel(block)[0] for block in blocks]
        first = peeled[0]
        if first is None or not all(_same(first, other) for other in peeled[1:]):
            return Extraction(None, "none")  # empty or contradicting answer blocks
        return Extraction(first, "answer_block")
    if strict and _ANSWER_TAG.search(response):
        return Extraction(None, "none")  # tagged, but no closed block after the think block
    if unclosed:  # lenient only: a truncated `<answer>` block runs to the end
        tail = region[region.lower().rfind("<answer>") + len("<answer>") :]
        answer, _ = peel(tail)
        return Extraction(answer, "answer_block" if answer is not None else "none")
    answer, source = peel(region, whole_if_long=False)
    return Extraction(answer, source)
