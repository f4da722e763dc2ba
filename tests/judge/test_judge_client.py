"""``JudgeClient`` against a loopback fake OpenAI-compatible server: replies, key, retries, timeout, errors, cache,
batches and the bound on concurrency, and the main-process-only path of a multi-process run."""

import json
import pickle
import socket
import time

import pytest
from judge_helpers import KEY_ENV, two_rank_worker

from specs.errors import ConfigError
from specs.judge import JudgeClient, JudgeConfig, JudgeError, on_main_process
from specs.judge.client import cache_key


def test_ask_sends_one_user_turn_at_temperature_zero(fake_judge):
    fake_judge.reply = lambda prompt: f"echo {prompt}"
    client = JudgeClient(fake_judge.config(max_tokens=12))
    assert client.ask("hello") == "echo hello"
    (request,) = fake_judge.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["body"]["model"] == "judge-model"
    assert request["body"]["messages"] == [{"role": "user", "content": "hello"}]
    assert request["body"]["temperature"] == 0 and request["body"]["max_tokens"] == 12
    assert request["auth"] == "Bearer EMPTY"  # no key in the environment: a dummy one, fine for a local server


def test_key_is_read_at_call_time_and_never_shown(fake_judge, monkeypatch):
    client = JudgeClient(fake_judge.config(base_url=fake_judge.url.removesuffix("/v1")))  # bare host: /v1 added
    monkeypatch.setenv(KEY_ENV, "sk-test-123")
    client.ask("a")
    monkeypatch.setenv(KEY_ENV, "sk-test-456")
    client.ask("b")
    assert [r["auth"] for r in fake_judge.requests] == ["Bearer sk-test-123", "Bearer sk-test-456"]
    assert fake_judge.requests[0]["path"] == "/v1/chat/completions"
    assert "sk-test" not in repr(client) and b"sk-test" not in pickle.dumps(client)
    assert pickle.loads(pickle.dumps(client)).ask("c") == "yes"


@pytest.mark.parametrize("status", [500, 429])
def test_retries_recover_from_transient_failures(fake_judge, status):
    fake_judge.failures = [status, status]
    assert JudgeClient(fake_judge.config(max_retries=2)).ask("q") == "yes"
    assert len(fake_judge.requests) == 3


def test_retries_back_off_by_themselves(fake_judge):
    fake_judge.failures, fake_judge.retry_headers = [500], {}  # no Retry-After: the client's own backoff (0.5 s)
    started = time.perf_counter()
    assert JudgeClient(fake_judge.config(max_retries=1)).ask("q") == "yes"
    assert time.perf_counter() - started >= 0.3 and len(fake_judge.requests) == 2


def test_a_failure_that_outlasts_the_retries_is_one_error(fake_judge):
    fake_judge.failures = [500] * 3
    with pytest.raises(JudgeError) as info:
        JudgeClient(fake_judge.config(max_retries=2)).ask("q")
    message = str(info.value)
    assert message.startswith(f"judge at {fake_judge.url}/chat/completions (model judge-model): HTTP 500")
    assert "in 3 tries" in message and "judge.concurrency" in message and "\n" not in message
    assert len(fake_judge.requests) == 3 and isinstance(info.value, ConfigError)


def test_a_refused_key_is_not_retried_nor_shown(fake_judge, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "sk-secret-789")
    fake_judge.failures = [401]
    with pytest.raises(JudgeError, match=rf"HTTP 401 .*check the API key in \${KEY_ENV}") as info:
        JudgeClient(fake_judge.config()).ask("q")
    assert len(fake_judge.requests) == 1 and "sk-secret" not in str(info.value) and "Bearer ***" in str(info.value)


def test_timeout_after_retries(fake_judge):
    fake_judge.delay = 3
    started = time.perf_counter()
    with pytest.raises(JudgeError, match=r"no reply within judge.timeout=0.2s in 2 tries; raise judge.timeout"):
        JudgeClient(fake_judge.config(timeout=0.2, max_retries=1)).ask("q")
    assert time.perf_counter() - started < 2.5 and len(fake_judge.requests) == 2


def test_unreachable_endpoint():
    with socket.socket() as sock:  # a loopback port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = JudgeConfig(base_url=f"http://127.0.0.1:{port}", model="m", max_retries=0, timeout=2)
    with pytest.raises(JudgeError, match=rf"judge at http://127.0.0.1:{port}/v1/chat/completions .*cannot connect"):
        JudgeClient(config).ask("q")


