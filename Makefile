# Two entry points for users: `make demo` and `make test`. Both set up .venv from requirements.lock first.
PY      := .venv/bin/python
STAMP   := .venv/.installed
# Keep pip off CUDA torch: the lock pins torch==2.13.0, which pip takes as the CPU build.
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup demo test lint bench lock lock-gpu toy-base clean

setup: $(STAMP)

# Rebuilt when the lock or pyproject changes (idempotent otherwise).
$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	@touch $(STAMP)

demo: setup
	.venv/bin/specs run --out runs/demo

test: setup
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
	  $(PY) -m pip freeze --exclude-editable | sed 's/^torch==\(.*\)+cpu/torch==\1/'; } > requirements.lock.new
	mv requirements.lock.new requirements.lock

# The GPU pin set (vLLM + DeepSpeed) resolved by pip without installing it; vLLM has no CPU wheel.
lock-gpu: setup
	PIP_CONSTRAINT= $(PY) -m pip install -q --dry-run --ignore-installed --report .gpu-lock.json ".[vllm,deepspeed]"
	$(PY) scripts/gpu_lock.py .gpu-lock.json > requirements-gpu.lock.new
	mv requirements-gpu.lock.new requirements-gpu.lock && rm .gpu-lock.json

clean:
	rm -rf .venv runs .cache .pytest_cache
