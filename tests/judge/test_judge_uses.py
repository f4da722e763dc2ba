"""The judge's three uses against the fake server: the chosen-consistency filter in distillation, the accuracy
reward for free-form golds (R_llm), and answer extraction in eval — each falling back to, or leaving the rest
to, the rule grader."""

import json

import pytest

from specs.data.prompt import PromptSpec
from specs.data.records import Example
from specs.errors import ConfigError
from specs.generation.hf import Sample
from specs.judge import JudgeError
from specs.judge.accuracy import JudgeAccuracyReward, is_free_form

LUCKY = "<think>I get 14.</think><answer>12</answer>"  # right by luck: the reasoning says 14
SOUND = "<think>I get 12.</think><answer>12</answer>"


def _data(path, rows):
    path.write_text("".join(json.dumps({"images": [], **row}) + "\n" for row in rows))
    return path


def _samples(*texts):
    return [Sample(text, n_tokens=len(text.split()), finished=True) for text in texts]


# --- (a) distill: consistency: judge ---


def test_distill_keeps_only_chosen_responses_the_judge_accepts(fake_judge, tmp_path, monkeypatch):
    from specs.stages import distill as stage

    data = _data(tmp_path / "d.jsonl", [{"id": f"p{i}", "question": "How many?", "answer": "12"} for i in range(3)])
    scripted = {"chosen": [_samples(LUCKY, SOUND), _samples(LUCKY), _samples(SOUND)],
                "base": [_samples(SOUND)] * 3}
    monkeypatch.setattr(stage, "sample_model", lambda path, examples, cfg, prompt, label, cache=None: scripted[label])
    fake_judge.reply = lambda prompt: "yes" if "I get 12" in prompt else "no"
    cfg = stage.DistillConfig(consistency="judge")
    out = tmp_path / "pairs.jsonl"
    stats = stage.distill(tmp_path / "z", tmp_path / "b", data, out, cfg, PromptSpec(), fake_judge.config())
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["p0", "p2"] and all(r["chosen"] == SOUND for r in rows)
    assert stats["dropped"]["inconsistent_chosen"] == 1
    assert sorted(p.endswith(LUCKY) for p in fake_judge.prompts()) == [False, True]  # one batch, each text once
    assert stats["judge"] == {"base_url": fake_judge.url, "model": "judge-model"}


def test_distill_without_a_judge_fails_before_sampling(tmp_path, monkeypatch):
    from specs.stages import distill as stage

    monkeypatch.setattr(stage, "sample_model", lambda *a: pytest.fail("sampled before the config was checked"))
    with pytest.raises(ConfigError, match="consistency=judge needs a judge: add a judge: block"):
        stage.distill(tmp_path, tmp_path, tmp_path / "d.jsonl", tmp_path / "p.jsonl",
                      stage.DistillConfig(consistency="judge"), PromptSpec())


# --- (b) the accuracy reward: accuracy: judge ---


def _tagged(answer: str) -> list[dict]:
    return [{"role": "assistant", "content": f"<think>look</think><answer>{answer}</answer>"}]


def test_judge_reward_decides_free_form_golds_and_leaves_the_rest_to_the_rules(fake_judge):
    fake_judge.reply = lambda prompt: "yes" if "Student's answer: on the left" in prompt else "no"
    reward = JudgeAccuracyReward(fake_judge.config())
    logged = {}
    completions = [
        _tagged("on the left"),  # free-form gold, rules say no, judge says yes
        _tagged("right"),  # free-form gold, judge says no
        _tagged("left side"),  # the rules already match it: not asked
        _tagged("13"),  # numeric gold: rules only
        _tagged("B"),  # multiple choice: rules only
        [{"role": "assistant", "content": "<think>left side, surely"}],  # no answer found: not asked
        _tagged("anything"),  # no gold: 0, not asked
    ]
    rewards = reward(
        completions, log_extra=lambda name, values: logged.setdefault(name, values),
        answer=["left side", "left side", "left side", "12", "B", "left side", None],
        choices=[None, None, None, None, ["40°", "60°"], None, None],
        question=["Where is the cat?", None, None, None, None, None, None],
    )
    assert rewards == [1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0]
    prompts = sorted(fake_judge.prompts(), key=lambda p: "Question:" not in p)  # arrival order is the threads'
    assert len(prompts) == 2 and "Question: Where is the cat?" in prompts[0] and "Question:" not in prompts[1]
    assert "Reference answer: left side\nStudent's answer: on the left" in prompts[0]
    assert logged["judge_verdict"] == ["yes", "no", None, None, None, None, None]
    assert logged["extracted_answer"][:2] == ["on the left", "right"]
    assert reward.__name__ == "accuracy_reward"


def test_judge_reward_with_nothing_free_form_asks_nothing(fake_judge):
    reward = JudgeAccuracyReward(fake_judge.config())
    assert reward([_tagged("12"), _tagged("7")], answer=["12", "12"]) == [1.0, 0.0]
    assert fake_judge.requests == []


