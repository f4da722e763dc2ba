"""One way to load a model + processor, for tiny offline builds and real Qwen-VL checkpoints alike.

Only local folders: nothing is fetched from a hub at run time. Two traps handled here:
``AutoProcessor`` on a folder whose processor it cannot build silently returns the bare tokenizer (a
trainer would then train text-only), and stock Qwen-VL processors need torchvision for their video half.
"""

from __future__ import annotations

import json
from pathlib import Path

from specs.atomic import atomic_dir
from specs.distributed import device
from specs.errors import OS_HINTS, ModelError, os_error

# model_type → the stock processor and video processor class names we record in processor_config.json
_STOCK_PROCESSOR = {"qwen2_vl": "Qwen2VLProcessor", "qwen2_5_vl": "Qwen2_5_VLProcessor", "qwen3_vl": "Qwen3VLProcessor"}
_STOCK_VIDEO = {"qwen2_vl": "Qwen2VLVideoProcessor", "qwen2_5_vl": "Qwen2VLVideoProcessor",
                "qwen3_vl": "Qwen3VLVideoProcessor"}
_VIDEO_KEYS = ("patch_size", "temporal_patch_size", "merge_size", "image_mean", "image_std")


def stock_processor_config(cfg: dict, model_type: str) -> dict:
    """``processor_config.json`` as the stock processor (and vLLM) loads it: its stock class, and a video processor.

    Our image-only processors save no video half, and transformers' Qwen-VL processors — which vLLM builds from the
    folder — refuse a folder without one. The video processor takes the image processor's patching and
    normalisation; we never feed videos.

    >>> cfg = stock_processor_config({"image_processor": {"patch_size": 14, "merge_size": 2}}, "qwen2_5_vl")
    >>> cfg["processor_class"], cfg["video_processor"]
    ('Qwen2_5_VLProcessor', {'video_processor_type': 'Qwen2VLVideoProcessor', 'patch_size': 14, 'merge_size': 2})
    """
    if model_type not in _STOCK_PROCESSOR:
        return cfg
    cfg = {**cfg, "processor_class": _STOCK_PROCESSOR[model_type]}
    image = cfg.get("image_processor")
    if isinstance(image, dict) and "video_processor" not in cfg:
        cfg["video_processor"] = {"video_processor_type": _STOCK_VIDEO[model_type],
                                  **{k: image[k] for k in _VIDEO_KEYS if k in image}}
    return cfg


