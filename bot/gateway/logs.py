"""No secret is ever logged (issue 17, item 6).

httpx, under python-telegram-bot, logs every request's URL at INFO, and Telegram's URLs carry
the bot token (`.../bot<token>/sendMessage`): the gateway log held the token. Two defences:

- httpx and httpcore log at WARNING only (their INFO and DEBUG lines are URLs and bytes);
- every log record, whoever logs it and whichever handler takes it, has every configured
  secret replaced by [redacted] in its message and its traceback (a record factory, so it
  works for handlers added later too, pytest's included).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

REDACTED = "[redacted]"
# Shorter values are not secrets anyone would configure; replacing them would garble logs.
MIN_SECRET_LENGTH = 8
QUIET_LOGGERS = ("httpx", "httpcore")

_secrets: set[str] = set()
_installed = False


def redact_secrets(secrets: Iterable[str]) -> None:
    """Redact these secrets (and their URL-encoded forms) from every log record from now on.
    Safe to call again: secrets are added, the factory is installed once."""
    global _installed
    for secret in secrets:
        if len(secret) >= MIN_SECRET_LENGTH:
            _secrets.update({secret, quote(secret, safe="")})
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    if not _installed:
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            _scrub(record)
            return record

        logging.setLogRecordFactory(factory)
        _installed = True


def redact(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):  # longest first
        text = text.replace(secret, REDACTED)
    return text


def _scrub(record: logging.LogRecord) -> None:
    if not _secrets:
        return
    try:
        message = record.getMessage()
    except Exception:  # a malformed record is the logging module's to report
        return
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info and record.exc_info[1] is not None:
        # What the formatter would print, redacted now; it uses exc_text when set.
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_text = redact(text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