def test_judge_reward_garbage_reply_is_an_error(fake_judge):
    fake_judge.reply = lambda prompt: "perhaps"
    with pytest.raises(JudgeError, match="neither yes nor no: 'perhaps'; .*or accuracy: rule"):
        JudgeAccuracyReward(fake_judge.config())([_tagged("crimson")], answer=["red"])


def test_free_form_golds():
    assert is_free_form("left side") and is_free_form(["Paris", "the capital"])
    assert not is_free_form("3.5") and not is_free_form("\\frac{1}{2}") and not is_free_form("(C)")
    assert not is_free_form("red", answer_type="integer") and not is_free_form(["Paris", "75"])


def test_grpo_stage_selects_the_accuracy_reward(fake_judge):
    from specs.rewards import accuracy_reward
    from specs.stages.grpo import GRPOStageConfig, accuracy_reward_for

    assert accuracy_reward_for(GRPOStageConfig()) is accuracy_reward
    assert isinstance(accuracy_reward_for(GRPOStageConfig(accuracy="judge"), fake_judge.config()), JudgeAccuracyReward)
    with pytest.raises(ConfigError, match="accuracy=judge needs a judge"):
        accuracy_reward_for(GRPOStageConfig(accuracy="judge"))


# --- (c) eval: extract: judge ---

EXAMPLES = [
    Example("e0", "How many objects?", "12", ()),
    Example("e1", "What is angle ABC?", "B", (), choices=("40°", "60°")),
]
SAMPLES = [
    _samples("<think>I count twelve objects, 12 in all", SOUND, "<think>not sure"),
    _samples("Let me think about the angles of this triangle for a while, step by step, " * 2 + "so x is 60°"),
]


def _extractor(prompt: str) -> str:
    if "Response: <think>I count twelve" in prompt:
        return "12"
    return "Extracted answer: (B)" if "Response: Let me think" in prompt else "none"


def test_eval_extraction_asks_only_where_the_rules_find_no_answer(fake_judge):
    from specs.judge import JudgeClient
    from specs.stages.evaluate import summarize

    fake_judge.reply = _extractor
    rule = summarize(EXAMPLES, SAMPLES)
    judged = summarize(EXAMPLES, SAMPLES, JudgeClient(fake_judge.config()))
    assert [p["n_correct"] for p in rule["per_prompt"]] == [1, 0] and "judge_extraction" not in rule
    assert [p["n_correct"] for p in judged["per_prompt"]] == [2, 1]
    assert judged["judge_extraction"] == {"asked": 3, "extracted": 2, "correct": 2}
    assert judged["format_rate"] == rule["format_rate"]
    assert len(fake_judge.requests) == 3 and all("Extracted answer:" in p for p in fake_judge.prompts())


def test_evaluate_sets_with_judge_extraction(fake_judge, tmp_path, monkeypatch):
    import specs.generation.sampler as sampler_module
    from specs.stages.evaluate import evaluate

    class FakeSampler:
        def __init__(self, *args):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def sample(self, examples, sampling, progress=None, cache=None):
            return SAMPLES[: len(examples)]

    rows = [{"id": e.id, "question": e.question, "answer": e.answer, "choices": e.choices and list(e.choices)}
            for e in EXAMPLES]
    data = _data(tmp_path / "t.jsonl", rows)
    monkeypatch.setattr(sampler_module, "Sampler", FakeSampler)
    fake_judge.reply = _extractor
    report = evaluate(tmp_path, data, PromptSpec(), extract="judge", judge=fake_judge.config(), progress=None)
    assert report["judge_extraction"]["correct"] == 2 and report["accuracy"] == 3 / 4
    with pytest.raises(ConfigError, match="extract=judge needs a judge"):
        evaluate(tmp_path, data, PromptSpec(), extract="judge", progress=None)


@pytest.mark.slow  # a few GRPO steps on the toy base
def test_grpo_with_the_judge_reward(fake_judge, toy_base, toy_world, tmp_path):
    from specs.data.prompt import load_prompt
    from specs.data.records import load_examples
    from specs.stages.grpo import GRPOStageConfig, train_grpo

    rows = [{"id": e.id, "question": e.question, "answer": "a zebra", "images": [str(p) for p in e.images]}
            for e in load_examples(toy_world["train"])[:4]]  # a free-form gold no toy answer matches by rule
    data = tmp_path / "free.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in rows))
    cfg = GRPOStageConfig(learning_rate=1e-3, batch_size=8, num_generations=4, max_steps=2,
                          max_completion_length=24, logging_steps=1, accuracy="judge")
    out = train_grpo(toy_base, data, tmp_path / "grpo", cfg, load_prompt("toy"), judge=fake_judge.config())
    log = json.loads((out / "trainer_log.json").read_text())
    asked = fake_judge.prompts()
    assert asked and all("Reference answer: a zebra" in p and "Question: " in p for p in asked)
    assert log[0]["rewards/accuracy_reward/mean"] > 0  # the judge said yes to every answer it saw
