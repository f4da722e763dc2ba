#!/usr/bin/env bash
# GPU check: a random Qwen2.5-VL-7B-shaped model through GRPO (default precision with the online filter's path, then
# pure bf16), DPO, generation and a kill-and-resume of GRPO on one GPU, offline, printing tokens/s, peak memory and
# MFU and writing gpu_check.json (see scripts/gpu_check.py). The 7B timing of the grpo_bf16 and resume phases is
# not measured yet: if the run hits the limit, pass --phases to split it.
#
#   bash scripts/gpu_wheels.sh     # here, with network: TRL, datasets, pydantic, ... as wheels in .whl/
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
