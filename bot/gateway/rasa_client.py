"""HTTP client for the Rasa server's authenticated gateway channel (rasa_addons/)."""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot.gateway.replies import Button, Reply

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/gateway/webhook"
# Answers 200 once the server has loaded its model (409 without one); needs the API token.
STATUS_PATH = "/status"
# How often a turn held for a starting server asks whether it is ready yet.
STARTUP_POLL_SECONDS = 0.5


class AssistantUnavailable(Exception):
    """Rasa did not answer in time, refused, or failed while handling the turn."""


@dataclass(frozen=True)
class AssistantTurn:
    replies: list[Reply]
    # Machine-readable markers from custom actions, e.g. {"handoff": {"reason": ...}}.
    signals: list[dict[str, Any]] = field(default_factory=list)


class ServerGone(Exception):
    """The Rasa server refused the connection or dropped it without answering: it is down."""

    def __init__(self, detail: str, *, mid_turn: bool) -> None:
        super().__init__(detail)
        # Dropped with our request open: it may have begun the turn (and taken its lock).
        self.mid_turn = mid_turn


# A server that died mid-turn leaves its ticket in Rasa's lock store, and the next server
# waits for that ticket to expire. Rasa checks about once a second, and the waiter's own
# ticket expires on the same clock, one lifetime after it was issued: a turn re-sent within
# a second of the dead one's ticket can see both expire at the same check and then wait
# forever (seen in tests/system/test_scaled.py). Re-sent this long after the drop (so after the
# dead ticket was issued), a check falls between the two expiries and the turn gets the
# lock, TICKET_LOCK_LIFETIME later at most.
RESEND_AFTER_DROP_SECONDS = 3.0


# What a dead server looks like from here: nothing listens on its port (the connection is
# refused), or it died with our request open (the connection is closed or reset under us).
# Timeouts are not among them: a slow server is alive and may still finish the turn.
SERVER_GONE_ERRORS: tuple[type[Exception], ...] = (
    aiohttp.ClientConnectorError,
    aiohttp.ServerDisconnectedError,
    aiohttp.ClientConnectionResetError,
    aiohttp.ClientOSError,
)


