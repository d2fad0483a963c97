"""The outbox on SQLite and PostgreSQL: queued with the message, claimed by one worker only,
kept in order per recipient, retried with backoff, never sent twice."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.gateway.conversations import record as conversations
from bot.gateway.delivery.outbox import Outbox
from bot.gateway.delivery.senders import Delivery, PermanentFailure, RetryableFailure, split_text
from bot.gateway.replies import Reply
from bot.settings import Settings
from bot.store.db import SessionFactory, create_engine, create_session_factory
from bot.store.models import Channel, DeliveryStatus, Message, OutboxMessage
from bot.store.types import utcnow
from tests.helpers import until

SETTINGS = Settings(
    outbox_max_attempts=3,
    outbox_retry_base_seconds=0.01,
    outbox_sweep_seconds=0.05,
    outbox_sending_timeout_seconds=60,
)


@dataclass
class PlatformDouble:
    """Stands in for a platform's API: records parts sent, fails on request."""

    sent: list[tuple[str, str]] = field(default_factory=list)  # (recipient, text)
    failures: dict[tuple[str, int], list[Exception]] = field(default_factory=dict)
    delay: float = 0.0

    def parts(self, delivery: Delivery) -> int:
        return len(split_text(str(delivery.payload["text"]), 20))

    async def send_part(self, delivery: Delivery, index: int) -> str | None:
        await asyncio.sleep(self.delay)
        pending = self.failures.get((str(delivery.payload["text"])[:5], index))
        if pending:
            raise pending.pop(0)
        self.sent.append((delivery.recipient, split_text(str(delivery.payload["text"]), 20)[index]))
        return str(len(self.sent))


async def queue(
    sessions: SessionFactory, recipient: str, text: str, channel: Channel = Channel.TELEGRAM
) -> None:
    async with sessions.begin() as session:
        identity = await conversations.get_or_create_identity(session, channel, recipient)
        conversation = await conversations.current_conversation(session, identity)
        state = await conversations.conversation_state(session, conversation.id)
        await conversations.record_replies(session, state, [Reply(text)])


async def rows(sessions: SessionFactory) -> list[OutboxMessage]:
    async with sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def outbox_with(sessions: SessionFactory, platform: PlatformDouble) -> Outbox:
    outbox = Outbox(sessions, SETTINGS)
    outbox.register(Channel.TELEGRAM, platform)
    return outbox


async def deliver_all(outbox: Outbox, sessions: SessionFactory) -> None:
    async def done() -> bool:
        await outbox.deliver_due()
        return all(
            r.status in (DeliveryStatus.SENT, DeliveryStatus.FAILED) for r in await rows(sessions)
        )

    await until(done, 5, "every row final")


async def test_a_reply_is_queued_in_the_transaction_that_records_it(
    sessions: SessionFactory,
) -> None:
    with pytest.raises(RuntimeError):
        async with sessions.begin() as session:
            identity = await conversations.get_or_create_identity(session, Channel.TELEGRAM, "1")
            conversation = await conversations.current_conversation(session, identity)
            state = await conversations.conversation_state(session, conversation.id)
            await conversations.record_replies(session, state, [Reply("hi")])
            raise RuntimeError("the turn fails before commit")
    assert await rows(sessions) == []

    await queue(sessions, "s-1", "web chat replies go back in the HTTP answer", Channel.WEBCHAT)
    await queue(sessions, "1", "hi", Channel.TELEGRAM)
    (row,) = await rows(sessions)
    assert (row.channel, row.recipient, row.payload) == (Channel.TELEGRAM, "1", {"text": "hi"})
    async with sessions() as session:
        assert row.message_id == await session.scalar(
            select(Message.id).where(Message.text == "hi")
        )


