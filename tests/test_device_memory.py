"""specs.device_memory: the sampler keeps the largest reading; no NVML or no GPU reads as nothing."""

import itertools
import time

from specs.device_memory import PeakDeviceMemory, local_gpu_index, nvml_used_mib


def test_the_peak_is_the_largest_reading_taken_while_the_block_ran():
    readings = itertools.chain([100.0, 900.0, 300.0], itertools.repeat(200.0))
    with PeakDeviceMemory(lambda: next(readings), interval=0.001) as peak:
        time.sleep(0.05)
    assert peak.mib == 900.0


def test_nothing_to_read_gives_no_peak():
    with PeakDeviceMemory(read=None) as peak:
        if nvml_used_mib() is None:  # this machine: no NVML binding or no GPU
            assert peak.read is None
    assert peak.mib is None or peak.mib > 0


def test_the_rank_s_gpu_goes_through_cuda_visible_devices(monkeypatch):
    monkeypatch.setenv("LOCAL_RANK", "1")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "4,6")
    assert local_gpu_index() == 6
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES")
    assert local_gpu_index() == 1