@pytest.mark.parametrize("payload", [b"not json", {"choices": []}, {"nothing": 1}])
def test_invalid_reply(fake_judge, payload):
    fake_judge.payload = payload
    with pytest.raises(JudgeError, match=rf"judge at {fake_judge.url}"):
        JudgeClient(fake_judge.config()).ask("q")


def test_empty_reply(fake_judge):
    fake_judge.reply = lambda prompt: "  "
    with pytest.raises(JudgeError, match="empty reply; .*raise judge.max_tokens"):
        JudgeClient(fake_judge.config()).ask("q")


def test_cache_hit_asks_nothing(fake_judge, tmp_path):
    fake_judge.reply = lambda prompt: prompt.upper()
    config = fake_judge.config(cache_dir=tmp_path / "cache")
    assert JudgeClient(config).ask("abc") == "ABC"
    assert JudgeClient(config).ask("abc") == "ABC"  # a new client (a rerun) reads the cache
    assert len(fake_judge.requests) == 1
    key = cache_key("judge-model", "abc", {"temperature": 0.0, "max_tokens": 64})
    record = json.loads((tmp_path / "cache" / key[:2] / f"{key}.json").read_text())
    assert record["reply"] == "ABC" and record["prompt"] == "abc"
    JudgeClient(config.model_copy(update={"max_tokens": 8})).ask("abc")  # other settings: another key
    JudgeClient(config.model_copy(update={"model": "other"})).ask("abc")
    assert len(fake_judge.requests) == 3
    (tmp_path / "cache" / key[:2] / f"{key}.json").write_text("{broken")
    assert JudgeClient(config).ask("abc") == "ABC" and len(fake_judge.requests) == 4  # asked again, rewritten
    assert json.loads((tmp_path / "cache" / key[:2] / f"{key}.json").read_text())["reply"] == "ABC"


def test_ask_many_keeps_order_and_asks_each_prompt_once(fake_judge, tmp_path):
    fake_judge.reply = lambda prompt: f"re {prompt}"
    client = JudgeClient(fake_judge.config(cache_dir=tmp_path))
    assert client.ask_many(["a", "b", "a", "c"]) == ["re a", "re b", "re a", "re c"]
    assert sorted(fake_judge.prompts()) == ["a", "b", "c"]
    assert client.ask_many(["c", "d"]) == ["re c", "re d"] and len(fake_judge.requests) == 4
    assert client.ask_many([]) == []


def test_concurrency_is_bounded(fake_judge):
    fake_judge.delay = 0.15
    client = JudgeClient(fake_judge.config(concurrency=3))
    assert client.ask_many([str(i) for i in range(9)]) == ["yes"] * 9
    assert fake_judge.max_active == 3


def test_ask_many_raises_the_one_error(fake_judge):
    fake_judge.failures = [404]
    with pytest.raises(JudgeError, match="HTTP 404 .*check judge.base_url and judge.model"):
        JudgeClient(fake_judge.config(concurrency=1)).ask_many(["a", "b"])


def test_one_process_just_calls():
    calls = []
    assert on_main_process(lambda items: calls.append(items) or [x * 2 for x in items], ["a", "b"]) == ["aa", "bb"]
    assert calls == [["a", "b"]]


@pytest.mark.slow  # two spawned processes importing torch: about 7 s on 2 cores
def test_two_ranks_only_rank_zero_asks(fake_judge, tmp_path, monkeypatch):
    import torch.multiprocessing as mp

    with socket.socket() as sock:  # rank 1's endpoint: nothing listens, so any request from it would fail
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    fake_judge.reply = lambda prompt: f"re {prompt}"
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    mp.spawn(two_rank_worker, args=(str(tmp_path / "init"), [fake_judge.url, dead], str(tmp_path)), nprocs=2)
    results = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert results[0]["replies"] == ["re rank0-a", "re shared", "re rank0-b"]
    assert results[1]["replies"] == ["re rank1-a", "re shared"]
    assert results[0]["empty"] == ["re only-rank0"] and results[1]["empty"] == []
    assert sorted(fake_judge.prompts()) == ["only-rank0", "rank0-a", "rank0-b", "rank1-a", "shared"]
    assert results[0]["error"] == results[1]["error"] == "boom on rank 0 with 2 items"
