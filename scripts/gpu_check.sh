#!/usr/bin/env bash
# GPU check (issue 6): a random Qwen2.5-VL-7B-shaped model through GRPO, DPO and generation on one GPU, offline,
# printing tokens/s, peak memory and MFU and writing gpu_check.json (see scripts/gpu_check.py).
#
#   bash scripts/gpu_wheels.sh     # here, with network: TRL, datasets, pydantic, ... as wheels in .whl/
#   bash scripts/gpu_check.sh      # there, from the repo root: ~5 minutes, killed after 8; --help for options
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
exec timeout --kill-after=15 480 "$PY" scripts/gpu_check.py "${args[@]}"
