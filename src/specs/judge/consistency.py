"""The judge as a chosen-side consistency filter (``distill.consistency: judge``), beside the rule one.

Why here: :mod:`specs.pairs` is pure Python (its rule filter, :func:`specs.pairs.consistency.conclusion_agrees`);
asking an endpoint is the judge's business, so the filter that does lives with the client.
"""

from __future__ import annotations

from collections.abc import Sequence

from specs.judge.client import JudgeClient
from specs.judge.config import JudgeConfig
from specs.judge.prompts import CONSISTENCY_PROMPT, yes_no


class JudgeFilter:
    """Ask the judge whether a response's reasoning supports its answer (:data:`CONSISTENCY_PROMPT`, yes or no).

    Off by default (a request per chosen candidate); see :mod:`specs.judge` for the endpoint, key, retries and
    cache. ``prefetch(texts)`` asks for many at once (concurrently, and from the main process alone under a
    multi-process run: every rank must call it); calling the filter on a prefetched text then costs nothing.
    """

    def __init__(self, judge: JudgeClient | JudgeConfig):
        self.client = judge if isinstance(judge, JudgeClient) else JudgeClient(judge)
        self._verdicts: dict[str, bool] = {}

    def __repr__(self) -> str:
        return f"JudgeFilter({self.client!r})"

    def prefetch(self, texts: Sequence[str]) -> None:
        """Ask about every text not asked yet, as one batch (:meth:`JudgeClient.ask_many`)."""
        todo = [t for t in dict.fromkeys(texts) if t not in self._verdicts]
        replies = self.client.ask_many([CONSISTENCY_PROMPT.format(response=t) for t in todo])
        for text, reply in zip(todo, replies, strict=True):
            self._verdicts[text] = self._verdict(reply)

    def __call__(self, text: str) -> bool:
        """True for a "yes", False for a "no"; ``JudgeError`` for anything else."""
        if text not in self._verdicts:
            self._verdicts[text] = self._verdict(self.client.ask(CONSISTENCY_PROMPT.format(response=text)))
        return self._verdicts[text]

    def _verdict(self, reply: str) -> bool:
        verdict = yes_no(reply)
        if verdict is None:
            raise self.client.error(f"replied neither yes nor no: {reply[:100]!r}; use a judge.model that follows "
                                    "the instruction, or consistency: rule")
        return verdict
