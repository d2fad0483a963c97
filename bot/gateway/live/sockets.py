"""Serving websockets: one socket's loop, the Origin check, and closing them all at shutdown.

Used by the inbox's socket (bot/inbox/live.py) and the web chat's (connectors/webchat_live.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web

from bot.gateway.live.broadcast import LiveEvent, Subscription, SubscriptionLost

logger = logging.getLogger(__name__)


async def pump(
    ws: web.WebSocketResponse,
    subscription: Subscription,
    on_event: Callable[[LiveEvent], Awaitable[bool]],
    on_frame: Callable[[str], Awaitable[None]] | None = None,
) -> None:
    """Serve one socket: events to `on_event` (False ends the socket), text frames from the
    client to `on_frame`, until either side closes. Reading is what notices a closed socket
    and answers pings, so it runs beside the wait for events."""

    async def read() -> None:
        async for message in ws:
            if message.type is WSMsgType.TEXT and on_frame is not None:
                await on_frame(message.data)

    reader = asyncio.create_task(read())
    try:
        while not reader.done():
            getter = asyncio.create_task(subscription.get())
            await asyncio.wait({reader, getter}, return_when=asyncio.FIRST_COMPLETED)
            if not getter.done():
                getter.cancel()
                break
            try:
                event = getter.result()
            except SubscriptionLost:
                await ws.close(code=1013, message=b"too far behind: reconnect")
                break
            try:
                if not await on_event(event):
                    break
            except ConnectionResetError:  # the client went away mid-send
                break
    finally:
        reader.cancel()
        await asyncio.wait({reader})  # not `await reader`: its error is logged, not raised
        if not reader.cancelled() and reader.exception() is not None:
            logger.error("websocket reader failed", exc_info=reader.exception())
        if not ws.closed:
            await ws.close()


class SocketRegistry:
    """The gateway's open websockets, closed at shutdown so it does not wait on them."""

    def __init__(self) -> None:
        self._sockets: set[web.WebSocketResponse] = set()

    @contextlib.contextmanager
    def track(self, ws: web.WebSocketResponse) -> Iterator[web.WebSocketResponse]:
        self._sockets.add(ws)
        try:
            yield ws
        finally:
            self._sockets.discard(ws)

    async def close_all(self) -> None:
        for ws in list(self._sockets):
            await ws.close(code=1001, message=b"server shutting down")


def same_origin(request: web.Request, public_base_url: str) -> bool:
    """The Origin a browser sends is this site's: the page that opened the socket is ours.
    Compared with the Host it asked for, or PUBLIC_BASE_URL behind a proxy that rewrites
    the Host. (Browsers send cookies with cross-site websocket handshakes: this is the
    check that stops another site's page from listening in.)"""
    origin = request.headers.get("Origin")
    if not origin:
        return False
    netloc = urlsplit(origin).netloc
    return netloc in {request.host, urlsplit(public_base_url).netloc}
