"""No secret reaches the log (issue 17, item 6): the Telegram connector runs against the fake
Bot API (registering its webhook, answering, failing a send and retrying it) with every log
record captured, and no configured secret appears in any of them, tracebacks included."""

from __future__ import annotations

import logging
from dataclasses import replace

import httpx
import pytest

from bot.gateway.logs import REDACTED
from bot.settings import Settings
from tests import helpers
from tests.fakes.telegram_api import TOKEN, FakeTelegram, post_update, text_update
from tests.helpers import StartGateway

SMTP_PASSWORD = "smtp-password-secret"
ACTION_TOKEN = "action-server-token-secret"


@pytest.mark.parametrize("httpx_level", [None, logging.DEBUG], ids=["as-set", "turned-up"])
async def test_no_secret_appears_in_any_log_record(
    start: StartGateway,
    fake_telegram: FakeTelegram,
    telegram_settings: Settings,
    caplog: pytest.LogCaptureFixture,
    httpx_level: int | None,
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = replace(
        telegram_settings, smtp_password=SMTP_PASSWORD, action_server_token=ACTION_TOKEN
    )
    client = await start(smtp_password=SMTP_PASSWORD, action_server_token=ACTION_TOKEN)
    if httpx_level is not None:  # someone turns httpx's logging up to debug a problem
        for name in ("httpx", "httpcore"):
            logging.getLogger(name).setLevel(httpx_level)
    try:
        fake_telegram.fail_sends(1)
        assert await post_update(client, text_update("hello")) == 200
        await helpers.settled(client)
        assert [m["text"] for m in fake_telegram.sent] == ["You said: hello"]
        # An error whose text carries the URL, logged with its traceback, as a careless
        # `logger.exception` around a platform call would.
        url = f"{telegram_settings.telegram_api_base_url}{TOKEN}/sendMessage"
        try:
            raise httpx.ConnectError(f"cannot reach {url}")
        except httpx.ConnectError:
            logging.getLogger("connectors.telegram").exception("send failed: %s", url)
    finally:
        for name in ("httpx", "httpcore"):
            logging.getLogger(name).setLevel(logging.WARNING)

    assert caplog.records, "the run logged something"
    logged = caplog.text + "\n".join(
        logging.Formatter().format(record) for record in caplog.records
    )
    assert settings.secret_values  # the Telegram token and webhook secret among them
    for secret in settings.secret_values:
        assert secret not in logged, f"{secret!r} was logged"
    assert TOKEN.replace(":", "%3A") not in logged
    assert REDACTED in logged
