"""The benchmark's own instruments: memory of real processes, and the load generator
against a real HTTP server on 127.0.0.1. (The figures themselves come from `make bench`.)"""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from bench.load import LevelResult, run_level
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


async def test_the_load_counts_answers_errors_and_conversations() -> None:
    seen: list[tuple[str, str]] = []

    async def chat(request: web.Request) -> web.Response:
        body: dict[str, Any] = await request.json()
        seen.append((body["sender"], body["text"]))
        if body["text"] == "fail":
            return web.json_response({"error": "no"}, status=500)
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/chat", chat)
    async with TestServer(app, host="127.0.0.1") as server:
        url = str(server.make_url("/chat"))

        async def turn(http: aiohttp.ClientSession, sender: str, text: str) -> bool:
            async with http.post(url, json={"sender": sender, "text": text}) as response:
                return response.status == 200

        result: LevelResult = await run_level(
            turn, ["hello", "fail", "bye"], concurrency=3, seconds=0.5, warmup=0.2
        )

    summary = result.summary()
    assert summary["concurrency"] == 3 and summary["conversations"] >= 3
    assert summary["errors"] > 0 and summary["messages"] == len(result.latencies_ms) + result.errors
    # One failing turn in three: about a third of the measured turns are errors.
    assert 0.2 < summary["errors"] / summary["messages"] < 0.45
    assert summary["p50_ms"] <= summary["p95_ms"] <= summary["p99_ms"]
    # Each conversation is its own sender, and its turns arrive in the script's order.
    by_sender: dict[str, list[str]] = {}
    for sender, text in seen:
        by_sender.setdefault(sender, []).append(text)
    assert len(by_sender) >= 3
    assert all(texts == ["hello", "fail", "bye"][: len(texts)] for texts in by_sender.values())
