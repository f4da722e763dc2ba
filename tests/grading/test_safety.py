"""Adversarial inputs: every grade finishes within a second, in any thread, without running model text."""

import ast
import pathlib
import threading
import time

import pytest

from specs.grading import grade
from specs.grading.symbolic import DeadlineExceeded, run_with_deadline, symbolic_equal, warm_up, within_bounds

BUDGET_S = 3.0  # wall seconds: the 0.5 s CPU cap (symbolic.DEADLINE_SECONDS) plus waiting on a busy machine
NEST = 10_000

ADVERSARIAL = [
    ("a" * 1_000_000, "12"),
    ("<think>" + "x" * 1_000_000 + "</think><answer>12</answer>", "12"),
    ("<think>" + "a</think" * 200_000 + "</think><answer>4</answer>", "4"),
    ("\\boxed{" * 100_000, "12"),
    ("\\boxed{" + "{" * NEST + "1" + "}" * NEST + "}", "1"),
    ("<think>x</think><answer>" + "{" * NEST + "1" + "}" * NEST + "</answer>", "1"),
    ("<think>x</think><answer>$" + "(" * 500 + "x" + ")" * 500 + "$</answer>", "x"),
    ("<think>x</think><answer>" + "\\sqrt{" * 300 + "2" + "}" * 300 + "</answer>", "\\sqrt{2}"),
    ("<think>x</think><answer>" + "\\frac{1}{" * 60 + "2" + "}" * 60 + "</answer>", "2"),
    ("<think>x</think><answer>10^{10^{10}}</answer>", "1"),
    ("<think>x</think><answer>10^{10^{10}}</answer>", "10^{10^{10}}"),
    ("<think>x</think><answer>2^{2^{2^{2^{2^{2}}}}}</answer>", "2"),
    ("<think>x</think><answer>(((10^{12})^{99})^{99})^{99}</answer>", "1"),
    ("<think>x</think><answer>(a+b+c+d)^{99}</answer>", "a^{99}"),
    ("<think>x</think><answer>(a+b+c+d+e+f+g)^{9}</answer>", "a^{9}+b"),
    ("<think>x</think><answer>(a+b+c+e)^{99}</answer>", "a^{99}"),  # `e`: no probe, sympy, the deadline
    ("<think>x</think><answer>{{{{1}}}}+{{{{1}}}}+{{{{1}}}}+{{{{1}}}}+{{{{1}}}}+{{{{1}}}}</answer>", "y"),
    ("<think>x</think><answer>99999999999999999999!</answer>", "1"),
    ("<think>x</think><answer>\\sum_{k=1}^{10^{9}} k</answer>", "5"),
    ("1," * 100_000, "1"),
    ("<think>x</think><answer>" + "1," * 100_000 + "</answer>", "1"),
    ("<think>x</think><answer>" + "1," * 40 + "</answer>", "1"),
    ("<think>x</think><answer>" + "1 " * 50 + "</answer>", "1"),
    ("9" * 100_000, "9"),
    ("<think>x</think><answer>" + "9" * 119 + "e999</answer>", "1"),
    ("The answer is " * 100_000, "12"),
    ("<answer>" * 100_000, "12"),
    ("</think>" * 100_000 + "12", "12"),
    ("<think>" * 100_000, "12"),
    ("Answer: " + "A or " * 100_000, "A"),
    ("<think>x</think><answer>" + "(A) " * 300 + "</answer>", "A"),
    ("$" * 100_000, "12"),
    ("\\text{" * 50_000, "12"),
    ("<think>x</think><answer>" + "\\text{" * 400 + "</answer>", "12"),
    ("<think>x</think><answer>x = " * 10_000 + "12</answer>", "12"),
]


@pytest.fixture(scope="module", autouse=True)
def _warm():
    warm_up()  # math-verify's one-time import + ANTLR warm-up is not part of any single grade


@pytest.mark.parametrize("response, gold", ADVERSARIAL, ids=[f"adv{i}" for i in range(len(ADVERSARIAL))])
def test_adversarial_grade_is_fast_and_never_correct_by_accident(response, gold):
    choices = ["1", "2", "3"] if gold == "A" else None
    start = time.perf_counter()
    result = grade(response, gold, choices=choices)
    elapsed = time.perf_counter() - start
    assert elapsed < BUDGET_S, f"{elapsed:.2f}s"
    assert isinstance(result.correct, bool)


