import json
import random
import socket
import threading
from dataclasses import dataclass
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from specs.pairs.consistency import (
    JudgeError,
    JudgeFilter,
    answer_core,
    conclusion_agrees,
    conclusion_tail,
    last_sentence,
    think_and_answer,
)
from specs.pairs.selection import Candidate, build_pair


def never(*args):
    raise AssertionError("grade_fn should not be needed")


def refuses(*args):
    return False


def test_think_and_answer():
    assert think_and_answer(" <think>\n a \n</think>\n<answer> 4 </answer>\n") == ("a", "4")
    assert think_and_answer("<think>a</think>Answer: 4") is None
    assert think_and_answer("") is None


def test_last_sentence_and_answer_core():
    assert last_sentence("First 3.5 cm. Then add.\n\nSo the total is 7.5 cm.") == "So the total is 7.5 cm."
    assert last_sentence("Is it 3? Yes!") == "Yes!"
    assert last_sentence("   ") == ""
    assert answer_core("The answer is $\\boxed{\\frac{1}{2}}$.") == "\\frac{1}{2}"
    assert answer_core("**Answer:** 42.") == "42"
    assert answer_core("$12$") == "12"
    assert answer_core("blue") == "blue"


@pytest.mark.parametrize(
    "text",
    [
        "<think>2+2=4. So the answer is 4.</think><answer>4</answer>",
        "<think>Count them.\nThere are 12 apples</think><answer>The answer is $\\boxed{12}$</answer>",
        "<think>It is blue, clearly. The sky is Blue.</think><answer>blue</answer>",
        "<think>Compare the options. So the correct option is (B).</think><answer>B</answer>",
        "<think>Only one fits: B.</think><answer>B</answer>",
        "<think>Hence option (c)</think><answer>c</answer>",
        "<think>x = -5 works. Hence x = -5.</think><answer>-5</answer>",
        "<think>Total: 3.5 + 4 = 7.5</think><answer>7.5</answer>",
    ],
)
def test_agrees_by_token(text):
    assert conclusion_agrees(text, grade_fn=never)


@pytest.mark.parametrize(
    "text",
    [
        "<think>Maybe 12. No wait, it is 14.</think><answer>12</answer>",  # right by luck, reasoning says 14
        "<think>The total is 12.5 litres.</think><answer>12</answer>",  # not a whole token
        "<think>So x equals -12.</think><answer>12</answer>",
        "<think>A triangle has three sides.</think><answer>A</answer>",  # the article, not the letter
        "<think>This is a triangle with sides 3, 4, 5.</think><answer>a</answer>",
        "<think>It is 1234.</think><answer>123</answer>",
    ],
)
def test_disagrees(text):
    assert not conclusion_agrees(text, grade_fn=refuses)


def test_not_well_formed_never_agrees():
    assert not conclusion_agrees("4. Answer: 4", grade_fn=never)
    assert not conclusion_agrees("<think>.</think><answer>.</answer>", grade_fn=never)


def test_multiple_choice_letter_through_grade_fn():
    calls = []

    def fake_grade(response, gold, choices):  # maps a gold letter to its option text, like the real grader
        calls.append((response, gold, choices))
        return choices["ABCD".index(gold)] in response

    text = "<think>The angles sum to 180, so x = 60°.\nTherefore the angle is 60°.</think><answer>B</answer>"
    choices = ["40°", "60°", "80°"]
    assert conclusion_agrees(text, choices=choices, grade_fn=fake_grade)
    assert calls == [("Therefore the angle is 60°.", "B", choices)]
    assert not conclusion_agrees(text.replace(">B<", ">C<"), choices=choices, grade_fn=fake_grade)


def test_sentence_tail_is_graded_when_the_whole_sentence_is_not():
    calls = []

    def exact(response, gold, choices):  # a grader that, like the real one, cannot dig "60°" out of prose
        calls.append(response)
        return response == choices["ABCD".index(gold)]

    text = "<think>Therefore the angle is 60°.</think><answer>B</answer>"
    assert conclusion_agrees(text, choices=["40°", "60°"], grade_fn=exact)
    assert calls == ["Therefore the angle is 60°.", "60°"]
    assert conclusion_tail("So half of it, 0.5.") == "0.5"
    assert conclusion_tail("Hence x = -3!") == "-3"


