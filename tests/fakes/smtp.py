"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives, for tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Mailbox:
    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    mailbox: Mailbox


@pytest.fixture
def smtp_server(unused_tcp_port: int) -> Iterator[SmtpServer]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=unused_tcp_port)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", unused_tcp_port, mailbox)
    finally:
        controller.stop()
