#!/usr/bin/env bash
# GPU check, offline, writing gpu_check.json (see scripts/gpu_check.py): recipes/qwen2.5-vl-7b.yaml rehearsed up to
# GRPO-zero on every GPU here with a random 7B-shaped model (vLLM engines in sequence, ZeRO-3 + colocate, large
# images; each stage's peak GPU memory, a round's time, driver and CUDA versions), plus server mode on 2+ GPUs.
# Where vLLM or DeepSpeed is missing, or with --phases grpo,grpo_bf16,dpo,generation,resume: LoRA GRPO, DPO,
# generation and a kill-and-resume on the full 28-layer shape (tokens/s, peak memory, MFU). No phase has been timed
# on a GPU yet: if the run hits the limit, pass --phases to split it.
#
#   pip install -r requirements-gpu.lock && pip install --no-deps -e .   # the GPU machine's environment, or:
#   bash scripts/gpu_wheels.sh     # here, with network: TRL, datasets, pydantic, ... as wheels in .whl/ (no vLLM)
#   bash scripts/gpu_check.sh      # there, from the repo root: killed after 9.5 minutes; --help for options
#
# Env: PYTHON (default python3), OUT (default runs/gpu-check; --out wins), WHEELS (default .whl), SITE (where
# the wheels are unpacked, default /tmp/site).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
WHEELS=${WHEELS:-.whl}
SITE=${SITE:-/tmp/site}
if compgen -G "$WHEELS/*.whl" > /dev/null; then
  if "$PY" -m pip --version > /dev/null 2>&1; then
    "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$SITE" "$WHEELS"/*.whl
  else  # no pip: a wheel is a zip whose root is what --target would hold
    for wheel in "$WHEELS"/*.whl; do "$PY" -m zipfile -e "$wheel" "$SITE"; done
  fi
  export PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}"
fi
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false

args=("$@")
if [[ ! " $* " =~ [[:space:]]--out[[:space:]=] ]]; then
  args+=(--out "${OUT:-runs/gpu-check}")
fi
exec timeout --kill-after=15 570 "$PY" scripts/gpu_check.py "${args[@]}"