def test_grade_fn_may_return_a_result_object():
    @dataclass
    class Result:
        correct: bool

    text = "<think>Half of it is 0.5.</think><answer>\\frac{1}{2}</answer>"
    assert conclusion_agrees(text, grade_fn=lambda r, g, c: Result(True))
    assert not conclusion_agrees(text, grade_fn=lambda r, g, c: Result(False))


def test_as_build_pair_filter():
    lucky = "<think>I get 14.</think><answer>12</answer>"
    sound = "<think>I get 12.</think><answer>12</answer>"
    chosen = [Candidate.graded("z", 0, lucky, True), Candidate.graded("z", 1, sound, True)]
    base = [Candidate.graded("b", 0, sound, True)]
    rule = partial(conclusion_agrees, choices=None, grade_fn=refuses)
    for seed in range(10):
        assert build_pair("p", chosen, base, random.Random(seed), consistency=rule).chosen_sample == 1
    assert build_pair("p", chosen[:1], base, random.Random(0), consistency=rule).reason == "inconsistent_chosen"


# --- the optional judge, against a loopback server ---


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        server = self.server
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        server.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        if server.stall.is_set():
            server.release.wait(5)
        status, payload = server.status, server.payload
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def judge_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.requests, server.status, server.stall, server.release = [], 200, threading.Event(), threading.Event()
    server.reply = lambda text: setattr(server, "payload", {"choices": [{"message": {"content": text}}]})
    server.reply("yes")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def _url(server, suffix=""):
    return f"http://127.0.0.1:{server.server_address[1]}{suffix}"


RESPONSE = "<think>2+2=4</think><answer>4</answer>"


@pytest.mark.parametrize(
    ("reply", "verdict"), [("yes", True), ("Yes.", True), ("no", False), (" NO, it does not", False)]
)
def test_judge_verdicts(judge_server, reply, verdict, monkeypatch):
    monkeypatch.delenv("SPECS_TEST_JUDGE_KEY", raising=False)
    judge_server.reply(reply)
    judge = JudgeFilter(_url(judge_server), "judge-model", api_key_env="SPECS_TEST_JUDGE_KEY", timeout=5)
    assert judge(RESPONSE) is verdict
    (request,) = judge_server.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] is None
    assert request["body"]["model"] == "judge-model"
    assert RESPONSE in request["body"]["messages"][-1]["content"]


def test_judge_sends_key_from_env_and_accepts_v1_base(judge_server, monkeypatch):
    monkeypatch.setenv("SPECS_TEST_JUDGE_KEY", "sk-test-123")
    judge = JudgeFilter(_url(judge_server, "/v1/"), "m", api_key_env="SPECS_TEST_JUDGE_KEY", timeout=5)
    assert judge(RESPONSE)
    assert judge_server.requests[0]["path"] == "/v1/chat/completions"
    assert judge_server.requests[0]["auth"] == "Bearer sk-test-123"
    assert "sk-test" not in repr(judge)


def test_judge_unparseable_reply(judge_server):
    judge_server.reply("maybe")
    with pytest.raises(JudgeError, match="neither yes nor no: 'maybe'"):
        JudgeFilter(_url(judge_server), "m", timeout=5)(RESPONSE)


def test_judge_http_error(judge_server):
    judge_server.status, judge_server.payload = 500, {"error": "overloaded"}
    with pytest.raises(JudgeError, match="answered HTTP 500.*overloaded"):
        JudgeFilter(_url(judge_server), "m", timeout=5)(RESPONSE)


@pytest.mark.parametrize("payload", [b"not json", {"choices": []}, {"nothing": 1}])
def test_judge_malformed_payload(judge_server, payload):
    judge_server.payload = payload
    with pytest.raises(JudgeError, match="judge at http://127.0.0.1"):
        JudgeFilter(_url(judge_server), "m", timeout=5)(RESPONSE)


def test_judge_timeout(judge_server):
    judge_server.stall.set()
    with pytest.raises(JudgeError, match=r"timed out after 0.2s"):
        JudgeFilter(_url(judge_server), "m", timeout=0.2)(RESPONSE)


def test_judge_unreachable():
    with socket.socket() as sock:  # a loopback port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(JudgeError, match=rf"judge at http://127.0.0.1:{port}/v1/chat/completions unreachable"):
        JudgeFilter(f"http://127.0.0.1:{port}", "m", timeout=2)(RESPONSE)
