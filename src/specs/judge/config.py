"""The judge's typed config: one ``judge:`` block per recipe, shared by every stage that asks the judge.

Three uses select it (each off by default; rule grading stays the default everywhere): ``distill.consistency:
judge`` (the chosen-side filter), ``grpo_zero.accuracy`` / ``final_grpo.accuracy: judge`` (R_llm for free-form
golds) and ``eval.extract: judge`` (MathVista-style answer extraction). A stage that selects a use without a
judge is refused before anything runs (:func:`require_judge`).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from specs.config import Strict, build, read_yaml
from specs.errors import ConfigError


class JudgeConfig(Strict):
    """An OpenAI-compatible chat endpoint (a local vLLM server, GPT-4o, Gemini's OpenAI endpoint) asked at
    temperature 0. The API key is never part of the config: only the name of the variable that holds it."""

    base_url: str = Field(
        ..., description="API root, e.g. http://localhost:8000/v1 (vLLM), https://api.openai.com/v1, "
        "https://generativelanguage.googleapis.com/v1beta/openai/; a bare host:port gets /v1 appended.",
    )
    model: str = Field(..., description="Model name the endpoint serves, e.g. gpt-4o or Qwen/Qwen2.5-72B-Instruct.")
    api_key_env: str = Field(
        "OPENAI_API_KEY", description="Environment variable holding the API key, read at call time and never "
        "logged; unset means a dummy key (fine for a local server).",
    )
    timeout: float = Field(60.0, gt=0, description="Seconds one reply may take in all (connecting, waiting and "
                           "reading: a server trickling bytes counts too) before the try counts as failed. Replies "
                           "are capped at 64 KiB + 64 bytes per max_tokens; a larger one is refused, never cached.")
    max_retries: int = Field(
        3, ge=0, description="Retries after a failed try (connection error, timeout, HTTP 408/409/429/5xx), with the "
        "openai client's exponential backoff and jitter (0.5 s doubling to 8 s, or the server's Retry-After).",
    )
    concurrency: int = Field(8, ge=1, description="Requests in flight at once in a batch (threads).")
    max_tokens: int = Field(
        64, ge=1, description="Reply budget per request; raise it for a judge model that thinks before it answers.",
    )
    cache_dir: Path | None = Field(
        None, description="Folder of cached replies, one JSON file per sha256(model, prompt, generation settings); "
        "unset = no cache (a recipe run uses RUN_DIR/judge-cache).",
    )


def require_judge(judge: JudgeConfig | None, use: str) -> JudgeConfig:
    """``judge``, or one line saying which setting needs it and how to give it."""
    if judge is None:
        raise ConfigError(
            f"{use} needs a judge: add a judge: block to the recipe (judge.base_url, judge.model), "
            "or pass --judge FILE to a stage command"
        )
    return judge


def load_judge(path: str | Path) -> JudgeConfig:
    """A ``JudgeConfig`` from a YAML file: a judge block itself, or a recipe (its ``judge:`` block)."""
    data, lines = read_yaml(path)
    if "judge" in data:
        if not isinstance(data["judge"], dict):
            raise ConfigError(f"{path}: key 'judge': expected a mapping of base_url, model, … (got {data['judge']!r})")
        data = data["judge"]
        lines = {key[1:]: line for key, line in lines.items() if key[:1] == ("judge",)}
    return build(JudgeConfig, data, str(path), lines)
