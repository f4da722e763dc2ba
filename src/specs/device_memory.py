"""The peak GPU memory a stage used, read from the driver (NVML) while it runs.

A stage's GPU memory is held by processes the runner does not own (the stage's process, vLLM's engine process), so
torch's allocator statistics in any one of them miss the rest. The driver sees the whole device: the runner samples
its rank's GPU while the stage runs and the manifest keeps the peak. NVML ships with vLLM's dependencies
(``nvidia-ml-py``); without it, or without a GPU, there is nothing to read and the peak is ``None``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from types import TracebackType

INTERVAL_S = 0.2


def local_gpu_index() -> int:
    """The NVML index of this rank's GPU: LOCAL_RANK through CUDA_VISIBLE_DEVICES (NVML ignores that variable)."""
    rank = int(os.environ.get("LOCAL_RANK", "0"))
    visible = [v.strip() for v in os.environ.get("CUDA_VISIBLE_DEVICES", "").split(",") if v.strip()]
    if rank < len(visible) and visible[rank].isdigit():
        return int(visible[rank])
    return rank


def nvml_used_mib() -> Callable[[], float] | None:
    """A reader of this rank's GPU's used memory in MiB, or None (no NVML library, driver or GPU)."""
    try:
        import pynvml

        pynvml.nvmlInit()
        handle = pynvml.nvmlDeviceGetHandleByIndex(local_gpu_index())
        pynvml.nvmlDeviceGetMemoryInfo(handle)
    except Exception:  # ImportError, NVMLError (no driver, no such device): nothing to measure here
        return None
    return lambda: pynvml.nvmlDeviceGetMemoryInfo(handle).used / 2**20


class PeakDeviceMemory:
    """``with PeakDeviceMemory() as peak: ...`` then ``peak.mib``: the largest reading taken while the block ran
    (every ``interval`` s, and once at each end), or None with nothing to read."""

    def __init__(self, read: Callable[[], float] | None = None, interval: float = INTERVAL_S) -> None:
        self.read = read if read is not None else nvml_used_mib()
        self.interval, self.mib = interval, None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _sample(self) -> None:
        value = self.read()
        self.mib = value if self.mib is None else max(self.mib, value)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> PeakDeviceMemory:
        if self.read is not None:
            self._sample()
            self._thread = threading.Thread(target=self._loop, name="device-memory", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._sample()
            self.mib = round(self.mib, 1)
