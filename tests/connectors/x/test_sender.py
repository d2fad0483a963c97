"""Replies to X through the outbox: retried on a server error, held back until
x-rate-limit-reset, delivered once."""

from __future__ import annotations

from bot.settings import Settings
from bot.store.models import (
    DeliveryStatus,
)
from tests import helpers
from tests.fakes.x_api import (
    FakeX,
    dm,
    post_activity,
)
from tests.helpers import StartGateway


async def test_failed_sends_are_retried_once_delivered_and_rate_limits_honoured(
    start: StartGateway, fake_x: FakeX, x_settings: Settings
) -> None:
    fake_x.fail_sends(2, status=503)
    client = await start()
    await post_activity(client, dm("first"))
    await helpers.settled(client)
    assert [d["text"] for d in fake_x.dms] == ["You said: first"]
    (row,) = await helpers.outbox(x_settings)
    assert (row.status, row.attempts) == (DeliveryStatus.SENT, 3)

    reset = fake_x.rate_limit_sends(reset_in_seconds=1)
    await post_activity(client, dm("second"))
    await helpers.settled(client)
    assert [d["text"] for d in fake_x.dms] == ["You said: first", "You said: second"]
    _, second = await helpers.outbox(x_settings)
    assert (second.status, second.attempts) == (DeliveryStatus.SENT, 1), "waiting is no failure"
    assert fake_x.dms[1]["at"] >= reset, "not retried before x-rate-limit-reset"
