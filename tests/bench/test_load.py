"""The benchmark's load generator against a real HTTP server on 127.0.0.1.
(The figures themselves come from `make bench`.)"""

from __future__ import annotations

from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from bench.load import LevelResult, run_level


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
