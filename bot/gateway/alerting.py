"""Announcing alerts once they are committed, and the queue's scheduled jobs.

Whoever raised an alert (the pipeline at a handoff, an agent's team transfer, the escalation
job) calls `Alerter.announce` after the commit: a live event tells every open inbox page,
in every gateway, and the on-duty e-mail, when the alert has one pending, is sent in the
background (taken with a conditional UPDATE, so it goes out once). The jobs run once
across gateways (bot/gateway/scheduler.py): escalating handoffs left unclaimed, waking
snoozed conversations, sending e-mails a stopped gateway left pending, and alerting privacy
requests past their due date (once each).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.gateway.conversations import record as conversations
from bot.gateway.live.broadcast import (
    Broadcaster,
    LiveEvent,
    alert_event,
    conversation_event,
    message_event,
    publish_all,
)
from bot.gateway.replies import Reply
from bot.gateway.scheduler import Job
from bot.services import alerts, handoffs, privacy_requests, snooze
from bot.services.customers import CHANNEL_NAMES, customer_name
from bot.services.mail import MailError, send_mail
from bot.services.routing import intent_in_words, reason_in_words
from bot.settings import Settings
from bot.store.db import SessionFactory
from bot.store.models import Alert, Author, ChannelIdentity, Contact, Conversation

logger = logging.getLogger(__name__)

# A pending e-mail older than this was left by a gateway that stopped before sending it;
# one still "sending" after MAIL_INTERRUPTED_AFTER, by a gateway that stopped mid-send.
MAIL_LEFT_AFTER = timedelta(minutes=1)
MAIL_INTERRUPTED_AFTER = timedelta(minutes=10)
WOKE_NOTE = "Back from snooze: the time set has come."
WOKE_BY_CUSTOMER_NOTE = "Back from snooze: the customer wrote."


class Alerter:
    def __init__(self, settings: Settings, sessions: SessionFactory, live: Broadcaster) -> None:
        self._settings = settings
        self._sessions = sessions
        self._live = live
        self._mailing: set[asyncio.Task[bool]] = set()

    async def announce(self, alert_ids: list[int]) -> None:
        """After the commit that raised them: tell the inbox pages, mail in the background."""
        events: list[LiveEvent] = []
        async with self._sessions() as session:
            for alert_id in alert_ids:
                conversation_id = await session.scalar(
                    select(Alert.conversation_id).where(Alert.id == alert_id)
                )
                if conversation_id is None:
                    continue
                state = await conversations.conversation_state(session, conversation_id)
                events.append(alert_event(state, alert_id))
        await publish_all(self._live, events)
        for alert_id in alert_ids:
            task = asyncio.create_task(self.send_mail(alert_id))
            self._mailing.add(task)
            task.add_done_callback(self._mailing.discard)

    async def send_mail(self, alert_id: int) -> bool:
        """Send the alert's e-mail if it is pending and this call takes it; whether it sent."""
        async with self._sessions.begin() as session:
            mail = await alerts.take_mail(session, alert_id)
            if mail is None:
                return False
            subject, body = await self._compose(session, mail)
        error: str | None = None
        try:
            await send_mail(self._settings, mail.to, subject, body)
        except MailError as failure:
            error = str(failure)
            logger.warning("on-duty alert %s not mailed: %s", alert_id, failure)
        async with self._sessions.begin() as session:
            await alerts.mail_done(session, alert_id, error)
        return error is None

    async def _compose(self, session: Any, mail: alerts.MailToSend) -> tuple[str, str]:
        conversation, identity, contact = (
            await session.execute(
                select(Conversation, ChannelIdentity, Contact)
                .join(ChannelIdentity, ChannelIdentity.id == Conversation.identity_id)
                .outerjoin(Contact, Contact.id == ChannelIdentity.contact_id)
                .where(Conversation.id == mail.conversation_id)
            )
        ).one()
        since = conversation.waiting_since or mail.created_at
        return alerts.mail_text(
            mail.kind,
            customer_name(identity, contact),
            CHANNEL_NAMES[conversation.channel],
            reason_in_words(conversation.handoff_reason),
            intent_in_words(conversation.topic) if conversation.topic else None,
            f"{since:%Y-%m-%d %H:%M} UTC",
            f"{self._settings.public_base_url}/inbox/conversations/{conversation.id}",
        )

    async def close(self) -> None:
        """Let e-mails being sent finish (the gateway's shutdown)."""
        if self._mailing:
            await asyncio.wait(set(self._mailing), timeout=15)

    # ------------------------------------------------------------ scheduled jobs

    async def escalate(self, sessions: SessionFactory, now: datetime) -> dict[str, Any]:
        async with sessions.begin() as session:
            raised = await handoffs.escalate_due(session, self._settings, now)
            left = await alerts.pending_mail(session, now - MAIL_LEFT_AFTER)
            interrupted = await alerts.fail_interrupted(session, now - MAIL_INTERRUPTED_AFTER)
        await self.announce(raised)
        sent = [alert_id for alert_id in left if await self.send_mail(alert_id)]
        return {
            "escalated": len(raised), "mail_resent": len(sent), "mail_interrupted": interrupted
        }  # fmt: skip

    async def wake_snoozed(self, sessions: SessionFactory, now: datetime) -> dict[str, Any]:
        woken = 0
        async with sessions.begin() as session:
            due = await snooze.due(session, now)
        for conversation_id in due:
            async with sessions.begin() as session:
                if not await snooze.wake(session, conversation_id):
                    continue
                events = await woke_up(session, conversation_id, WOKE_NOTE)
            woken += 1
            await publish_all(self._live, events)
        return {"woken": woken}

    async def privacy_overdue(self, sessions: SessionFactory, now: datetime) -> dict[str, Any]:
        """E-mail the on-duty address once per privacy request past its due date. The request
        is marked alerted before the e-mail goes (at most once, like the handoff alerts); the
        queue highlights it either way."""
        async with sessions.begin() as session:
            overdue = await privacy_requests.take_overdue(session, now)
        mailed = 0
        to = self._settings.on_duty_email
        link = f"{self._settings.public_base_url}/inbox/privacy"
        for request in overdue:
            logger.info("privacy request %s is overdue", request.reference)
            if not to:
                continue
            subject, body = privacy_requests.overdue_mail_text(request, link)
            try:
                await send_mail(self._settings, to, subject, body)
                mailed += 1
            except MailError as failure:
                logger.warning("overdue privacy request %s not mailed: %s",
                               request.reference, failure)  # fmt: skip
        return {"privacy_overdue": len(overdue), "mailed": mailed}

    def jobs(self) -> list[Job]:
        every = timedelta(seconds=self._settings.scheduler_tick_seconds)
        return [
            Job("escalate_handoffs", every, self.escalate),
            Job("wake_snoozed", every, self.wake_snoozed),
            Job("privacy_overdue", every, self.privacy_overdue),
        ]


async def woke_up(session: Any, conversation_id: int, why: str) -> list[LiveEvent]:
    """The private note that says why a snoozed conversation is back, and its live events."""
    state = await conversations.conversation_state(session, conversation_id)
    [note_id] = await conversations.record_replies(
        session, state, [Reply(why)], author=Author.SYSTEM, private_note=True
    )
    return [
        conversation_event(state),
        message_event(state, note_id, Author.SYSTEM, private_note=True),
    ]
