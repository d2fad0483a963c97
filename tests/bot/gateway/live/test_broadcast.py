"""The live-event fan-out: every subscriber gets every event; a stuck one is dropped."""

from __future__ import annotations

import pytest

from bot.gateway.live.broadcast import (
    MESSAGE,
    SESSION_REVOKED,
    SUBSCRIBER_BACKLOG,
    LiveEvent,
    LocalBroadcaster,
    SubscriptionLost,
)


async def test_each_subscriber_gets_each_event_in_order() -> None:
    live = LocalBroadcaster()
    events = [LiveEvent(MESSAGE, conversation_id=1, message_id=n) for n in range(3)]
    async with live.subscribe() as first, live.subscribe() as second:
        for event in events:
            await live.publish(event)
        assert [await first.get() for _ in events] == events
        assert [await second.get() for _ in events] == events
    await live.publish(events[0])  # nobody listens any more: nothing happens


async def test_a_subscriber_that_falls_behind_is_dropped_not_waited_for() -> None:
    live = LocalBroadcaster()
    async with live.subscribe() as slow:
        for n in range(SUBSCRIBER_BACKLOG + 1):
            await live.publish(LiveEvent(MESSAGE, message_id=n))
        with pytest.raises(SubscriptionLost):
            await slow.get()


def test_events_travel_as_json_between_gateways() -> None:
    event = LiveEvent(SESSION_REVOKED, session_id=7)
    assert LiveEvent.from_json(event.to_json()) == event
    # A newer gateway's extra field does not break an older one.
    assert LiveEvent.from_json('{"kind": "message", "future": 1}') == LiveEvent(MESSAGE)
