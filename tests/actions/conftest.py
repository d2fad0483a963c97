"""Fixtures of the action tests: a tracker builder, a dispatcher, and the action server's
runtime on the demo store (SQLite, and PostgreSQL when it is there)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from bot.settings import Settings
from bot.store.db import SessionFactory
from bot.store.models import Channel, ChannelIdentity, Conversation
from tests.actions.support import Configure, Trackers, Turn
from tests.fakes.smtp import SmtpServer


@pytest.fixture
def tracker() -> Trackers:
    return Trackers()


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture
def configure_runtime() -> Iterator[Configure]:
    """runtime.configure for this test only: what the actions read before it, they read after."""
    before = runtime._settings, runtime._sessions
    yield runtime.configure
    runtime._settings, runtime._sessions = before


@pytest.fixture
def store(
    settings: Settings, demo_sessions: SessionFactory, configure_runtime: Configure
) -> SessionFactory:
    """The action server's runtime on the demo store, as in the action server."""
    configure_runtime(settings, demo_sessions)
    return demo_sessions


@pytest.fixture
def account(
    settings: Settings,
    demo_sessions: SessionFactory,
    smtp_server: SmtpServer,
    configure_runtime: Configure,
) -> SessionFactory:
    """The runtime on the demo store, mailing through the test SMTP server."""
    mailing = replace(settings, smtp_host=smtp_server.host, smtp_port=smtp_server.port)
    configure_runtime(mailing, demo_sessions)
    return demo_sessions


@pytest.fixture
async def turn(account: SessionFactory) -> Turn:
    """A web chat conversation in the store, whose metadata the gateway would send."""
    async with account.begin() as session:
        identity = ChannelIdentity(channel=Channel.WEBCHAT, external_id="web-session-1")
        session.add(identity)
        await session.flush()
        conversation = Conversation(identity_id=identity.id, channel=Channel.WEBCHAT)
        session.add(conversation)
        await session.flush()
        return Turn(identity.id, conversation.id)
