"""Typed keys for the state the gateway application shares with its views."""

from __future__ import annotations

import aiohttp
from aiohttp import web

from bot.gateway.delivery.outbox import Outbox
from bot.gateway.limits import ChatLimits, SocketCaps
from bot.gateway.live.broadcast import Broadcaster
from bot.gateway.live.sockets import SocketRegistry
from bot.gateway.pipeline import Pipeline
from bot.settings import Settings
from bot.store.db import SessionFactory

SETTINGS = web.AppKey("settings", Settings)
SESSIONS = web.AppKey("sessions", SessionFactory)
HTTP = web.AppKey("http", aiohttp.ClientSession)
PIPELINE = web.AppKey("pipeline", Pipeline)
OUTBOX = web.AppKey("outbox", Outbox)
# Live updates: the event fan-out, and the open websockets (closed at shutdown).
LIVE = web.AppKey("live", Broadcaster)
SOCKETS = web.AppKey("sockets", SocketRegistry)
# Web chat rate limits (bot/gateway/limits.py): message counters and this process's sockets.
CHAT_LIMITS = web.AppKey("chat_limits", ChatLimits)
CHAT_SOCKETS = web.AppKey("chat_sockets", SocketCaps)
