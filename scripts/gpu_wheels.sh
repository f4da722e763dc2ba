#!/usr/bin/env bash
# Download into .whl/ the wheels that the GPU machine lacks, so scripts/gpu_check.sh can install them offline.
#
# Run here, with network to PyPI. The GPU machine (Python 3.12, x86_64) has torch, transformers, accelerate,
# peft, pyarrow, numpy, pillow, pyyaml and typer, but not TRL, datasets, pydantic, math-verify or their own
# dependencies. Versions come from requirements.lock, the set our tests pass with. No dependency resolution
# (--no-deps): this list is the complete set of missing runtime imports of specs, TRL and datasets, found by
# reading their imports and checked with an import test in an environment that holds only the GPU's packages.
#
#   bash scripts/gpu_wheels.sh            # → .whl/*.whl, for CPython 3.12
#   PY_VERSION=3.11 bash scripts/gpu_wheels.sh   # another Python (e.g. to test the set on this machine)
set -euo pipefail
cd "$(dirname "$0")/.."

DEST=${DEST:-.whl}
PY_VERSION=${PY_VERSION:-3.12}
LOCK=requirements.lock
PACKAGES=(
  trl datasets dill multiprocess xxhash pandas python-dateutil tzdata  # TRL + datasets (pandas: datasets, TRL)
  pydantic pydantic_core annotated-types typing-inspection typing_extensions  # specs configs (pydantic ≥ 2.14
  # needs typing_extensions ≥ 4.16, newer than torch alone guarantees)
  math-verify latex2sympy2_extended antlr4-python3-runtime  # grading's symbolic fallback (sympy comes with torch)
)

pins=()
for name in "${PACKAGES[@]}"; do
  # requirements.lock spells names as pip freeze does; compare case-insensitively with - and _ equal
  pattern=$(printf '%s' "$name" | sed 's/[-_]/[-_]/g')
  pin=$(grep -iE "^${pattern}==" "$LOCK" | head -n1 || true)
  if [[ -z "$pin" ]]; then
    echo "gpu_wheels: $name is not pinned in $LOCK" >&2
    exit 1
  fi
  pins+=("$pin")
done

mkdir -p "$DEST"
${PYTHON:-python3} -m pip download -q --no-deps --only-binary=:all: \
  --python-version "$PY_VERSION" --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
  --platform manylinux_2_27_x86_64 \
  -d "$DEST" "${pins[@]}"

ls -1 "$DEST"
echo "gpu_wheels: $(find "$DEST" -maxdepth 1 -type f -name '*.whl' | wc -l) wheels, $(du -sh "$DEST" | cut -f1) in $DEST"
