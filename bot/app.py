"""The gateway's application factory: the one place that sees every part.

It builds the store, the assistant client, the pipeline, live events and the outbox, starts
the channels of connectors/ that are configured, mounts the inbox, and hands their views to
the gateway's route table (bot/gateway/routes.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web

import connectors.telegram
import connectors.webchat
import connectors.x
from bot.gateway import background
from bot.gateway.conversations.record import conversation_state, record_replies
from bot.gateway.delivery.outbox import Outbox
from bot.gateway.headers import security_headers
from bot.gateway.keys import (
    CHAT_LIMITS,
    CHAT_SOCKETS,
    HTTP,
    LIVE,
    OUTBOX,
    PIPELINE,
    SESSIONS,
    SETTINGS,
    SOCKETS,
)
from bot.gateway.limits import ChatLimits, SocketCaps, create_counters
from bot.gateway.live.broadcast import create_broadcaster
from bot.gateway.live.sockets import SocketRegistry
from bot.gateway.logs import redact_secrets
from bot.gateway.middleware import create_error_middleware
from bot.gateway.pipeline import Pipeline
from bot.gateway.rasa_client import RasaClient
from bot.gateway.replies import csat_question
from bot.gateway.routes import Mounts, setup_routes
from bot.gateway.scheduler import Job, JobRun, Scheduler
from bot.inbox import create_inbox
from bot.services import csat, outcomes, retention
from bot.settings import Settings
from bot.store.db import SessionFactory, check_database, create_engine, create_session_factory

logger = logging.getLogger(__name__)


def create_app(settings: Settings) -> web.Application:
    redact_secrets(settings.secret_values)  # before any connector logs a URL with a token
    app = web.Application(client_max_size=64 * 1024, middlewares=[create_error_middleware()])
    app[SETTINGS] = settings
    app.on_response_prepare.append(security_headers)  # every answer, the inbox's too
    # Live events: within this gateway, or across gateways (LIVE_BROADCAST, gateway/live).
    app[LIVE] = create_broadcaster(settings)
    app[SOCKETS] = SocketRegistry()
    app[CHAT_SOCKETS] = SocketCaps(settings)
    app.on_shutdown.append(_close_sockets)
    app.cleanup_ctx.append(_live)
    app.cleanup_ctx.append(_store)
    app.cleanup_ctx.append(_assistant)
    mounts = Mounts(
        webchat=connectors.webchat.VIEWS,
        # Each starts only when its mode (TELEGRAM_MODE, X_MODE) is not "off".
        telegram=connectors.telegram.mount(app),
        x=connectors.x.mount(app),
        inbox=create_inbox(),
    )
    setup_routes(app, mounts)
    # After the connectors: they register their senders before the worker starts, and it
    # stops before they close their platform clients.
    app.cleanup_ctx.append(_deliveries)
    app.cleanup_ctx.append(_scheduled_jobs)
    return app


def scheduled_jobs(app: web.Application) -> list[Job]:
    """The periodic jobs every gateway offers to run; each occurrence runs on one of them."""
    settings = app[SETTINGS]
    return [
        *app[PIPELINE].alerter.jobs(),  # escalations, snoozes (bot/gateway/alerting.py)
        Job(
            "close_idle_conversations",
            timedelta(seconds=max(settings.scheduler_tick_seconds, 60.0)),
            close_idle_conversations(settings),
        ),
        Job(
            "purge_expired_conversations",
            timedelta(hours=1),
            purge_expired_conversations(settings),
            lease=timedelta(minutes=30),
        ),
    ]


def close_idle_conversations(settings: Settings) -> JobRun:
    """Conversations idle for CONVERSATION_IDLE_CLOSE_MINUTES closed with their outcome."""

    async def run(sessions: SessionFactory, now: datetime) -> dict[str, Any]:
        resolved: list[int] = []
        asked = 0
        async with sessions.begin() as session:
            closed = await outcomes.close_idle(session, settings, now, resolved)
            # A sample of those the assistant resolved: the customer is asked for a rating.
            for conversation_id in resolved:
                if not csat.sampled(conversation_id, settings.csat_bot_sample_rate):
                    continue
                if await csat.ask(session, conversation_id, now, by_agent=False):
                    state = await conversation_state(session, conversation_id)
                    await record_replies(session, state, [csat_question()], now=now)
                    asked += 1
        return {"closed": closed, "csat_asked": asked}

    return run


def purge_expired_conversations(settings: Settings) -> JobRun:
    """The text of conversations past RETENTION_DAYS purged, in batches (docs/privacy.md)."""

    async def run(sessions: SessionFactory, now: datetime) -> dict[str, Any]:
        return (await retention.purge_expired(sessions, settings, now)).report()

    return run


async def _scheduled_jobs(app: web.Application) -> AsyncIterator[None]:
    jobs = scheduled_jobs(app)
    scheduler = Scheduler(app[SESSIONS], jobs, app[SETTINGS].scheduler_tick_seconds)
    task = asyncio.create_task(scheduler.run()) if jobs else None
    yield
    await background.stop(task)


async def _live(app: web.Application) -> AsyncIterator[None]:
    await app[LIVE].start()
    yield
    await app[LIVE].close()


async def _store(app: web.Application) -> AsyncIterator[None]:
    # A wrong DATABASE_URL stops the gateway here, with a SettingsError that says why.
    await check_database(app[SETTINGS].database_url)
    engine = create_engine(app[SETTINGS].database_url)
    app[SESSIONS] = create_session_factory(engine)
    # Shared by every gateway on PostgreSQL; this gateway's own on SQLite (gateway/limits.py).
    app[CHAT_LIMITS] = ChatLimits(app[SETTINGS], create_counters(app[SETTINGS], app[SESSIONS]))
    yield
    await engine.dispose()


async def _assistant(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    # One pooled client for every call to Rasa: connections are reused across turns.
    async with aiohttp.ClientSession() as http:
        app[HTTP] = http
        rasa = RasaClient(
            http,
            settings.rasa_urls,
            settings.rasa_auth_token,
            settings.rasa_timeout_seconds,
            max_in_flight=settings.rasa_max_in_flight,
            startup_grace_seconds=settings.rasa_startup_grace_seconds,
            startup_wait_seconds=settings.rasa_startup_wait_seconds,
        )
        app[PIPELINE] = Pipeline(settings, app[SESSIONS], rasa, app[LIVE])
        app[OUTBOX] = Outbox(app[SESSIONS], settings)
        yield
        await app[PIPELINE].alerter.close()


async def _deliveries(app: web.Application) -> AsyncIterator[None]:
    """The outbox worker, for the push channels this gateway has enabled."""
    outbox = app[OUTBOX]
    worker = asyncio.create_task(outbox.run()) if outbox.channels else None
    yield
    await background.stop(worker)


async def _close_sockets(app: web.Application) -> None:
    """Open websockets would hold the shutdown up; their pages reconnect by themselves."""
    await app[SOCKETS].close_all()
