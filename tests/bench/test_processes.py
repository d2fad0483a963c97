"""The benchmark's memory instruments, on real processes that hold a known block.
(The figures themselves come from `make bench`.)"""

from __future__ import annotations

import subprocess
import sys
import time

from bench.processes import MemorySampler, Server, tree_memory, tree_rss

HOLD_MIB = 64
HOLDER = (
    f"import time; block = bytearray({HOLD_MIB} * 2**20); "
    "print('ready', flush=True); time.sleep(30)"
)


def stop_holder(process: subprocess.Popen[str]) -> None:
    process.kill()
    process.wait()
    if process.stdout is not None:
        process.stdout.close()


def start_holder() -> subprocess.Popen[str]:
    process = subprocess.Popen([sys.executable, "-c", HOLDER], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    return process


def test_memory_of_a_process_that_holds_a_block() -> None:
    holder = start_holder()
    try:
        assert tree_rss(holder.pid) >= HOLD_MIB * 2**20
        rss, pss = tree_memory(holder.pid)
        assert rss >= HOLD_MIB * 2**20  # the block is resident: bytearray writes zeros
        assert HOLD_MIB * 2**20 <= pss <= rss  # its own pages count fully in PSS too
    finally:
        stop_holder(holder)
    assert tree_memory(holder.pid) == (0, 0)  # gone
    assert tree_rss(holder.pid) == 0


def test_the_sampler_keeps_the_peak_of_each_server_and_of_all_together() -> None:
    holders = [start_holder(), start_holder()]
    servers = [Server(f"holder-{i}", p, log=None) for i, p in enumerate(holders)]  # type: ignore[arg-type]
    try:
        with MemorySampler(servers, interval=0.05, pss_every=3).running() as sampler:
            time.sleep(0.3)
    finally:
        for holder in holders:
            stop_holder(holder)
    assert set(sampler.peak_by_name) == {"holder-0", "holder-1"}
    assert all(peak >= HOLD_MIB * 2**20 for peak in sampler.peak_by_name.values())
    assert sampler.peak_total >= 2 * HOLD_MIB * 2**20
    assert 2 * HOLD_MIB * 2**20 <= sampler.peak_total_pss <= sampler.peak_total
