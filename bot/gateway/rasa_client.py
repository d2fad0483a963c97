"""HTTP client for the Rasa server's authenticated gateway channel (rasa_addons/)."""

from __future__ import annotations

import asyncio
import logging
import zlib
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot.replies import Button, Reply

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/gateway/webhook"


class AssistantUnavailable(Exception):
    """Rasa did not answer in time, refused, or failed while handling the turn."""


@dataclass(frozen=True)
class AssistantTurn:
    replies: list[Reply]
    # Machine-readable markers from custom actions, e.g. {"handoff": {"reason": ...}}.
    signals: list[dict[str, Any]] = field(default_factory=list)


class RasaClient:
    """Sends a customer's turn to one of the Rasa servers.

    With several servers, a conversation always goes to the same one (a stable hash of its
    sender id), which keeps its turns in order and Rasa's caches warm. When that server
    refuses the connection (stopped, restarting), the turn goes to the next one: nothing was
    processed, so nothing is repeated. A timeout or an error answer is not retried, because
    the turn may have been processed.
    """

    def __init__(
        self,
        http: aiohttp.ClientSession,
        base_urls: list[str],
        token: str,
        timeout_seconds: float,
    ) -> None:
        if not base_urls:
            raise ValueError("at least one Rasa server URL is needed")
        self._http = http
        self._urls = [url.rstrip("/") + WEBHOOK_PATH for url in base_urls]
        self._headers = {"Authorization": f"Bearer {token}"}
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)

    def route(self, sender_id: str) -> list[str]:
        """The servers to try for this sender, its own first."""
        first = zlib.crc32(sender_id.encode()) % len(self._urls)
        return self._urls[first:] + self._urls[:first]

    async def send(self, sender_id: str, text: str, metadata: dict[str, Any]) -> AssistantTurn:
        body = {"sender": sender_id, "message": text, "metadata": metadata}
        refused: list[str] = []
        for url in self.route(sender_id):
            try:
                return await self._post(url, body)
            except aiohttp.ClientConnectorError as error:
                logger.warning("Rasa at %s refused the connection: %s", url, error)
                refused.append(url)
        raise AssistantUnavailable(f"every Rasa server refused the connection: {refused}")

    async def _post(self, url: str, body: dict[str, Any]) -> AssistantTurn:
        try:
            async with self._http.post(
                url, json=body, headers=self._headers, timeout=self._timeout
            ) as response:
                if response.status != 200:
                    detail = (await response.text())[:300]
                    raise AssistantUnavailable(f"Rasa answered {response.status}: {detail}")
                messages = await response.json()
        except aiohttp.ClientConnectorError:
            raise
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
