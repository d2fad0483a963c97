"""The website's web chat: the page, POST /api/chat and the page's live socket."""

from __future__ import annotations

from bot.gateway.routes import WebChatViews
from connectors.webchat.api import STATIC_DIR, chat, leave, page
from connectors.webchat.live import live

VIEWS = WebChatViews(page=page, chat=chat, live=live, static_dir=STATIC_DIR, leave=leave)
