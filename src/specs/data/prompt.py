"""The one prompt every stage sees: system prompt, format instruction and image pixel cap (the recipe's ``prompt:``).

Real training data and benchmarks carry no format request, so the request lives here and nowhere else: GRPO
rollouts, distillation sampling, the DPO/SFT pairs, eval, GF tracking, pass@k and the RBF all build their
messages with :meth:`PromptSpec.messages`, and so does the toy base's pretraining. A record asks for an
output format through ``meta.format`` (``tags`` when absent); the spec says how that request is phrased.
One of several phrasings is picked per example from a hash of its id, so every stage and every run picks
the same one.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from specs.builtin import recipe_file
from specs.config import Strict, build, read_yaml
from specs.data.records import Example
from specs.errors import ConfigError

DEFAULT_FORMAT = "tags"
# In the style of MM-EUREKA's system prompt (the paper's RL framework); our wording.
REASONING_SYSTEM_PROMPT = (
    "You are a careful visual reasoner. First think about the question step by step, writing your reasoning "
    "inside <think> </think> tags. Then give the final answer inside <answer> </answer> tags, with the final "
    "value in LaTeX \\boxed{}, for example <answer>The answer is $\\boxed{12}$.</answer> Your response must "
    "start with <think> and end with </answer>."
)
BUILTIN_PROMPTS = ("reasoning", "toy")


class PromptSpec(Strict):
    """How a record becomes the user's turn; every stage renders prompts through this one object."""

    system: str | None = Field(
        REASONING_SYSTEM_PROMPT,
        description="System prompt (null: none, and the chat template's default applies).",
    )
    instructions: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Format instruction phrasings per requested format (meta.format; tags when absent), "
        "appended to the question on its own line; one phrasing is picked per example by a hash of its id.",
    )
    max_pixels: int | None = Field(None, gt=0, description="Cap on image pixels (TRL does not truncate prompts).")

    @field_validator("instructions")
    @classmethod
    def _non_empty(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for fmt, phrasings in value.items():
            if not phrasings or not all(p.strip() for p in phrasings):
                raise ValueError(f"instructions.{fmt}: give at least one non-empty phrasing")
        return value

    def phrasing(self, example: Example) -> tuple[int, str] | None:
        """``(index, text)`` of the phrasing this example gets for the format it asks for, or None.

        >>> spec = PromptSpec(system=None, instructions={"tags": ["Use tags.", "Tags, please."]})
        >>> from specs.data.records import Example
        >>> spec.phrasing(Example("a", "How many?", "3", ()))
        (0, 'Use tags.')
        """
        fmt = requested_format(example)
        phrasings = self.instructions.get(fmt)
        if phrasings is None:
            if fmt != DEFAULT_FORMAT:  # nothing would ask for it, yet eval would judge compliance with it
                raise ConfigError(f"record {example.id!r} asks for format {fmt!r}, but prompt.instructions has "
                                  f"no phrasing for it (has: {', '.join(self.instructions) or 'none'})")
            return None
        index = phrasing_index(example.id, len(phrasings))
        return index, phrasings[index]

    def instruction(self, example: Example) -> str | None:
        """The text of :meth:`phrasing`, or None."""
        picked = self.phrasing(example)
        return picked[1] if picked else None

    def user_text(self, example: Example) -> str:
        """The question, then the format instruction (if any) on its own line."""
        instruction = self.instruction(example)
        return f"{example.question}\n{instruction}" if instruction else example.question

    def messages(self, example: Example) -> list[dict[str, str]]:
        """The conversation for this example (TRL's conversational layout; TRL inserts the image placeholders)."""
        user = [{"role": "user", "content": self.user_text(example)}]
        return ([{"role": "system", "content": self.system}] if self.system else []) + user


def requested_format(example: Example) -> str:
    """The output format a record asks for: ``meta.format``, else ``tags``."""
    return str(example.meta.get("format", DEFAULT_FORMAT))


def phrasing_index(example_id: str, n: int) -> int:
    """A stable pick in ``0..n-1`` from the id (sha256, not Python's salted ``hash``).

    >>> phrasing_index("train-000001", 5)
    3
    """
    return int.from_bytes(hashlib.sha256(str(example_id).encode("utf-8")).digest()[:8], "big") % n


def builtin_prompt_path(name: str) -> Path:
    return Path(str(resources.files("specs.data").joinpath("prompts", f"{name}.yaml")))


def prompt_data(value: str | dict[str, Any] | None) -> dict[str, Any]:
    """A recipe's ``prompt:`` value as a mapping: a built-in name or the block itself.

    ``reasoning`` is :class:`PromptSpec`'s defaults; ``toy`` is ``prompts/toy.yaml`` beside this file.
    """
    if value is None or value == "reasoning":
        return {}
    if isinstance(value, str):
        if value not in BUILTIN_PROMPTS:
            raise ConfigError(f"prompt: unknown built-in prompt {value!r} (known: {', '.join(BUILTIN_PROMPTS)})")
        data, _ = read_yaml(builtin_prompt_path(value))
        return data
    return value


def load_prompt(source: str | Path | None) -> PromptSpec:
    """The prompt for a stage command's ``--prompt``: a built-in name, a recipe YAML (its ``prompt:`` key), or a
    YAML file holding a prompt block. None gives the default (the reasoning system prompt, no instructions)."""
    if source is None:
        return PromptSpec()
    if str(source) in BUILTIN_PROMPTS:
        return build(PromptSpec, prompt_data(str(source)), str(builtin_prompt_path(str(source))))
    path = recipe_file(source)
    data, lines = read_yaml(path)
    if "prompt" in data:
        block = data["prompt"]
        if isinstance(block, str):
            return build(PromptSpec, prompt_data(block), str(path))
        lines = {key[1:]: line for key, line in lines.items() if key[:1] == ("prompt",)}
        data = block if isinstance(block, dict) else {"": block}
    return build(PromptSpec, data, str(path), lines)