def _config_dict(path: Path) -> dict:
    config = path / "config.json"
    if not path.is_dir():
        raise ModelError(f"{path}: model folder not found (models load from local folders only)")
    if not config.is_file():
        raise ModelError(f"{path}: no config.json — not a Hugging Face model folder")
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise ModelError(f"{config}: not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("model_type"), str):
        raise ModelError(f"{config}: field 'model_type': missing (expected a JSON object naming its model_type)")
    return data


def _model_type(path: Path) -> str:
    return _config_dict(path)["model_type"]


def is_vision_model(path: str | Path) -> bool:
    """True when the folder holds an image-text model (it has a vision config)."""
    return "vision_config" in _config_dict(Path(path))


def check_model_folder(path: str | Path, vision: bool = True) -> None:
    """Refuse, as one ``ModelError`` line, a folder the stages cannot use — before minutes are spent loading it.

    Checks a readable ``config.json`` (an image-text model when ``vision``), weights that are all there (every
    shard an index names; each safetensors file as long as its header says; never pickled ``.bin`` weights), and a
    chat template.
    """
    path = Path(path)
    config = _config_dict(path)
    if vision and "vision_config" not in config:
        raise ModelError(f"{path}: a text-only model ({config['model_type']}, no vision_config); the stages train "
                         "and sample image-text models such as Qwen2.5-VL")
    index = path / "model.safetensors.index.json"
    if index.is_file():
        try:
            shards = sorted(set(json.loads(index.read_text(encoding="utf-8"))["weight_map"].values()))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ModelError(f"{index}: field 'weight_map': missing or unreadable") from None
    elif (path / "model.safetensors").is_file():
        shards = ["model.safetensors"]
    elif bins := sorted(path.glob("pytorch_model*.bin")):  # a pickle can run code when loaded: never opened
        raise ModelError(f"{bins[0]}: pickled weights are not loaded (unpickling a file can run code in it); "
                         "save the model as safetensors (model.save_pretrained(dir, safe_serialization=True))")
    else:
        raise ModelError(f"{path}: no weights (model.safetensors, an index with its shards, or pytorch_model.bin)")
    for shard in shards:
        check_safetensors(path / shard)
    template = (path / "chat_template.jinja").is_file() or (path / "chat_template.json").is_file()
    if not template:
        try:
            template = "chat_template" in json.loads((path / "tokenizer_config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            template = False
    if not template:
        raise ModelError(f"{path}: no chat template (chat_template.jinja, or chat_template in tokenizer_config.json);"
                         " the prompt is rendered with it")


def check_safetensors(file: Path) -> None:
    """A safetensors file whose header parses and whose tensors all end inside the file (not truncated)."""
    import struct

    try:
        size = file.stat().st_size
        with file.open("rb") as handle:
            head = handle.read(8)
            length = struct.unpack("<Q", head)[0] if len(head) == 8 else -1
            header = json.loads(handle.read(length)) if 0 < length <= size - 8 else None
    except FileNotFoundError:
        raise ModelError(f"{file}: missing (the weights index names it)") from None
    except OSError as exc:
        if exc.errno in OS_HINTS:  # permission denied is the machine's answer, not a broken file
            raise os_error(exc, file) from None
        header = None
    except (ValueError, RecursionError):
        header = None
    if not isinstance(header, dict):
        raise ModelError(f"{file}: not a safetensors file (unreadable header); copy the weights again")
    end = max((v["data_offsets"][1] for k, v in header.items() if k != "__metadata__" and isinstance(v, dict)
               and isinstance(v.get("data_offsets"), list) and len(v["data_offsets"]) == 2), default=0)
    if 8 + length + end > size:
        raise ModelError(f"{file}: truncated ({size} bytes, the header describes {8 + length + end}); copy the "
                         "weights again")


def load_processor(path: str | Path, max_pixels: int | None = None):
    """The folder's processor; for vision models, guaranteed to carry an image processor.

    ``max_pixels`` caps image size (TRL's GRPO does not truncate prompts, so large images must be capped).
    """
    from transformers import AutoProcessor, AutoTokenizer

    path = Path(path)
    model_type = _model_type(path)
    if not is_vision_model(path):
        return AutoTokenizer.from_pretrained(path)
    processor = None
    try:
        processor = AutoProcessor.from_pretrained(path)
    except (ImportError, OSError, ValueError, TypeError, AttributeError):
        processor = None  # stock processor needs torchvision (video half); fall back below
    if processor is None or not hasattr(processor, "image_processor"):
        from specs.models.processors import IMAGE_ONLY_PROCESSORS  # lazy: it imports transformers at its top

        if model_type not in IMAGE_ONLY_PROCESSORS:
            raise ModelError(f"{path}: no image processor could be loaded for model_type {model_type!r}")
        processor = IMAGE_ONLY_PROCESSORS[model_type].from_pretrained(path)
    if max_pixels is not None:
        cap_pixels(processor, max_pixels)
    return processor


def cap_pixels(processor, max_pixels: int) -> None:
    """Cap image size in pixels on a Qwen-style image processor."""
    image_processor = processor.image_processor
    size = dict(image_processor.size)
    size["longest_edge"] = max_pixels
    size["shortest_edge"] = min(size.get("shortest_edge") or max_pixels, max_pixels)
    image_processor.size = size
    if hasattr(image_processor, "max_pixels"):
        image_processor.max_pixels = max_pixels


def capped_view(path: str | Path, max_pixels: int | None, view: str | Path) -> Path:
    """``path`` as an engine that loads the folder (TRL's colocated vLLM) must see it: with the recipe's pixel cap in
    its processor config. The folder itself when it already has it; else ``view``, a folder of links to its files
    with the capped processor config, so images are encoded as the trainer encodes them (TRL hands vLLM the raw
    image; vLLM applies the folder's cap, 12.8 MP for a stock Qwen2.5-VL)."""
    path, view = Path(path).resolve(), Path(view)
    names = ("processor_config.json", "preprocessor_config.json")
    configs = {n: json.loads((path / n).read_text(encoding="utf-8")) for n in names if (path / n).is_file()}
    capped = {n: _capped(c, max_pixels) for n, c in configs.items()} if max_pixels else configs
    if capped == configs:
        return path
    with atomic_dir(view) as tmp:
        for item in path.iterdir():
            if item.name not in capped:
                (tmp / item.name).symlink_to(item)
        for name, cfg in capped.items():
            (tmp / name).write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")
    return view


def _capped(cfg: dict, max_pixels: int) -> dict:
    """A processor config (or its ``image_processor`` section) with ``max_pixels`` as its cap, as ``cap_pixels``
    sets it on a loaded processor."""
    if isinstance(cfg.get("image_processor"), dict):
        return {**cfg, "image_processor": _capped(cfg["image_processor"], max_pixels)}
    size = dict(cfg.get("size") or {})
    size["longest_edge"] = max_pixels
    size["shortest_edge"] = min(size.get("shortest_edge") or max_pixels, max_pixels)
    out = {**cfg, "size": size}
    if "max_pixels" in cfg:
        out["max_pixels"] = max_pixels
    return out


def load_config(path: str | Path):
    """The folder's ``PretrainedConfig`` alone (no weights)."""
    from transformers import AutoConfig

    _model_type(Path(path))
    return AutoConfig.from_pretrained(path)


def load_model(path: str | Path, dtype: str = "auto", **kwargs):
    """``AutoModelForImageTextToText`` for vision models, ``AutoModelForCausalLM`` for text-only ones."""
    from transformers import AutoModelForCausalLM, AutoModelForImageTextToText

    path = Path(path)
    check_model_folder(path, vision=False)
    auto = AutoModelForImageTextToText if is_vision_model(path) else AutoModelForCausalLM
    try:
        return auto.from_pretrained(path, dtype=_resolve_dtype(dtype), use_safetensors=True, **kwargs)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:  # weights that do not fit the config, …
        if type(exc).__name__ == "OutOfMemoryError":
            raise
        raise ModelError(f"{path}: cannot load the model: {str(exc).strip().splitlines()[0][:300]}") from None


def load_for_generation(path: str | Path):
    """A whole model for ``generate``: each rank samples with all the weights.

    A ZeRO-3 trainer leaves its DeepSpeed config registered with transformers, and ``from_pretrained`` would then
    partition the next model across ranks (its weights empty on each), which ``generate`` cannot use.
    """
    from transformers.integrations.deepspeed import unset_hf_deepspeed_config


    check_model_folder(path)  # the prompts carry images: an image-text model
    unset_hf_deepspeed_config()
    return load_model(path).to(device())  # from_pretrained loads on the CPU: sample on this rank's GPU


def generation_dtype():
    """The dtype models sample in, on either backend: bfloat16 on a GPU that has it, else float32."""
    import torch

    return torch.bfloat16 if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else torch.float32


def _resolve_dtype(dtype: str):
    import torch

    if dtype == "auto":
        return generation_dtype()
    return {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[dtype]


def save_pretrained_atomic(model, processor, out: str | Path, state_dict: dict | None = None) -> Path:
    """Save model + processor into ``out`` via a sibling temp folder and a rename: never a half-written model.

    The processor is recorded as the stock one (class name, video half: :func:`stock_processor_config`), so machines
    with torchvision, and vLLM, load the stock processor.
    ``state_dict`` replaces the model's own tensors (the gathered weights of a sharded model).
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # transformers renames tensors on save by the conversions it recorded at load time; a DeepSpeed run can record
    # extra legacy ones (seen: language-model tensors written as model.model.*). Without a record it writes the
    # architecture's stock layout, whatever the run.
    model._weight_conversions = None
    with atomic_dir(out) as tmp:
        model.save_pretrained(tmp, state_dict=state_dict)
        processor.save_pretrained(tmp)
        proc_cfg = tmp / "processor_config.json"
        if proc_cfg.is_file():
            cfg = stock_processor_config(json.loads(proc_cfg.read_text()), getattr(model.config, "model_type", ""))
            proc_cfg.write_text(json.dumps(cfg, indent=2) + "\n")
    return out
