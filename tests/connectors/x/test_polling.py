"""X DM polling (X_MODE=polling): its cursor, so a restart neither repeats nor skips."""

from __future__ import annotations

from bot.settings import Settings
from bot.store.models import (
    ChannelCursor,
)
from tests import helpers
from tests.fakes.rasa import FakeRasa
from tests.fakes.x_api import (
    CUSTOMER,
    OUR_USER_ID,
    FakeX,
)
from tests.helpers import StartGateway, until


async def test_polling_keeps_its_cursor_so_a_restart_neither_repeats_nor_skips(
    start: StartGateway, fake_x: FakeX, fake_rasa: tuple[FakeRasa, str], x_settings: Settings
) -> None:
    fake_x.users[CUSTOMER] = {"id": CUSTOMER, "name": "Grace Kim", "username": "gracek"}
    fake_x.add_dm_event(1000, CUSTOMER, "an old message from last week")
    first = await start(x_mode="polling")
    await until(lambda: fake_x.event_reads >= 2)  # the first poll only sets the cursor
    fake_x.add_dm_event(1001, CUSTOMER, "hello by DM")
    fake_x.add_dm_event(1002, OUR_USER_ID, "You said: an echo of ours")
    await until(lambda: len(fake_x.dms) == 1)
    await helpers.settled(first)
    await first.close()

    fake_x.add_dm_event(1003, CUSTOMER, "sent while the gateway was down")
    second = await start(x_mode="polling")
    await until(lambda: len(fake_x.dms) == 2)
    reads = fake_x.event_reads
    await until(lambda: fake_x.event_reads >= reads + 3)  # a few more polls: nothing new
    await helpers.settled(second)
    assert [b["message"] for b in fake_rasa[0].received] == [
        "hello by DM",
        "sent while the gateway was down",
    ]
    (cursor,) = await helpers.query(x_settings, ChannelCursor.__table__.select())
    assert cursor == "x:dm_events"
    assert (await helpers.messages(x_settings))[0].text == "hello by DM"
