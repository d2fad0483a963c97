"""`make bench-reports`: how long the reports page's figures take on a large store.

Generates a store (a temporary SQLite file, or DATABASE_URL's database when --database-url
is given: it must be empty and is migrated first) with --conversations conversations spread
over --days days, each with its outcome (a realistic mix: most resolved by the assistant,
some handed off, a few abandoned), then times `bot/services/outcomes.report` for the last
week, the last month and the whole range, all channels and one channel, and prints it.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from bot.services import outcomes
from bot.services.outcomes import Period
from bot.store.db import SessionFactory, create_engine, create_session_factory
from bot.store.migrate import upgrade_to_head
from bot.store.models import Channel, ChannelIdentity, Conversation, ConversationOutcome

BATCH = 2000
REASONS = ["customer_request", "complaint", "needs_person", "assistant_unavailable"]
INTENTS = ["greet", "order_status", "repair_status", "boutique_hours", "product_info"]


def outcome_row(
    conversation_id: int, channel: Channel, started: datetime, rng: random.Random
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "conversation_id": conversation_id, "channel": channel, "started_at": started,
        "last_activity_at": started + timedelta(minutes=3), "agent_messages": 0,
        "reopened": rng.random() < 0.05, "intents": [], "closed_at": started + timedelta(hours=4),
        "outcome": "assistant_resolved", "resolved_at": started + timedelta(minutes=3),
        "resolution_seconds": 180.0,
    }  # fmt: skip
    if rng.random() < 0.3:
        handed = started + timedelta(minutes=2)
        frt = rng.expovariate(1 / 400)
        row.update(
            handoff_reason=rng.choice(REASONS), handed_off_at=handed,
            intents=[rng.choice(INTENTS), "request_human"]
            + (["nlu_fallback"] if rng.random() < 0.2 else []),
        )  # fmt: skip
        if rng.random() < 0.15:
            row.update(outcome="abandoned", resolved_at=None, resolution_seconds=None)
        else:
            row.update(
                outcome="agent_resolved", first_agent_reply_at=handed + timedelta(seconds=frt),
                first_response_seconds=frt, agent_messages=rng.randint(1, 6),
                resolution_seconds=120 + frt + rng.expovariate(1 / 900),
            )  # fmt: skip
    return row


async def generate(sessions: SessionFactory, conversations: int, days: int, end: datetime) -> None:
    rng = random.Random(15)
    channels = list(Channel)
    for first in range(0, conversations, BATCH):
        ids = range(first + 1, min(first + BATCH, conversations) + 1)
        rows = []
        for n in ids:
            started = end - timedelta(seconds=rng.uniform(0, days * 86400))
            rows.append((n, channels[n % len(channels)], started))
        async with sessions.begin() as session:
            await session.execute(insert(ChannelIdentity), [
                {"id": n, "channel": channel, "external_id": f"bench-{n}", "created_at": started}
                for n, channel, started in rows
            ])  # fmt: skip
            await session.execute(insert(Conversation), [
                {"id": n, "identity_id": n, "channel": channel, "holder": "bot",
                 "created_at": started, "last_message_at": started}
                for n, channel, started in rows
            ])  # fmt: skip
            await session.execute(
                insert(ConversationOutcome),
                [outcome_row(n, channel, started, rng) for n, channel, started in rows],
            )


async def measure(
    database_url: str, conversations: int, days: int, zone: str
) -> list[tuple[str, int, float]]:
    engine = create_engine(database_url)
    sessions = create_session_factory(engine)
    end = datetime.now(timezone.utc)
    today = end.astimezone(ZoneInfo(zone)).date()
    try:
        started = time.perf_counter()
        await generate(sessions, conversations, days, end)
        print(f"generated {conversations} conversations over {days} days in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        results = []
        for label, span, channel in [
            ("last 7 days", 7, None), ("last 30 days", 30, None),
            (f"all {days} days", days, None), (f"all {days} days, web chat", days, Channel.WEBCHAT),
        ]:  # fmt: skip
            period = Period(today - timedelta(days=span - 1), today, zone)
            async with sessions() as session:
                started = time.perf_counter()
                report = await outcomes.report(session, period, channel)
                elapsed = time.perf_counter() - started
            results.append((label, report.conversations, elapsed))
            print(f"{label:32} {report.conversations:8} conversations  {elapsed * 1000:8.1f} ms")
        return results
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--timezone", default="America/New_York")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'reports.db'}"
        upgrade_to_head(url)
        asyncio.run(measure(url, args.conversations, args.days, args.timezone))


if __name__ == "__main__":
    main()
