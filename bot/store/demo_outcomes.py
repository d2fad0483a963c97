"""A few weeks of demo conversation outcomes (bot/store/demo/outcomes.yml), for the reports.

Drawn with a fixed seed from the file's recipe, the days before `today`; each is a real
conversation (an identity `demo-outcome-N` on its channel, no messages) with its outcome
row. Loaded once: nothing changes if the first demo identity is already there.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ruamel.yaml import YAML
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import (
    Agent,
    Channel,
    ChannelIdentity,
    Conversation,
    ConversationHolder,
    ConversationOutcome,
    OutcomeKind,
)

RECIPE = Path(__file__).resolve().parent / "demo" / "outcomes.yml"
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
PREFIX = "demo-outcome-"


def read_recipe(path: Path = RECIPE) -> dict[str, Any]:
    recipe: dict[str, Any] = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    if abs(sum(recipe["mix"].values()) - 1) > 1e-9:
        raise ValueError(f"{path}: the mix must sum to 1")
    return recipe


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def rows(
    recipe: dict[str, Any], today: date, timezone: str, agents: list[int]
) -> list[dict[str, Any]]:
    """The outcome rows (without ids), oldest first."""
    rng = random.Random(15)
    zone = ZoneInfo(timezone)
    frt_rate = math.log(2) / recipe["first_response_seconds"]  # the median as given
    drawn: list[dict[str, Any]] = []
    for back in range(recipe["weeks"] * 7, 0, -1):
        day = today - timedelta(days=back)
        for _ in range(recipe["per_weekday"][WEEKDAYS[day.weekday()]]):
            local = datetime.combine(day, time(), zone) + timedelta(
                hours=min(23.9, max(0.0, rng.gauss(14, 3.5)))
            )
            started = local.astimezone(ZoneInfo("UTC"))
            outcome = OutcomeKind(_pick(rng, recipe["mix"]))
            row: dict[str, Any] = {
                "channel": Channel(_pick(rng, recipe["channels"])), "outcome": outcome,
                "started_at": started, "last_activity_at": started + timedelta(minutes=4),
                "closed_at": started + timedelta(hours=4), "agent_messages": 0,
                "reopened": rng.random() < 0.04, "intents": [],
            }  # fmt: skip
            if outcome is OutcomeKind.ASSISTANT_RESOLVED:
                row.update(resolved_at=row["last_activity_at"], resolution_seconds=240.0)
            else:
                handed = started + timedelta(minutes=2)
                intents = [rng.choice(recipe["topics"])]
                if rng.random() < recipe["not_understood"]:
                    intents.append("nlu_fallback")
                row.update(
                    handoff_reason=_pick(rng, recipe["reasons"]), handed_off_at=handed,
                    intents=[*intents, "request_human"],
                )  # fmt: skip
                if outcome is not OutcomeKind.ABANDONED:
                    frt = rng.expovariate(frt_rate)
                    answered = handed + timedelta(seconds=frt)
                    row.update(
                        agent_id=rng.choice(agents) if agents else None,
                        first_agent_reply_at=answered,
                        first_response_seconds=frt, agent_messages=rng.randint(1, 5),
                        last_activity_at=answered + timedelta(minutes=5),
                    )  # fmt: skip
                if outcome is OutcomeKind.AGENT_RESOLVED:
                    resolved = row["last_activity_at"] + timedelta(minutes=rng.randint(1, 30))
                    row.update(
                        resolved_at=resolved,
                        resolution_seconds=(resolved - started).total_seconds(),
                    )
            drawn.append(row)
    return drawn


async def load_demo_outcomes(session: AsyncSession, today: date, timezone: str) -> int:
    """Insert the demo outcomes once; how many (0 if they are there already)."""
    present = await session.scalar(
        select(ChannelIdentity.id).where(ChannelIdentity.external_id == PREFIX + "1").limit(1)
    )
    if present is not None:
        return 0
    agents = list(await session.scalars(select(Agent.id).order_by(Agent.id)))
    drawn = rows(read_recipe(), today, timezone, agents)
    for n, row in enumerate(drawn, start=1):
        identity = ChannelIdentity(
            channel=row["channel"], external_id=f"{PREFIX}{n}", created_at=row["started_at"]
        )
        session.add(identity)
        await session.flush()
        conversation = Conversation(
            identity_id=identity.id, channel=row["channel"], holder=ConversationHolder.BOT,
            created_at=row["started_at"], last_message_at=row["last_activity_at"],
        )  # fmt: skip
        session.add(conversation)
        await session.flush()
        await session.execute(
            insert(ConversationOutcome), [{"conversation_id": conversation.id, **row}]
        )
    return len(drawn)
