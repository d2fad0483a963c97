"""HTTP client for the Rasa server's authenticated gateway channel (rasa_addons/)."""

from __future__ import annotations

import asyncio
import logging
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
    def __init__(
        self, http: aiohttp.ClientSession, base_url: str, token: str, timeout_seconds: float
    ) -> None:
        self._http = http
        self._url = base_url.rstrip("/") + WEBHOOK_PATH
        self._headers = {"Authorization": f"Bearer {token}"}
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)

    async def send(self, sender_id: str, text: str, metadata: dict[str, Any]) -> AssistantTurn:
        body = {"sender": sender_id, "message": text, "metadata": metadata}
        try:
            async with self._http.post(
                self._url, json=body, headers=self._headers, timeout=self._timeout
            ) as response:
                if response.status != 200:
                    detail = (await response.text())[:300]
                    raise AssistantUnavailable(f"Rasa answered {response.status}: {detail}")
                messages = await response.json()
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
