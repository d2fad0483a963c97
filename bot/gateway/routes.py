"""Every route of the gateway, in one table.

The channels' handlers live in connectors/ and the inbox is a sub-application of its own
(bot/inbox/__init__.py lists its routes); the app factory (bot/app.py) hands them in, so the
gateway never imports a connector or the inbox, and this table still shows every path the
gateway answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from bot.gateway import health, unsubscribe

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

TELEGRAM_WEBHOOK_PATH = "/webhooks/telegram"
X_WEBHOOK_PATH = "/webhooks/x"
INBOX_PREFIX = "/inbox"
PAGES_DIR = Path(__file__).resolve().parent / "pages"


@dataclass(frozen=True)
class WebChatViews:
    page: Handler  # the chat page
    chat: Handler  # POST /api/chat: a customer's message, the assistant's replies
    live: Handler  # the page's websocket: what POST does not return
    static_dir: Path
    leave: Handler | None = None  # POST /api/chat/leave: the customer starts a new one


@dataclass(frozen=True)
class TelegramViews:
    webhook: Handler


@dataclass(frozen=True)
class XViews:
    crc: Handler  # X's challenge-response check of the webhook
    webhook: Handler


@dataclass(frozen=True)
class Mounts:
    """What the app factory passes in. A channel is None when it is off or polls its
    platform instead of receiving webhooks (TELEGRAM_MODE, X_MODE)."""

    webchat: WebChatViews
    telegram: TelegramViews | None
    x: XViews | None
    inbox: web.Application


def setup_routes(app: web.Application, mounts: Mounts) -> None:
    router = app.router
    router.add_get("/healthz", health.liveness, name="health")
    router.add_get("/readyz", health.readiness, name="ready")

    webchat = mounts.webchat
    router.add_get("/", webchat.page, name="webchat_page")
    router.add_post("/api/chat", webchat.chat, name="webchat_api")
    router.add_get("/api/chat/{session_id}/ws", webchat.live, name="webchat_live")
    if webchat.leave is not None:
        router.add_post("/api/chat/leave", webchat.leave, name="webchat_leave")
    router.add_static("/static/", webchat.static_dir, name="static")

    if mounts.telegram is not None:
        router.add_post(TELEGRAM_WEBHOOK_PATH, mounts.telegram.webhook, name="telegram_webhook")
    if mounts.x is not None:
        router.add_get(X_WEBHOOK_PATH, mounts.x.crc, name="x_crc")
        router.add_post(X_WEBHOOK_PATH, mounts.x.webhook, name="x_webhook")

    # One-click unsubscribe links in marketing e-mails (RFC 8058), and the page's stylesheet.
    router.add_get("/unsubscribe/{token}", unsubscribe.confirm_page, name="unsubscribe_page")
    router.add_post("/unsubscribe/{token}", unsubscribe.unsubscribe, name="unsubscribe")
    router.add_static("/pages/", PAGES_DIR, name="pages")

    app.add_subapp(INBOX_PREFIX, mounts.inbox)  # the concierge inbox
