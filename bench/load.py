"""A closed-loop load generator: C conversations at a time, each its own sender.

Every worker runs whole conversations (several turns, one after the other, each turn waiting
for its answer) for the duration of a level; latency is per turn. Bounded in time and count,
and only ever aimed at 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

# Sends one turn; returns True when the answer is a real answer (not an error or fallback).
Turn = Callable[[aiohttp.ClientSession, str, str], Awaitable[bool]]

TURN_TIMEOUT_SECONDS = 60
MAX_TURNS_PER_LEVEL = 20_000  # a hard stop whatever the duration


@dataclass
class LevelResult:
    concurrency: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    conversations: int = 0

    @property
    def messages(self) -> int:
        return len(self.latencies_ms) + self.errors

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
        return ordered[index]

    def summary(self) -> dict[str, Any]:
        return {
            "concurrency": self.concurrency,
            "messages": self.messages,
            "conversations": self.conversations,
            "errors": self.errors,
            "messages_per_second": self.messages / self.seconds if self.seconds else 0.0,
            "p50_ms": self.percentile(50),
            "p95_ms": self.percentile(95),
            "p99_ms": self.percentile(99),
            "mean_ms": statistics.fmean(self.latencies_ms) if self.latencies_ms else None,
        }


async def run_level(
    turn: Turn, script: list[str], concurrency: int, seconds: float, warmup: float = 3.0
) -> LevelResult:
    """Run `concurrency` workers for `warmup + seconds`; measure only after the warm-up."""
    result = LevelResult(concurrency, seconds)
    started = time.monotonic()
    measure_from = started + warmup
    stop_at = measure_from + seconds
    connector = aiohttp.TCPConnector(limit=concurrency + 5)
    timeout = aiohttp.ClientTimeout(total=TURN_TIMEOUT_SECONDS)

    async def worker(http: aiohttp.ClientSession, index: int) -> None:
        # Customers do not all start in the same millisecond: started together, every
        # conversation stayed at the same turn as the others (all greeting, then all looking
        # up an order at once), and the latencies measured that lock-step rather than the
        # server. Starts are spread evenly over the warm-up, which is not measured.
        await asyncio.sleep(warmup * index / concurrency)
        while time.monotonic() < stop_at and result.messages < MAX_TURNS_PER_LEVEL:
            sender = f"bench-{uuid.uuid4().hex[:12]}"
            for text in script:
                if time.monotonic() >= stop_at:
                    return
                begin = time.monotonic()
                try:
                    ok = await turn(http, sender, text)
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    ok = False
                end = time.monotonic()
                if begin < measure_from:
                    continue  # warm-up turns are not counted
                if ok:
                    result.latencies_ms.append((end - begin) * 1000)
                else:
                    result.errors += 1
            if time.monotonic() >= measure_from:
                result.conversations += 1

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        await asyncio.gather(*(worker(http, index) for index in range(concurrency)))
    return result
