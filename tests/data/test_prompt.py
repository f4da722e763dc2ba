"""The prompt spec: what the user turn and the system prompt become, and how a recipe names one."""

from __future__ import annotations

from pathlib import Path

import pytest

from specs.data.prompt import REASONING_SYSTEM_PROMPT, PromptSpec, load_prompt, phrasing_index
from specs.data.records import Example
from specs.errors import ConfigError
from specs.recipe.schema import load_recipe

ROOT = Path(__file__).resolve().parents[2]


def example(ex_id: str = "a", fmt: str | None = None) -> Example:
    return Example(ex_id, "How many circles?", "3", (), meta={"format": fmt} if fmt else {})


def test_default_asks_for_the_tags_in_a_system_prompt():
    messages = PromptSpec().messages(example())
    assert messages == [{"role": "system", "content": REASONING_SYSTEM_PROMPT},
                        {"role": "user", "content": "How many circles?"}]
    assert "<think>" in REASONING_SYSTEM_PROMPT and "<answer>" in REASONING_SYSTEM_PROMPT


def test_phrasing_is_picked_by_the_id_and_the_requested_format():
    spec = PromptSpec(system=None, instructions={"tags": ["T0", "T1", "T2"], "boxed": ["B0", "B1"]})
    for ex_id in ("a", "b", "train-000007"):
        assert spec.user_text(example(ex_id)) == f"How many circles?\nT{phrasing_index(ex_id, 3)}"
        assert spec.user_text(example(ex_id, "boxed")) == f"How many circles?\nB{phrasing_index(ex_id, 2)}"
    assert spec.messages(example())[0]["role"] == "user"  # no system prompt: the template's default applies
    assert {phrasing_index(f"x{i}", 3) for i in range(30)} == {0, 1, 2}


def test_a_format_nobody_asks_for_is_an_error():
    with pytest.raises(ConfigError, match="asks for format 'boxed'"):
        PromptSpec().user_text(example(fmt="boxed"))
    with pytest.raises(ValueError, match="non-empty phrasing"):
        PromptSpec(instructions={"tags": []})


def test_built_in_names_recipes_and_prompt_files(tmp_path):
    assert load_prompt(None) == load_prompt("reasoning") == PromptSpec()
    toy = load_prompt("toy")
    assert toy.system is None and set(toy.instructions) == {"tags", "boxed", "plain"} and toy.max_pixels == 84 * 84
    assert load_recipe("toy").prompt == load_recipe("toy-fast").prompt == load_recipe("study-quick").prompt == toy
    gpu = load_prompt(ROOT / "recipes" / "qwen2.5-vl-7b.yaml")
    assert "<think>" in gpu.system and gpu.max_pixels == 1003520
    (tmp_path / "p.yaml").write_text("system: Be brief.\ninstructions: {tags: [Use tags.]}\n")
    assert load_prompt(tmp_path / "p.yaml").user_text(example()) == "How many circles?\nUse tags."
    (tmp_path / "bad.yaml").write_text("prompt:\n  sytem: typo\n")
    with pytest.raises(ConfigError, match=r"bad.yaml:2: key 'sytem': unknown key"):
        load_prompt(tmp_path / "bad.yaml")


def test_a_recipe_can_edit_a_built_in_prompt():
    recipe = load_recipe("toy-fast", ["prompt.system=Count carefully."])
    assert recipe.prompt.system == "Count carefully." and recipe.prompt.instructions == load_prompt("toy").instructions
    with pytest.raises(ConfigError, match="unknown built-in prompt"):
        load_recipe("toy-fast", ["prompt=nope"])
