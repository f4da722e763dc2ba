"""One judge client for any OpenAI-compatible chat endpoint, on the ``openai`` package.

Why the openai client: its timeouts and retries (exponential backoff with jitter, ``Retry-After`` honoured) are
the ones OpenAI-compatible servers are built against. On top we add what a training run needs: a disk cache
(a rerun or a resumed run asks nothing twice), a bounded thread pool for batches, one error type whose message
is one line naming the endpoint and the fix, and — under ``accelerate launch`` — a single asking process, since
every rank asking would multiply the cost and the load.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from specs.data.jsonl import write_json_atomic
from specs.errors import ConfigError
from specs.judge.config import JudgeConfig

TEMPERATURE = 0.0  # a judge is a function of its prompt: greedy, so cached replies are the replies
DUMMY_KEY = "EMPTY"  # a local server started without --api-key accepts any key; the openai client wants one
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


class JudgeError(ConfigError):
    """The judge endpoint could not be reached or gave an unusable reply: one line, naming the endpoint and the fix.

    A ``ConfigError``, so the command line prints it as one line (the fix is almost always in the ``judge:``
    block or the server)."""


def api_root(base_url: str) -> str:
    """The API root requests go under: a bare ``host:port`` gets vLLM's and OpenAI's ``/v1``; a path is kept.

    >>> api_root("http://localhost:8000"), api_root("http://localhost:8000/v1/")
    ('http://localhost:8000/v1', 'http://localhost:8000/v1')
    >>> api_root("https://generativelanguage.googleapis.com/v1beta/openai/")
    'https://generativelanguage.googleapis.com/v1beta/openai'
    """
    root = base_url.strip().rstrip("/")
    return root + "/v1" if urllib.parse.urlsplit(root).path in ("", "/") else root


def cache_key(model: str, prompt: str, params: dict[str, Any]) -> str:
    """sha256 of what determines a reply: the model, the prompt and the generation settings."""
    blob = json.dumps({"model": model, "prompt": prompt, "params": params}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _one_line(text: Any, limit: int = 200) -> str:
    return " ".join(str(text).split())[:limit]


class JudgeClient:
    """Ask a chat endpoint at temperature 0: :meth:`ask` for one prompt, :meth:`ask_many` for a batch.

    The API key is read from ``config.api_key_env`` at call time (a dummy key when unset) and never logged or
    pickled. Loopback endpoints bypass any configured HTTP proxy. The client pickles (TRL may copy reward
    functions): only the config travels; the connection is rebuilt on first use.
    """

    def __init__(self, config: JudgeConfig):
        self.config = config
        self.endpoint = api_root(config.base_url) + "/chat/completions"
        self.params: dict[str, Any] = {"temperature": TEMPERATURE, "max_tokens": config.max_tokens}
        self._lock = threading.Lock()
        self._client: Any = None
        self._client_key: str | None = None

    def __repr__(self) -> str:
        return f"JudgeClient(endpoint={self.endpoint!r}, model={self.config.model!r})"

    def __getstate__(self) -> dict[str, Any]:
        return {"config": self.config}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["config"])

    def error(self, problem: str) -> JudgeError:
        """A ``JudgeError`` naming this endpoint and model (the API key masked, should a server echo it)."""
        key = os.environ.get(self.config.api_key_env)
        if key and len(key) >= 8:
            problem = problem.replace(key, "***")
        return JudgeError(f"judge at {self.endpoint} (model {self.config.model}): {problem}")

    # --- one prompt ----------------------------------------------------------------------------------------
    def ask(self, prompt: str) -> str:
        """The reply to ``prompt``, from the cache when it is there; asked from this process alone."""
        path = self._cache_path(prompt)
        if path is not None:
            cached = _read_cached(path)
            if cached is not None:
                return cached
        reply = self._request(prompt)
        if path is not None:
            record = {"model": self.config.model, "params": self.params, "prompt": prompt, "reply": reply}
            write_json_atomic(path, record)
        return reply

    def _cache_path(self, prompt: str) -> Path | None:
        if self.config.cache_dir is None:
            return None
        key = cache_key(self.config.model, prompt, self.params)
        return Path(self.config.cache_dir) / key[:2] / f"{key}.json"

    def _openai(self) -> Any:
        """The openai client for the key in the environment now (rebuilt when the key changes)."""
        import openai

        key = os.environ.get(self.config.api_key_env) or DUMMY_KEY
        with self._lock:
            if self._client is None or self._client_key != key:
                host = urllib.parse.urlsplit(self.endpoint).hostname or ""
                http = openai.DefaultHttpxClient(trust_env=False) if host in _LOOPBACK else None
                self._client = openai.OpenAI(
                    base_url=api_root(self.config.base_url), api_key=key, timeout=self.config.timeout,
                    max_retries=self.config.max_retries, http_client=http,
                )
                self._client_key = key
            return self._client

    def _request(self, prompt: str) -> str:
        import openai

        cfg, tries = self.config, self._tries()
        try:
            with self._openai().chat.completions.with_streaming_response.create(
                model=cfg.model, messages=[{"role": "user", "content": prompt}], **self.params
            ) as raw:
                response = self._bounded(raw)
        except openai.APITimeoutError:
            raise self.error(f"no reply within judge.timeout={cfg.timeout:g}s in {tries}; raise judge.timeout, "
                             "or lower judge.concurrency if the server is overloaded") from None
        except openai.APIConnectionError as exc:
            cause = _one_line(exc.__cause__ or exc)
            raise self.error(f"cannot connect ({cause}) in {tries}; is the server up and judge.base_url "
                             "right?") from None
        except openai.APIStatusError as exc:
            raise self.error(f"HTTP {exc.status_code} ({_one_line(_body(exc))}){self._hint(exc.status_code)}") from None
        except openai.OpenAIError as exc:
            raise self.error(f"failed: {_one_line(exc)}; check judge.base_url and judge.model") from None
        except JudgeError:  # too large or too slow (_bounded): already one line
            raise
        except ValueError as exc:  # a body that is not the JSON it claims to be
            raise self.error(f"sent an unreadable reply ({_one_line(exc, 120)}); is judge.base_url an "
                             "OpenAI-compatible API?") from None
        try:
            content = response["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise self.error(f"sent no choices[0].message.content ({_one_line(response, 120)!r}); is judge.base_url "
                             "an OpenAI-compatible /chat/completions API?") from None
        if not isinstance(content, str) or not content.strip():
            raise self.error("sent an empty reply; check judge.model, or raise judge.max_tokens for a model that "
                             "thinks before it answers")
        return content

    def reply_cap(self) -> int:
        """The most bytes a reply body may hold: room for ``max_tokens`` long tokens and the JSON around them."""
        return 65536 + 64 * self.config.max_tokens

    def _bounded(self, raw: Any) -> Any:
        """The reply body read within ``judge.timeout`` in all (a server trickling a byte a second outlives any
        per-read timeout) and at most :meth:`reply_cap` bytes (an 8 MB answer to ``max_tokens=64`` is refused, not
        cached), parsed as JSON."""
        cap, deadline = self.reply_cap(), time.monotonic() + self.config.timeout
        body = bytearray()
        for chunk in raw.iter_bytes():
            body += chunk
            if len(body) > cap:
                raise self.error(f"sent a reply of more than {cap} bytes for max_tokens={self.config.max_tokens}; "
                                 "is judge.base_url an OpenAI-compatible API?")
            if time.monotonic() > deadline:
                raise self.error(f"did not finish its reply within judge.timeout={self.config.timeout:g}s (it "
                                 "arrives too slowly); raise judge.timeout or check the server")
        return json.loads(bytes(body))

    def _tries(self) -> str:
        tries = self.config.max_retries + 1
        return f"{tries} {'try' if tries == 1 else 'tries'}"

    def _hint(self, status: int) -> str:
        if status in (401, 403):
            return f"; check the API key in ${self.config.api_key_env}"
        if status == 404:
            return "; check judge.base_url and judge.model"
        if status == 429 or status >= 500:
            return (f" in {self._tries()}; the server is overloaded or failing: lower judge.concurrency or raise "
                    "judge.max_retries")
        return "; the endpoint refused the request: check judge.model and judge.max_tokens"

    # --- a batch ---------------------------------------------------------------------------------------------
    def ask_many(self, prompts: Sequence[str]) -> list[str]:
        """Replies to ``prompts``, in order; duplicates and cached prompts are asked once or not at all.

        Under a multi-process run this is a collective: every rank calls it (with its own prompts, possibly
        none), rank 0 asks for all of them with ``concurrency`` requests in flight, and each rank gets its own
        replies back (:func:`on_main_process`).
        """
        return on_main_process(self._ask_batch, list(prompts))

    def _ask_batch(self, prompts: list[str]) -> list[str]:
        unique = list(dict.fromkeys(prompts))
        workers = min(self.config.concurrency, len(unique))
        if workers <= 1:
            replies = [self.ask(p) for p in unique]
        else:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="judge") as pool:
                futures = [pool.submit(self.ask, p) for p in unique]
                try:
                    replies = [f.result() for f in futures]
                except BaseException:
                    for future in futures:
                        future.cancel()
                    raise
        by_prompt = dict(zip(unique, replies, strict=True))
        return [by_prompt[p] for p in prompts]


def _body(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        body = body.get("message") or body.get("error") or body
    return str(body) if body is not None else str(getattr(exc, "message", exc))


def _read_cached(path: Path) -> str | None:
    """A cached reply; ``None`` when absent or unreadable (a damaged file is asked again and rewritten)."""
    try:
        reply = json.loads(path.read_text(encoding="utf-8"))["reply"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return reply if isinstance(reply, str) else None


def _process_group() -> Any:
    """``torch.distributed`` when it runs a group of several processes, else ``None`` (torch is not imported for
    this: a process that never imported torch is in no group)."""
    if "torch" not in sys.modules:
        return None
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
        return dist
    return None


def on_main_process(fn: Callable[[list[str]], list[str]], items: list[str]) -> list[str]:
    """``fn(items)``, run by rank 0 alone under a multi-process run, over every rank's items; each rank gets the
    results for its own items. Every rank must call it. A failure on rank 0 is raised on every rank (as a
    ``JudgeError`` with the same line), so no rank waits forever. In one process: just ``fn(items)``.
    """
    dist = _process_group()
    if dist is None:
        return fn(items)
    rank, world = dist.get_rank(), dist.get_world_size()
    everyone: list[Any] = [None] * world
    dist.all_gather_object(everyone, items)
    message: list[Any] = [None]
    failure: BaseException | None = None
    if rank == 0:
        try:
            results, start, parts = fn([item for part in everyone for item in part]), 0, []
            for part in everyone:
                parts.append(results[start : start + len(part)])
                start += len(part)
            message = [("ok", parts)]
        except Exception as exc:  # every rank must leave the broadcast below, failing alike
            failure, message = exc, [("error", str(exc))]
    dist.broadcast_object_list(message, src=0)
    status, payload = message[0]
    if status == "error":
        raise failure if failure is not None else JudgeError(payload)
    return payload[rank]
