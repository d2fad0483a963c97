"""The gateway's headers and the web chat API's cross-site defences, over real HTTP
(issue 17, item 15)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.gateway.headers import HSTS
from bot.settings import Settings
from bot.store.models import Message
from tests import helpers

Client = TestClient[Any, Any]
PATHS = ["/", "/healthz", "/readyz", "/inbox/login", "/no-such-page", "/static/webchat.js"]


@pytest.mark.parametrize("path", PATHS)
async def test_no_version_in_server_and_a_referrer_policy_everywhere(
    gateway: Client, path: str
) -> None:
    response = await gateway.get(path, allow_redirects=False)
    assert response.headers["Server"] == "concierge"
    assert "aiohttp" not in str(response.headers) and "Python" not in str(response.headers)
    assert response.headers["Referrer-Policy"] == "same-origin"


async def test_the_web_chat_page_may_open_websockets_to_its_own_origin_only(
    gateway: Client, gateway_settings: Settings
) -> None:
    csp = (await gateway.get("/")).headers["Content-Security-Policy"]
    connect = next(part for part in csp.split(";") if "connect-src" in part).split()
    host = gateway_settings.public_base_url.split("://")[1]
    assert connect == ["connect-src", "'self'", f"ws://{host}"]


@pytest.mark.parametrize(
    ("trusted", "public", "headers", "hsts"),
    [
        ("", "http://127.0.0.1:8000", {}, False),
        ("", "http://127.0.0.1:8000", {"X-Forwarded-Proto": "https"}, False),  # anyone's
        ("10.0.0.0/8", "http://127.0.0.1:8000", {"X-Forwarded-Proto": "https"}, False),
        ("127.0.0.1", "http://127.0.0.1:8000", {"X-Forwarded-Proto": "https"}, True),
        ("127.0.0.1", "http://127.0.0.1:8000", {"X-Forwarded-Proto": "http"}, False),
        ("", "https://concierge.example.com", {}, True),
    ],
    ids=["plain", "untrusted-proxy", "other-proxy", "trusted-proxy", "trusted-http", "setting"],
)
async def test_hsts_only_behind_https(
    aiohttp_client: Any,
    gateway_settings: Settings,
    trusted: str,
    public: str,
    headers: dict[str, str],
    hsts: bool,
) -> None:
    settings = replace(gateway_settings, trusted_proxies=trusted, public_base_url=public)
    client: Client = await aiohttp_client(create_app(settings))
    response = await client.get("/healthz", headers=headers)
    assert response.headers.get("Strict-Transport-Security") == (HSTS if hsts else None)


BODY = '{"session_id": "s-1", "text": "hello"}'


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Content-Type": "text/plain"}, 415),  # what a cross-site <form enctype> can send
        ({"Content-Type": "application/x-www-form-urlencoded"}, 415),
        ({"Content-Type": "multipart/form-data; boundary=x"}, 415),
        ({"Content-Type": "application/json", "Origin": "https://evil.example"}, 403),
        ({"Content-Type": "application/json", "Origin": "null"}, 403),
        ({"Content-Type": "application/json", "Origin": "http://127.0.0.1.evil.example"}, 403),
    ],
    ids=["text", "form", "multipart", "other-site", "null-origin", "lookalike"],
)
async def test_a_cross_site_post_to_the_chat_is_refused_and_stores_nothing(
    gateway: Client, gateway_settings: Settings, headers: dict[str, str], status: int
) -> None:
    for path in ("/api/chat", "/api/chat/leave"):
        response = await gateway.post(path, data=BODY, headers=headers)
        assert response.status == status
        assert "error" in await response.json()
    assert await helpers.count(gateway_settings, Message) == 0


async def test_the_chat_takes_its_own_page_an_allowed_site_and_tools_without_origin(
    aiohttp_client: Any, gateway_settings: Settings
) -> None:
    settings = replace(gateway_settings, allowed_origins="https://www.maison.example")
    client: Client = await aiohttp_client(create_app(settings))
    own = f"http://{client.server.host}:{client.server.port}"
    for origin in (own, "https://www.maison.example", None):
        headers = {"Content-Type": "application/json"}
        if origin:
            headers["Origin"] = origin
        response = await client.post("/api/chat", data=BODY, headers=headers)
        assert response.status == 200, (origin, await response.text())