async def test_two_workers_never_send_the_same_row(
    sessions: SessionFactory, database_url: str
) -> None:
    for n in range(12):
        await queue(sessions, f"chat-{n % 4}", f"m{n:02d}")
    platform = PlatformDouble(delay=0.005)
    other_engine = create_engine(database_url)  # a second gateway, with its own pool
    try:
        first = outbox_with(sessions, platform)
        second = outbox_with(create_session_factory(other_engine), platform)
        await asyncio.gather(deliver_all(first, sessions), deliver_all(second, sessions))
    finally:
        await other_engine.dispose()
    assert sorted(text for _, text in platform.sent) == [f"m{n:02d}" for n in range(12)]
    for recipient in {r for r, _ in platform.sent}:  # each chat got its messages in order
        texts = [t for r, t in platform.sent if r == recipient]
        assert texts == sorted(texts)


async def test_a_retried_message_keeps_its_place_in_the_chat_and_others_go_on(
    sessions: SessionFactory,
) -> None:
    await queue(sessions, "a", "a-first")
    await queue(sessions, "a", "a-second")
    await queue(sessions, "b", "b-only")
    platform = PlatformDouble(failures={("a-fir", 0): [RetryableFailure("503")]})
    await deliver_all(outbox_with(sessions, platform), sessions)
    assert platform.sent == [("b", "b-only"), ("a", "a-first"), ("a", "a-second")]
    assert [r.attempts for r in await rows(sessions)] == [2, 1, 1]


async def test_it_gives_up_after_the_last_attempt_and_says_why(sessions: SessionFactory) -> None:
    await queue(sessions, "a", "never")
    await queue(sessions, "a", "after it")
    platform = PlatformDouble(failures={("never", 0): [RetryableFailure("503")] * 5})
    await deliver_all(outbox_with(sessions, platform), sessions)
    failed, sent = await rows(sessions)
    assert (failed.status, failed.attempts) == (DeliveryStatus.FAILED, 3)
    assert failed.last_error == "gave up after 3 attempts: 503"
    assert sent.status is DeliveryStatus.SENT, "a failed message does not block the chat"


async def test_a_permanent_failure_is_not_retried(sessions: SessionFactory) -> None:
    await queue(sessions, "a", "blocked")
    platform = PlatformDouble(failures={("block", 0): [PermanentFailure("blocked by user")]})
    await deliver_all(outbox_with(sessions, platform), sessions)
    (row,) = await rows(sessions)
    assert (row.status, row.attempts, row.last_error) == (
        DeliveryStatus.FAILED,
        1,
        "blocked by user",
    )


async def test_a_split_message_resumes_after_the_parts_already_sent(
    sessions: SessionFactory,
) -> None:
    text = "First sentence here. Second sentence here. Third one."
    await queue(sessions, "a", text)
    platform = PlatformDouble(failures={("First", 1): [RetryableFailure("503")]})
    await deliver_all(outbox_with(sessions, platform), sessions)
    assert [t for _, t in platform.sent] == split_text(text, 20)
    assert len(platform.sent) == 3, "the first part was not sent twice"


async def test_a_row_left_sending_by_a_dead_worker_is_failed_not_resent(
    sessions: SessionFactory,
) -> None:
    await queue(sessions, "a", "in flight when the gateway died")
    await queue(sessions, "a", "queued behind it")
    async with sessions.begin() as session:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == (await rows(sessions))[0].id)
            .values(status=DeliveryStatus.SENDING, next_attempt_at=utcnow() - timedelta(hours=1))
        )
    platform = PlatformDouble()
    outbox = outbox_with(sessions, platform)
    assert await outbox.fail_interrupted() == 1
    await deliver_all(outbox, sessions)
    stuck, after = await rows(sessions)
    assert stuck.status is DeliveryStatus.FAILED
    assert stuck.last_error is not None and "not sent again" in stuck.last_error
    assert platform.sent == [("a", "queued behind it")]
    assert after.status is DeliveryStatus.SENT


async def test_the_worker_is_woken_at_once_by_a_commit(sessions: SessionFactory) -> None:
    platform = PlatformDouble()
    outbox = Outbox(sessions, Settings(outbox_sweep_seconds=60))  # the sweep alone: a minute
    outbox.register(Channel.TELEGRAM, platform)
    worker = asyncio.create_task(outbox.run())
    try:
        await queue(sessions, "a", "now please")
        outbox.wake()
        await until(lambda: platform.sent == [("a", "now please")], 2)
    finally:
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
