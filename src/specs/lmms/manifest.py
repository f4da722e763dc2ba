"""lmms-eval's model registration (entry-point group ``lmms_eval.models`` in pyproject.toml): ``--model specs``.

lmms-eval reads ``MANIFESTS`` while it builds its model registry, so it names the class by path and imports nothing
else. It is built on first access (PEP 562): importing this module imports nothing, so importing it before
lmms-eval (as walking specs' modules does) cannot re-enter lmms-eval's registry while it is half built.
"""

from typing import Any


def __getattr__(name: str) -> Any:
    if name != "MANIFESTS":
        raise AttributeError(name)
    from lmms_eval.models.registry_v2 import ModelManifest

    return [ModelManifest(model_id="specs", chat_class_path="specs.lmms.model.SpecsLMM")]
