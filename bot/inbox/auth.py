"""Agent sessions, CSRF tokens and the guards every inbox view sits behind.

The session cookie carries a random token; the store keeps only its SHA-256 (agent_sessions),
with an expiry and a revoked mark, so a stolen database does not yield live sessions and
logging out ends a session for good. Each session has its own CSRF token, required in every
form (`csrf_token`) or fetch (`X-CSRF-Token`) that changes anything, compared in constant time.

`page` guards what a browser navigates to (no session: off to the login page); `action`
guards what changes state (no session: 401; no or wrong CSRF token: 403). Both take
`admin=True` for what only admins may do (403 otherwise).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps
from urllib.parse import quote

from aiohttp import web
from sqlalchemy import select, update

from bot.gateway.keys import SESSIONS, SETTINGS
from bot.inbox.pages import refuse, wants_json
from bot.store.db import SessionFactory
from bot.store.models import Agent, AgentRole, AgentSession
from bot.store.types import utcnow

COOKIE = "inbox_session"
COOKIE_PATH = "/inbox"  # never sent with the customers' web chat requests
SESSION_LIFETIME = timedelta(hours=12)  # one working day; then sign in again
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class Who:
    """The signed-in agent, for the length of one request."""

    agent_id: int
    name: str
    email: str
    role: AgentRole
    session_id: int
    csrf_token: str
    expires_at: datetime

    @property
    def is_admin(self) -> bool:
        return self.role is AgentRole.ADMIN


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def open_session(sessions: SessionFactory, agent: Agent) -> str:
    """A new session for the agent; returns the token for the cookie (never stored)."""
    token = secrets.token_urlsafe(32)
    async with sessions.begin() as session:
        session.add(
            AgentSession(
                token_hash=token_hash(token),
                agent_id=agent.id,
                csrf_token=secrets.token_urlsafe(32),
                expires_at=utcnow() + SESSION_LIFETIME,
            )
        )
    return token


async def revoke_session(sessions: SessionFactory, session_id: int) -> None:
    async with sessions.begin() as session:
        await session.execute(
            update(AgentSession)
            .where(AgentSession.id == session_id, AgentSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


async def find_session(sessions: SessionFactory, token: str | None) -> Who | None:
    """The live session the token belongs to: not expired, not revoked, agent active."""
    if not token:
        return None
    async with sessions() as session:
        row = (
            await session.execute(
                select(AgentSession, Agent)
                .join(Agent, Agent.id == AgentSession.agent_id)
                .where(
                    AgentSession.token_hash == token_hash(token),
                    AgentSession.revoked_at.is_(None),
                    AgentSession.expires_at > utcnow(),
                    Agent.is_active.is_(True),
                )
            )
        ).first()
    if row is None:
        return None
    agent_session, agent = row
    return Who(
        agent.id, agent.display_name, agent.email, agent.role, agent_session.id,
        agent_session.csrf_token, agent_session.expires_at,
    )  # fmt: skip


async def current(request: web.Request) -> Who | None:
    return await find_session(request.config_dict[SESSIONS], request.cookies.get(COOKIE))


def set_session_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        path=COOKIE_PATH,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,  # scripts never see it
        samesite="Strict",  # never sent on a request another site starts
        secure=request.config_dict[SETTINGS].public_base_url.startswith("https://"),
    )


def clear_session_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path=COOKIE_PATH)


def tokens_match(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())


async def csrf_ok(request: web.Request, who: Who) -> bool:
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.content_type in {
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    }:
        field = (await request.post()).get(CSRF_FIELD)
        given = field if isinstance(field, str) else None
    return tokens_match(who.csrf_token, given)


View = Callable[[web.Request, Who], Awaitable[web.StreamResponse]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def page(admin: bool = False) -> Callable[[View], Handler]:
    def decorate(view: View) -> Handler:
        @wraps(view)
        async def handler(request: web.Request) -> web.StreamResponse:
            who = await current(request)
            if who is None:
                if wants_json(request):  # the page's own fetches: it will reload
                    return refuse(request, 401, "Please sign in again.")
                target = quote(request.rel_url.path_qs, safe="/?=&")
                raise web.HTTPSeeOther(f"/inbox/login?next={target}")
            if admin and not who.is_admin:
                return refuse(request, 403, "Only an administrator can open this page.")
            return await view(request, who)

        return handler

    return decorate


def action(admin: bool = False) -> Callable[[View], Handler]:
    def decorate(view: View) -> Handler:
        @wraps(view)
        async def handler(request: web.Request) -> web.StreamResponse:
            who = await current(request)
            if who is None:
                return refuse(request, 401, "Please sign in again.")
            if not await csrf_ok(request, who):
                return refuse(request, 403, "This form has expired: reload the page.")
            if admin and not who.is_admin:
                return refuse(request, 403, "Only an administrator can do this.")
            return await view(request, who)

        return handler

    return decorate
