# Two entry points for users: `make demo` and `make test`. Both set up .venv from requirements.lock first; `make test`
# adds the lmms extra (requirements-lmms.lock) for the lmms-eval tests.
PY      := .venv/bin/python
STAMP   := .venv/.installed
LMMS    := .venv/.lmms-installed
# Keep pip off CUDA torch: the lock pins torch==2.13.0, which pip takes as the CPU build.
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup setup-lmms demo test lint bench lock lock-gpu lock-lmms toy-base clean

setup: $(STAMP)

# Rebuilt when the lock or pyproject changes (idempotent otherwise).
$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# The lmms extra (specs lmms-eval), which the tests cover: exact pins beside requirements.lock, without lmms-eval's own
# requirements (see requirements-lmms.lock).
setup-lmms: $(LMMS)

$(LMMS): $(STAMP) requirements-lmms.lock
	$(PY) -m pip install -q --no-deps -r requirements-lmms.lock
	@touch $(LMMS)

demo: setup
	.venv/bin/specs run --out runs/demo

test: setup setup-lmms
	.venv/bin/ruff check .
	$(PY) -m pytest -q

bench: setup
	$(PY) bench/grading.py
	$(PY) bench/overhead.py

# Rebuild the toy base shipped in the package (src/specs/toybase/prebuilt), from scratch at the default settings.
toy-base: setup
	.venv/bin/specs toy-base --out src/specs/toybase/prebuilt --force

lock:
	{ echo "# Exact CPU pin set that 'make setup' installs (pip resolves torch==2.13.0 to the local CPU wheel)."; \
	  echo "# Regenerate: make lock"; \
	  $(PY) -m pip freeze --exclude-editable | sed 's/^torch==\(.*\)+cpu/torch==\1/' | grep -vxFf requirements-lmms.lock; \
	} > requirements.lock.new
	mv requirements.lock.new requirements.lock

# lmms-eval without its requirements, plus what lmms-eval and our tasks' code import (Levenshtein: MathVista's utils;
# OpenCV: MEGA-Bench's; pytablewriter: its CLI's table), resolved against requirements.lock.
LMMS_IMPORTS := loguru sacrebleu evaluate pytz tenacity levenshtein opencv-python-headless pytablewriter
lock-lmms: setup
	$(PY) -m pip install -q -c requirements.lock --no-deps "lmms-eval==0.7.3"
	$(PY) -m pip install -q -c requirements.lock $(LMMS_IMPORTS)
	{ sed -n '1,4p' requirements-lmms.lock; \
	  $(PY) -m pip freeze --exclude-editable | sed 's/^torch==\(.*\)+cpu/torch==\1/' | grep -vxFf requirements.lock; \
	} > requirements-lmms.lock.new
	mv requirements-lmms.lock.new requirements-lmms.lock

# The GPU pin set (vLLM + DeepSpeed) resolved by pip without installing it; vLLM has no CPU wheel.
lock-gpu: setup
	PIP_CONSTRAINT= $(PY) -m pip install -q --dry-run --ignore-installed --report .gpu-lock.json ".[vllm,deepspeed]"
	$(PY) scripts/gpu_lock.py .gpu-lock.json > requirements-gpu.lock.new
	mv requirements-gpu.lock.new requirements-gpu.lock && rm .gpu-lock.json

clean:
	rm -rf .venv runs .cache .pytest_cache
