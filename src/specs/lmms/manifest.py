"""lmms-eval's model registration (entry-point group ``lmms_eval.models`` in pyproject.toml): ``--model specs``.

lmms-eval loads this while it builds its model registry, so it names the class by path and imports nothing else.
"""

from lmms_eval.models.registry_v2 import ModelManifest

MANIFESTS = [ModelManifest(model_id="specs", chat_class_path="specs.lmms.model.SpecsLMM")]
