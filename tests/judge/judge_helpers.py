"""A fake OpenAI-compatible judge on loopback: ``POST /v1/chat/completions`` with scripted replies.

It records every request, counts how many are in flight at once, and can fail the next N requests with an
HTTP status (500, 429, …) or sleep before answering (to run past a client's timeout).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from specs.judge import JudgeConfig

KEY_ENV = "SPECS_TEST_JUDGE_KEY"


class _Handler(BaseHTTPRequestHandler):
    server: FakeJudge

    def do_POST(self):  # noqa: N802 (http.server's naming)
        judge = self.server
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with judge.lock:
            judge.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
            judge.active += 1
            judge.max_active = max(judge.max_active, judge.active)
            status = judge.failures.pop(0) if judge.failures else 200
        try:
            if judge.delay:
                judge.release.wait(judge.delay)
            if status != 200:
                message = f"scripted failure {status} for {self.headers.get('Authorization')}"  # a server echoing it
                self._send(status, {"error": {"message": message}}, judge.retry_headers)
            elif judge.payload is not None:
                self._send(200, judge.payload)
            else:
                prompt = body["messages"][-1]["content"]
                self._send(200, {"id": "x", "object": "chat.completion", "created": 0, "model": body["model"],
                                 "choices": [{"index": 0, "finish_reason": "stop",
                                              "message": {"role": "assistant", "content": judge.reply(prompt)}}]})
        finally:
            with judge.lock:
                judge.active -= 1

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
            pass

    def log_message(self, *args):
        pass


class FakeJudge(ThreadingHTTPServer):
    """The server; ``reply(prompt) -> str`` scripts the answers (default: "yes")."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock, self.release = threading.Lock(), threading.Event()
        self.requests: list[dict[str, Any]] = []
        self.failures: list[int] = []  # statuses for the next requests, then 200s
        self.retry_headers = {"retry-after-ms": "10"}  # keeps retry tests fast; {} tests the client's own backoff
        self.delay = 0.0
        self.payload: Any = None  # a raw body to send instead of a completion
        self.reply: Callable[[str], str] = lambda prompt: "yes"
        self.active = self.max_active = 0
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def config(self, **overrides: Any) -> JudgeConfig:
        settings = {"base_url": self.url, "model": "judge-model", "api_key_env": KEY_ENV, "timeout": 5,
                    "max_retries": 2, **overrides}
        return JudgeConfig(**settings)

    def prompts(self) -> list[str]:
        return [r["body"]["messages"][-1]["content"] for r in self.requests]

    def close(self) -> None:
        self.release.set()
        self.shutdown()
        self.server_close()


def two_rank_worker(rank: int, init_file: str, urls: list[str], out_dir: str) -> None:
    """One of two gloo ranks: each asks its own prompts through ``ask_many`` with ``urls[rank]`` as its endpoint
    (rank 1's is dead: it must never be asked), then checks that a failure on rank 0 reaches rank 1 too."""
    import torch.distributed as dist

    from specs.judge import JudgeClient, JudgeConfig, JudgeError, on_main_process

    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=2)
    try:
        client = JudgeClient(JudgeConfig(base_url=urls[rank], model="m", timeout=5, max_retries=0))
        replies = client.ask_many([f"rank{rank}-a", "shared", f"rank{rank}-b"][: 3 - rank])
        empty = client.ask_many([] if rank == 1 else ["only-rank0"])

        def boom(items: list[str]) -> list[str]:
            raise JudgeError(f"boom on rank {dist.get_rank()} with {len(items)} items")

        try:
            on_main_process(boom, [str(rank)])
            error = None
        except JudgeError as exc:
            error = str(exc)
        with open(f"{out_dir}/rank{rank}.json", "w") as handle:
            json.dump({"replies": replies, "empty": empty, "error": error}, handle)
    finally:
        dist.destroy_process_group()
