"""A procedural, verifiable visual-reasoning world sized for a ~1M-parameter Qwen2.5-VL-shaped model.

``generate_split(out_dir, split, n, seed)`` writes canonical JSONL (see ``specs.data.records``) plus PNGs.
Pure Python + Pillow: nothing here imports torch.
"""

from specs.toyworld.generate import SPLITS, generate_split, iter_examples
from specs.toyworld.questions import FAMILIES, ID_FAMILIES, OOD_FAMILIES, describe, sample_item
from specs.toyworld.scenes import render, scene_bucket, signature

__all__ = [
    "FAMILIES",
    "ID_FAMILIES",
    "OOD_FAMILIES",
    "SPLITS",
    "describe",
    "generate_split",
    "iter_examples",
    "render",
    "sample_item",
    "scene_bucket",
    "signature",
]
