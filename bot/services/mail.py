"""Outgoing e-mail over SMTP, and the development sink that prints mail instead of sending it."""

from __future__ import annotations

import asyncio
import smtplib
import sys
from email.message import EmailMessage
from typing import Any

from bot.settings import Settings


class MailError(Exception):
    """The SMTP server could not be reached or refused the message."""


def build_message(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


def _send(settings: Settings, message: EmailMessage) -> None:
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(
            f"could not send mail via {settings.smtp_host}:{settings.smtp_port}: {error}"
        ) from error


async def send_mail(settings: Settings, to: str, subject: str, body: str) -> None:
    # smtplib blocks: run it off the event loop.
    await asyncio.to_thread(_send, settings, build_message(settings, to, subject, body))


class PrintingHandler:
    """aiosmtpd handler that prints every message: development only."""

    # aiosmtpd calls the hook by this name.
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        text = envelope.content.decode("utf-8", errors="replace")
        print(
            f"--- mail to {', '.join(envelope.rcpt_tos)} ---\n{text}\n--- end of mail ---",
            flush=True,
        )
        return "250 Message accepted for delivery"


def run_sink(host: str, port: int) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(PrintingHandler(), hostname=host, port=port)
    controller.start()
    print(f"development mail sink on {host}:{port}: mails are printed, not sent", flush=True)
    try:
        asyncio.run(asyncio.Event().wait())
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    config = Settings.from_env()
    run_sink(config.smtp_host, config.smtp_port)
    sys.exit(0)
