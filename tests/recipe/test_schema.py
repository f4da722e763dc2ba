import pytest

from specs.errors import ConfigError
from specs.recipe.schema import BUILTIN, Recipe, load_recipe


@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_recipes_validate(name):
    assert isinstance(load_recipe(name), Recipe)


def test_default_is_the_toy_recipe():
    assert load_recipe(None).name == "toy"


def write(tmp_path, text):
    path = tmp_path / "r.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "text, message",
    [
        ("name: x\ngrpo_zero:\n  learnin_rate: 1e-5\n", r"r.yaml:3: key 'grpo_zero.learnin_rate': unknown key"),
        ("grpo_zero:\n  max_steps: many\n", r"r.yaml:2: key 'grpo_zero.max_steps': Input should be a valid integer"),
        (
            "base_model: nowhere/model\n",
            r"r.yaml:1: key 'base_model': Path does not point to a directory \(got '.*nowhere/model'\)",
        ),
        ("cold_start: {method: rlhf}\n", r"r.yaml:1: key 'cold_start.method': Input should be 'dpo', 'sft' or 'none'"),
        ("data: [1, 2]\n", r"r.yaml:1: key 'data': Input should be a valid dictionary"),
        (
            "grpo_zero: {learning_rate: -1}\n",
            r"r.yaml:1: key 'grpo_zero.learning_rate': Input should be greater than 0",
        ),
        ("a: [unclosed\n", r"r.yaml:2: invalid YAML"),
        ("- 1\n- 2\n", r"r.yaml: expected a mapping"),
    ],
)
def test_bad_recipes_are_one_clear_line(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message) as info:
        load_recipe(write(tmp_path, text))
    assert "\n" not in str(info.value)


def test_relative_paths_resolve_against_the_recipe_folder(tmp_path):
    (tmp_path / "d.jsonl").write_text("")
    recipe = load_recipe(write(tmp_path, "data: {train: d.jsonl}\n"))
    assert recipe.data.train == (tmp_path / "d.jsonl").resolve()


def test_set_overrides(tmp_path):
    recipe = load_recipe("toy", ["grpo_zero.max_steps=7", "cold_start.method=sft"])
    assert recipe.grpo_zero.max_steps == 7 and recipe.cold_start.method == "sft"
    with pytest.raises(ConfigError, match="key 'grpo_zero.nope': unknown key"):
        load_recipe("toy", ["grpo_zero.nope=1"])
