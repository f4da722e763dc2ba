"""Chat templates for tiny models: the exact Qwen templates that TRL ships, read from the installed package."""

from __future__ import annotations

from importlib import resources

# Qwen2-VL and Qwen2.5-VL share one template.
_TEMPLATE_FILE = {
    "qwen2_vl": "qwen2_5_vl.jinja",
    "qwen2_5_vl": "qwen2_5_vl.jinja",
    "qwen3_vl": "qwen3_vl.jinja",
    "qwen2": "qwen2_5.jinja",
}


def chat_template(arch: str) -> str:
    """The Jinja chat template of the real model family ``arch``."""
    return resources.files("trl").joinpath("chat_templates", _TEMPLATE_FILE[arch]).read_text(encoding="utf-8")
