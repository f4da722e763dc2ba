"""Chosen-side consistency filters: does the reasoning actually conclude what the answer block says?

Why: a self-distilled chosen response is kept because its *answer* grades correct, but sampling at temperature
makes some of them right by luck — the think block computes 14 and the answer says 12. Training the cold start
to prefer such a response teaches it that reasoning and answer need not agree. The paper's ablation "no chosen
filter" loses ~2 points after RL (arXiv 2510.25801), so the filter is on by default.

Two filters, both ``Callable[[str], bool]`` for ``build_pair(consistency=...)``:

- :func:`conclusion_agrees` (default, free, rule based): the think block's last sentence mentions the answer;
- :class:`JudgeFilter` (optional, off by default): asks an OpenAI-compatible chat endpoint.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from typing import Any

from specs.grading.formatcheck import ANSWER_CLOSE, ANSWER_OPEN, THINK_CLOSE, THINK_OPEN, format_ok

GradeFn = Callable[[str, str, Sequence[str] | None], Any]

_SENTENCE_BREAK = re.compile(r"(?<=[.!?。！？])\s+|\n+")
_BOXED = re.compile(r"\\boxed\s*\{")
_MARKER = re.compile(r"\b(?:is|are|be|equals|gives|get|got)\b|[=:,→⇒]")
_LEAD = re.compile(r"^(?:\*\*)?(?:the\s+)?(?:final\s+)?answer\s*(?:is|:)\s*(?:\*\*)?\s*", re.IGNORECASE)


def think_and_answer(text: str) -> tuple[str, str] | None:
    """The stripped contents of the think and answer blocks of a well-formed response, else ``None``.

    >>> think_and_answer("<think>2+2=4</think>\\n<answer> 4 </answer>")
    ('2+2=4', '4')
    >>> think_and_answer("2+2=4. Answer: 4") is None
    True
    """
    if not format_ok(text):
        return None
    think = text[text.index(THINK_OPEN) + len(THINK_OPEN) : text.index(THINK_CLOSE)]
    answer = text[text.index(ANSWER_OPEN) + len(ANSWER_OPEN) : text.index(ANSWER_CLOSE)]
    return think.strip(), answer.strip()


def last_sentence(think: str) -> str:
    """The last non-empty sentence (or line) of a think block.

    >>> last_sentence("Count the circles: 1, 2, 3.\\nSo there are 3 circles. ")
    'So there are 3 circles.'
    """
    parts = [p.strip() for p in _SENTENCE_BREAK.split(think) if p.strip()]
    return parts[-1] if parts else ""


def answer_core(answer: str) -> str:
    """The answer without its dress: the last ``\\boxed{…}``'s content, else the text after "The answer is".

    >>> answer_core("The answer is $\\\\boxed{12}$")
    '12'
    >>> answer_core("Answer: (B).")
    '(B)'
    """
    opens = list(_BOXED.finditer(answer))
    if opens:
        depth, start = 1, opens[-1].end()
        for i in range(start, len(answer)):
            depth += {"{": 1, "}": -1}.get(answer[i], 0)
            if depth == 0:
                return answer[start:i].strip()
    core = _LEAD.sub("", answer.strip())
    return core.strip().strip("$*").strip().rstrip(".").strip()


def _mentions(sentence: str, core: str) -> bool:
    """Whether ``core`` occurs in ``sentence`` as a whole token (not inside a word or a longer number)."""
    if len(core) == 1 and core.isalpha():
        # A choice letter; the article "a"/"A" in prose must not count, so ask for the letter in option dress.
        upper, either = re.escape(core.upper()), f"[{re.escape(core.upper())}{re.escape(core.lower())}]"
        lead = r"\b(?i:option|choice|answer\s+is|is)\s*:?\s*"
        dressed = rf"\({either}\)|(?<!\w){either}(?=[).:]|\s*$)|{lead}{upper}(?!\w)"
        return re.search(dressed, sentence) is not None
    before = r"(?<!\w)(?<!\d[.,])" + (r"(?<![-−])" if core[:1].isdigit() else "")
    pattern = before + re.escape(core) + r"(?!\w)(?![.,]\d)"
    return re.search(pattern, sentence, re.IGNORECASE) is not None


def conclusion_tail(sentence: str) -> str:
    """What a sentence concludes: the text after its last "is", "=", ":", "," (graders extract whole sentences).

    >>> conclusion_tail("Therefore the angle is 60°.")
    '60°'
    >>> conclusion_tail("No marker here")
    ''
    """
    markers = list(_MARKER.finditer(sentence))
    if not markers:
        return ""
    return sentence[markers[-1].end() :].strip().rstrip(".!。").strip()


def _default_grade(response: str, gold: str, choices: Sequence[str] | None) -> Any:
    from specs.grading import grade  # lazy: the grader is heavier (math-verify) and optional for this module

    return grade(response, gold, choices=list(choices) if choices is not None else None)


def conclusion_agrees(text: str, *, choices: Sequence[str] | None = None, grade_fn: GradeFn | None = None) -> bool:
    """True iff the think block's last sentence agrees with the answer block.

    Agreement: the answer's core (see :func:`answer_core`) appears in that sentence as a whole token, or
    ``grade_fn(last_sentence, core, choices)`` grades the sentence correct against the core, or the same for the
    sentence's :func:`conclusion_tail` (this catches ``60°`` vs the letter ``B``, ``0.5`` vs ``1/2``).
    ``grade_fn`` may return a bool or an object with ``.correct``; it defaults to ``specs.grading.grade``.
    Responses that are not well formed never agree.
    Per-example choices: ``functools.partial(conclusion_agrees, choices=example.choices)``.
    """
    parts = think_and_answer(text)
    if parts is None:
        return False
    think, answer = parts
    sentence, core = last_sentence(think), answer_core(answer)
    if not sentence or not core:
        return False
    if _mentions(sentence, core) or (core != answer and _mentions(sentence, answer)):
        return True
    grade = grade_fn or _default_grade
    for attempt in dict.fromkeys([sentence, conclusion_tail(sentence)]):
        if attempt:
            result = grade(attempt, core, choices)
            if result if isinstance(result, bool) else result.correct:
                return True
    return False


class JudgeError(RuntimeError):
    """The judge endpoint could not be reached or gave an unusable reply."""


JUDGE_PROMPT = (
    "Below is a model's response: its reasoning inside <think>…</think>, its final answer inside "
    "<answer>…</answer>. Does the reasoning support the final answer (does it conclude the same answer)? "
    "Do not judge whether the answer is correct. Reply with exactly one word: yes or no.\n\n{response}"
)
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


class JudgeFilter:
    """Ask an OpenAI-compatible ``/v1/chat/completions`` endpoint whether the reasoning supports the answer.

    Off by default (costs a request per chosen candidate). stdlib only. The API key is read from the environment
    variable ``api_key_env`` at call time (omitted when unset, e.g. for a local vLLM server) and never logged.
    ``base_url`` may end with or without ``/v1``. Loopback endpoints bypass any configured HTTP proxy.
    """

    def __init__(self, base_url: str, model: str, api_key_env: str = "OPENAI_API_KEY", timeout: float = 30):
        root = base_url.rstrip("/")
        self.url = root + ("/chat/completions" if root.endswith("/v1") else "/v1/chat/completions")
        self.model, self.api_key_env, self.timeout = model, api_key_env, timeout
        host = urllib.parse.urlsplit(self.url).hostname or ""
        handlers = [urllib.request.ProxyHandler({})] if host in _LOOPBACK else []
        self._opener = urllib.request.build_opener(*handlers)

    def __repr__(self) -> str:
        return f"JudgeFilter(url={self.url!r}, model={self.model!r}, timeout={self.timeout})"

    def ask(self, text: str) -> str:
        """The judge's raw reply to :data:`JUDGE_PROMPT` about ``text``."""
        body = {
            "model": self.model,
            "messages": [{"role": "user", "content": JUDGE_PROMPT.format(response=text)}],
            "temperature": 0,
            "max_tokens": 8,
        }
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        request = urllib.request.Request(self.url, json.dumps(body).encode(), headers, method="POST")
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                payload = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            detail = exc.read(300).decode("utf-8", "replace")
            raise JudgeError(f"judge at {self.url} answered HTTP {exc.code}: {detail}") from None
        except TimeoutError:
            raise JudgeError(f"judge at {self.url} timed out after {self.timeout}s") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError):
                raise JudgeError(f"judge at {self.url} timed out after {self.timeout}s") from None
            raise JudgeError(f"judge at {self.url} unreachable: {reason}") from None
        except (OSError, ValueError) as exc:
            raise JudgeError(f"judge at {self.url} failed: {exc}") from None
        try:
            return str(payload["choices"][0]["message"]["content"])
        except (KeyError, IndexError, TypeError):
            raise JudgeError(f"judge at {self.url} sent no choices[0].message.content: {str(payload)[:200]}") from None

    def __call__(self, text: str) -> bool:
        """True for a "yes", False for a "no"; ``JudgeError`` for anything else."""
        reply = self.ask(text)
        words = re.findall(r"[a-z]+", reply.lower())
        if words and words[0] in ("yes", "no"):
            return words[0] == "yes"
        raise JudgeError(f"judge at {self.url} replied neither yes nor no: {reply[:100]!r}")
