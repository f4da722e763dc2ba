"""Write requirements-gpu.lock from a `pip install --dry-run --report` of `.[vllm,deepspeed]` (see `make lock-gpu`).

Local version tags are dropped (torch 2.13.0+cpu resolved here is torch 2.13.0 from PyPI on a GPU machine).
"""

import json
import sys

HEADER = """\
# GPU pin set for `specs[vllm,deepspeed]` on Linux x86_64, Python 3.11/3.12 (resolved by pip; not used by CI).
# vLLM 0.31.0 pins torch 2.13.0 (pip takes the CUDA build from PyPI) and transformers < 5.18, hence 5.17.0 here
# (the CPU lock tests 5.24.0). Install: pip install -r requirements-gpu.lock && pip install --no-deps -e .
# Regenerate: make lock-gpu
"""


def main(report_path: str) -> None:
    with open(report_path) as f:
        report = json.load(f)
    pins = sorted(
        (item["metadata"]["name"], item["metadata"]["version"].split("+")[0])
        for item in report["install"]
        if item["metadata"]["name"] != "specs"
    )
    sys.stdout.write(HEADER + "".join(f"{name}=={version}\n" for name, version in pins))


if __name__ == "__main__":
    main(sys.argv[1])