class RasaClient:
    """Sends a customer's turn to one of the Rasa servers.

    With several servers, a conversation always goes to the same one (a stable hash of its
    sender id), which keeps Rasa's caches warm. When that server is down (the connection is
    refused, or dropped because the server died mid-turn), the turn goes to the next one, so
    every conversation keeps its answers while one server is away. Re-sending a turn the dead
    server had begun is safe: the gateway records the inbound once and only the replies it
    receives, and the servers share the tracker store and the lock store, so the next server
    continues the same conversation (at worst its tracker holds the customer's words twice).
    A timeout or an error answer is not retried: the server is alive and the turn may still
    be running or done.

    At most `max_in_flight` turns are inside each server at once; the others wait here, first
    come first served. Rasa runs the models of one turn at a time and a form turn calls the
    action server two or three times: with fifty turns inside, each of those calls queues
    behind all the others again, and the slowest turns take several times the median (p95
    2.4 s against p50 0.7 s at 50 conversations in `make bench`). Waiting here, a turn, once
    let in, finishes at the speed of a few. The timeout counts from the moment it is let in.

    A server that refuses while it is still starting is not down. Rasa loads its model
    before it listens (25-40 s, minutes on a busy machine), and a gateway started beside it
    (`make run`, a deploy) would otherwise answer every customer of that time with "I can't
    answer right now" and queue them all for the concierge. So a server this client has
    never seen answer, within `startup_grace_seconds` of the client's start, is *starting*:
    when every server refuses and one of them is starting, the turn is held, asking the
    starting servers' /status every STARTUP_POLL_SECONDS, and sent as soon as one has its
    model; after `startup_wait_seconds` it fails as before (the concierge handoff). A server
    that has answered once and then refuses, or one still refusing after the grace, is
    *down*: its turns fail over, or fail, at once, as before.
    """

    def __init__(
        self,
        http: aiohttp.ClientSession,
        base_urls: list[str],
        token: str,
        timeout_seconds: float,
        *,
        max_in_flight: int = 4,
        startup_grace_seconds: float = 0.0,
        startup_wait_seconds: float = 0.0,
    ) -> None:
        if not base_urls:
            raise ValueError("at least one Rasa server URL is needed")
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self._http = http
        self._urls = [url.rstrip("/") + WEBHOOK_PATH for url in base_urls]
        self._status_urls = {
            webhook: url.rstrip("/") + STATUS_PATH
            for webhook, url in zip(self._urls, base_urls, strict=True)
        }
        self._token = token
        self._admission = {url: asyncio.Semaphore(max_in_flight) for url in self._urls}
        self._headers = {"Authorization": f"Bearer {token}"}
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._started = time.monotonic()
        self._grace = startup_grace_seconds
        self._startup_wait = startup_wait_seconds
        # Servers that have answered at least once: a refusal from one of them means down.
        self._seen_up: set[str] = set()

    def route(self, sender_id: str) -> list[str]:
        """The servers to try for this sender, its own first."""
        first = zlib.crc32(sender_id.encode()) % len(self._urls)
        return self._urls[first:] + self._urls[:first]

    async def send(self, sender_id: str, text: str, metadata: dict[str, Any]) -> AssistantTurn:
        body = {"sender": sender_id, "message": text, "metadata": metadata}
        held_until: float | None = None
        while True:
            gone: list[str] = []
            starting: list[str] = []
            for url in self.route(sender_id):
                try:
                    async with self._admission[url]:
                        return await self._post(url, body)
                except ServerGone as error:
                    gone.append(url)
                    if self.starting(url):
                        logger.info("Rasa at %s is still starting", url)
                        starting.append(url)
                        continue
                    logger.warning("Rasa at %s is down (%s): trying the next server", url, error)
                    if error.mid_turn:
                        await asyncio.sleep(RESEND_AFTER_DROP_SECONDS)
            if not starting:
                raise AssistantUnavailable(f"every Rasa server is down: {gone}")
            if held_until is None:
                held_until = time.monotonic() + self._startup_wait
            if not await self._one_ready(starting, held_until):
                raise AssistantUnavailable(
                    f"no Rasa server finished starting within {self._startup_wait:g} s: {gone}"
                )

    def starting(self, url: str) -> bool:
        """Never seen answering, and the client began less than the grace ago."""
        in_grace = time.monotonic() < self._started + self._grace
        return url not in self._seen_up and in_grace

    async def _one_ready(self, starting: list[str], until: float) -> bool:
        """Whether one of the starting servers has its model before `until`."""
        params = {"token": self._token}
        timeout = aiohttp.ClientTimeout(total=STARTUP_POLL_SECONDS * 4)
        while time.monotonic() < until:
            for url in starting:
                try:
                    async with self._http.get(
                        self._status_urls[url], params=params, timeout=timeout
                    ) as response:
                        if response.status == 200:
                            return True
                except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
                    pass
            await asyncio.sleep(min(STARTUP_POLL_SECONDS, max(until - time.monotonic(), 0)))
        return False

    async def _post(self, url: str, body: dict[str, Any]) -> AssistantTurn:
        try:
            async with self._http.post(
                url, json=body, headers=self._headers, timeout=self._timeout
            ) as response:
                self._seen_up.add(url)
                if response.status != 200:
                    detail = (await response.text())[:300]
                    raise AssistantUnavailable(f"Rasa answered {response.status}: {detail}")
                messages = await response.json()
        except SERVER_GONE_ERRORS as error:
            refused = isinstance(error, aiohttp.ClientConnectorError)
            if not refused:  # it was listening: whatever it is now, it is not starting
                self._seen_up.add(url)
            raise ServerGone(repr(error), mid_turn=not refused) from error
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise AssistantUnavailable(f"Rasa unreachable: {error!r}") from error
        return parse_rasa_messages(messages)


def parse_rasa_messages(messages: Any) -> AssistantTurn:
    if not isinstance(messages, list):
        raise AssistantUnavailable(f"unexpected answer from Rasa: {messages!r:.200}")
    replies: list[Reply] = []
    signals: list[dict[str, Any]] = []
    for message in messages:
        if not isinstance(message, dict):
            continue
        custom = message.get("custom")
        if isinstance(custom, dict):
            signals.append(custom)
        text = message.get("text")
        buttons = tuple(
            Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
            for b in message.get("buttons") or []
            if isinstance(b, dict) and b.get("title")
        )
        if text or buttons:
            replies.append(Reply(text=text or "", buttons=buttons))
    return AssistantTurn(replies=replies, signals=signals)