def test_expected_verdicts_on_big_but_honest_inputs():
    assert grade("<think>" + "x" * 1_000_000 + "</think><answer>12</answer>", "12").correct
    assert grade("\\boxed{" + "{" * NEST + "1" + "}" * NEST + "}", "1").correct is False
    assert not grade("<think>x</think><answer>10^{10^{10}}</answer>", "1").correct


def test_grading_works_outside_the_main_thread():
    cases = [
        ("<think>x</think><answer>(x+1)^2</answer>", "x^2+2x+1", True),  # symbolic: math-verify
        ("<think>x</think><answer>\\sqrt{75}</answer>", "5\\sqrt{3}", True),
        ("<think>x</think><answer>(a+b+c+d)^{99}</answer>", "a^{99}", False),  # exact probe
        ("<think>x</think><answer>(a+b+c+e)^{99}</answer>", "a^{99}", False),  # sympy: needs the deadline
        ("<think>x</think><answer>C</answer>", "60", True),
    ]
    results: list = []
    errors: list = []

    def work():
        try:
            for response, gold, _ in cases:
                start = time.perf_counter()
                verdict = grade(response, gold, choices=["20", "40", "60"] if gold == "60" else None).correct
                results.append((verdict, time.perf_counter() - start))
        except BaseException as exc:  # surface anything, including a stray deadline exception
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive() and not errors, errors
    assert [verdict for verdict, _ in results] == [expected for _, _, expected in cases]
    assert all(elapsed < BUDGET_S for _, elapsed in results)


def test_many_threads_at_once():
    outcomes: list = []

    def work(i: int):
        outcomes.append(grade(f"<think>x</think><answer>{i}x+{i}</answer>", f"{i}(x+1)").correct)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes == [True] * 8


def test_the_budget_counts_the_threads_own_work_not_waiting():
    """The reward must not depend on machine load: time spent waiting (for a core, the GIL, here a sleep) is not
    charged to the comparison, only the grading thread's own CPU time is."""
    def wait_then_answer():
        time.sleep(0.2)
        return 7

    assert run_with_deadline(wait_then_answer, 0.05) == 7


def test_deadline_interrupts_and_leaves_no_stray_exception():
    def spin():
        while True:
            pass

    start = time.perf_counter()
    with pytest.raises(DeadlineExceeded):
        run_with_deadline(spin, 0.05)
    assert time.perf_counter() - start < 2.0  # 0.05 s of CPU: bounded, even on a busy machine
    assert run_with_deadline(lambda: 7, 0.05) == 7
    time.sleep(0.1)  # a cancelled timer must not fire into later code
    assert sum(range(100_000)) == 4_999_950_000


@pytest.mark.parametrize(
    "span, ok",
    [
        ("x^2+2x+1", True),
        ("10^{10^{10}}", False),
        ("((10^{12})^{99})^{99}", False),
        ("2^{100}", False),
        ("x^{99}", True),
        ("1234567890123", False),
        ("100!", False),
        ("\\sum_{k=1}^{n} k", False),
        ("{{{{{x}}}}}", False),
        ("x" * 151, False),
        ("", False),
    ],
)
def test_symbolic_bounds(span, ok):
    assert within_bounds(span) is ok


def test_the_deadline_stops_a_runaway_sympy_comparison():
    start = time.perf_counter()
    assert symbolic_equal("(a+b+c+e)^{99}", "a^{99}") is False  # minutes for sympy without the deadline
    assert time.perf_counter() - start < BUDGET_S


def test_symbolic_equal_rejects_out_of_bounds_without_calling_math_verify():
    assert symbolic_equal("10^{10^{10}}", "10^{10^{10}}") is False


def test_no_eval_or_sympify_of_model_text_anywhere():
    """The grading and reward sources never call eval/exec/sympify (math-verify's latex parser is fine)."""
    root = pathlib.Path(__file__).resolve().parents[2] / "src" / "specs"
    for folder in ("grading", "rewards"):
        for path in (root / folder).glob("*.py"):
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                    assert name not in {"eval", "exec", "sympify", "parse_expr", "S"}, f"{path.name}: {name}"


def test_a_python_payload_is_just_text():
    payload = "__import__('os').system('touch /tmp/specs_pwned')"
    result = grade(f"<think>x</think><answer>{payload}</answer>", "0")
    assert result.correct is False
    assert not pathlib.Path("/tmp/specs_pwned").exists()


def test_importing_grading_and_rewards_does_not_import_torch():
    import subprocess
    import sys

    code = (
        "import sys, specs.grading, specs.rewards, specs.grading.cli; "
        "from specs.grading import grade; grade('<think>x</think><answer>x+1</answer>', '1+x'); "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
