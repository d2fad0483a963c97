"""A stand-in X API v2 on 127.0.0.1, which tweepy's async client talks to for real.

tweepy reaches it through X_API_BASE_URL (connectors/x/client.py). Each request's OAuth 1.0a
signature is verified against the api.twitter.com URL tweepy signed, as X would; a bad one
gets 401. It records posts and DMs, serves DM events for polling (newest first, paged), and
can be told to fail the next sends or answer 429 with x-rate-limit-reset. Below it, the
Account Activity events X posts to our webhook, signed as X signs them.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from oauthlib.common import Request as OAuthRequest
from oauthlib.oauth1.rfc5849 import signature, utils

from connectors.x import WEBHOOK_PATH
from connectors.x.signatures import SIGNATURE_HEADER, sign

CONSUMER_KEY = "test-consumer-key"
CONSUMER_SECRET = "test-consumer-secret"
ACCESS_TOKEN = "test-access-token"
ACCESS_TOKEN_SECRET = "test-access-token-secret"
OUR_USER_ID = "9000"
SIGNED_HOST = "https://api.twitter.com"


@dataclass
class FakeX:
    base_url: str = ""
    dms: list[dict[str, Any]] = field(default_factory=list)  # DMs we sent, as received
    posts: list[dict[str, Any]] = field(default_factory=list)  # public posts (replies)
    dm_events: list[dict[str, Any]] = field(default_factory=list)  # served to polling
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    event_reads: int = 0
    # Answers for the next sends before any succeeds: (status, body, headers).
    send_failures: list[tuple[int, dict[str, Any], dict[str, str]]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1_800_000_000))

    def fail_sends(self, times: int, status: int = 503) -> None:
        body = {"title": "Service Unavailable", "detail": "Service Unavailable", "status": status}
        self.send_failures += [(status, body, {})] * times

    def rate_limit_sends(self, reset_in_seconds: int) -> int:
        """Answer the next send 429; returns the reset time (whole epoch seconds)."""
        body = {"title": "Too Many Requests", "detail": "Too Many Requests", "status": 429}
        reset = int(time.time()) + reset_in_seconds
        self.send_failures.append((429, body, {"x-rate-limit-reset": str(reset)}))
        return reset

    def add_dm_event(self, event_id: int, sender_id: str, text: str) -> None:
        """A DM in the account's inbox, newest first as GET /2/dm_events lists them."""
        self.dm_events.insert(0, dm_event(event_id, sender_id, text))

    def _signed(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("OAuth "):
            return False
        params = dict(utils.parse_authorization_header(header))
        if params.get("oauth_consumer_key") != CONSUMER_KEY:
            return False
        if params.get("oauth_token") != ACCESS_TOKEN:
            return False
        url = SIGNED_HOST + request.rel_url.raw_path
        if request.rel_url.raw_query_string:
            url += "?" + request.rel_url.raw_query_string
        oauth_request = OAuthRequest(url, request.method, headers={"Authorization": header})
        oauth_request.params = signature.collect_parameters(
            uri_query=request.rel_url.raw_query_string,
            headers={"Authorization": header},
            exclude_oauth_signature=True,
        )
        oauth_request.signature = utils.unescape(params["oauth_signature"])
        return bool(signature.verify_hmac_sha1(oauth_request, CONSUMER_SECRET, ACCESS_TOKEN_SECRET))

    async def _send(
        self,
        request: web.Request,
        record: list[dict[str, Any]],
        body: dict[str, Any],
        answer: dict[str, Any],
    ) -> web.Response:
        if not self._signed(request):
            return web.json_response({"title": "Unauthorized", "status": 401}, status=401)
        if self.send_failures:
            status, error, headers = self.send_failures.pop(0)
            return web.json_response(error, status=status, headers=headers)
        record.append({**body, "at": time.time()})
        return web.json_response({"data": answer}, status=201)

    async def create_dm(self, request: web.Request) -> web.Response:
        body = await request.json()
        body["participant_id"] = request.match_info["participant_id"]
        event_id = str(next(self._ids))
        answer = {
            "dm_conversation_id": f"{body['participant_id']}-{OUR_USER_ID}",
            "dm_event_id": event_id,
        }
        return await self._send(request, self.dms, body, answer)

    async def create_post(self, request: web.Request) -> web.Response:
        body = await request.json()
        answer = {"id": str(next(self._ids)), "text": body.get("text", "")}
        return await self._send(request, self.posts, body, answer)

    async def list_dm_events(self, request: web.Request) -> web.Response:
        if not self._signed(request):
            return web.json_response({"title": "Unauthorized", "status": 401}, status=401)
        self.event_reads += 1
        size = int(request.query.get("max_results", "100"))
        start = int(request.query.get("pagination_token", "0"))
        page = self.dm_events[start : start + size]
        meta: dict[str, Any] = {"result_count": len(page)}
        if start + size < len(self.dm_events):
            meta["next_token"] = str(start + size)
        senders = {e["sender_id"] for e in page}
        users = [self.users[s] for s in senders if s in self.users]
        return web.json_response({"data": page, "includes": {"users": users}, "meta": meta})


@pytest.fixture
async def fake_x(aiohttp_server: Callable[..., Awaitable[TestServer]]) -> FakeX:
    fake = FakeX()
    app = web.Application()
    app.router.add_post("/2/dm_conversations/with/{participant_id}/messages", fake.create_dm)
    app.router.add_post("/2/tweets", fake.create_post)
    app.router.add_get("/2/dm_events", fake.list_dm_events)
    server = await aiohttp_server(app, host="127.0.0.1")
    fake.base_url = str(server.make_url("")).rstrip("/")
    return fake


# --- What X posts to our Account Activity webhook.

CUSTOMER = "31337"
_ids = itertools.count(1_700_000_000_000)


def next_id() -> int:
    return next(_ids)


def dm(text: str, sender: str = CUSTOMER, event_id: int | None = None) -> dict[str, Any]:
    """A direct message from Grace to us (or, with sender=OUR_USER_ID, X's echo of ours)."""
    return {
        "for_user_id": OUR_USER_ID,
        "direct_message_events": [
            {
                "type": "message_create",
                "id": str(event_id or next_id()),
                "created_timestamp": "1700000000000",
                "message_create": {
                    "target": {"recipient_id": OUR_USER_ID if sender != OUR_USER_ID else CUSTOMER},
                    "sender_id": sender,
                    "message_data": {"text": text, "entities": {}},
                },
            }
        ],
        "users": {sender: {"id": sender, "name": "Grace Kim", "screen_name": "gracek"}},
    }


def mention(text: str, author: str = CUSTOMER, post_id: int | None = None) -> dict[str, Any]:
    """A public post by Grace that mentions our account."""
    return {
        "for_user_id": OUR_USER_ID,
        "user_has_blocked": False,
        "tweet_create_events": [
            {
                "id_str": str(post_id or next_id()),
                "text": text,
                "user": {"id_str": author, "name": "Grace Kim", "screen_name": "gracek"},
                "entities": {"user_mentions": [{"id_str": OUR_USER_ID, "screen_name": "maison"}]},
            }
        ],
    }


async def post_activity(
    client: TestClient[Any, Any], activity: Any, header: str | None = "sign"
) -> int:
    """POST `activity` to the gateway's webhook, with X's signature header: "sign" signs the
    body as X does, None leaves the header out, anything else is sent as it is. The status."""
    body = activity if isinstance(activity, bytes) else json.dumps(activity).encode()
    headers = {"Content-Type": "application/json"}
    if header == "sign":
        headers[SIGNATURE_HEADER] = sign(CONSUMER_SECRET, body)
    elif header is not None:
        headers[SIGNATURE_HEADER] = header
    response = await client.post(WEBHOOK_PATH, data=body, headers=headers)
    return response.status


def dm_event(event_id: int, sender_id: str, text: str) -> dict[str, Any]:
    """A DM event as API v2 lists it (GET /2/dm_events), which polling reads."""
    return {
        "id": str(event_id),
        "event_type": "MessageCreate",
        "text": text,
        "sender_id": sender_id,
        "dm_conversation_id": f"{sender_id}-{OUR_USER_ID}",
    }
