"""Signing in and out of the inbox.

The sign-in form has its own CSRF token (a short-lived cookie repeated in the form), so
another site cannot sign a browser into someone else's account. Failed attempts are limited
per account and per client address (bot/inbox/throttle.py); wrong e-mail and wrong password
get the same answer in about the same time.
"""

from __future__ import annotations

import asyncio
import secrets

from aiohttp import web

from bot.gateway.clients import client_address
from bot.gateway.keys import LIVE, SESSIONS, SETTINGS
from bot.gateway.live.broadcast import SESSION_REVOKED, LiveEvent, publish_all
from bot.inbox import accounts, audit
from bot.inbox.auth import (
    COOKIE_PATH,
    Who,
    action,
    clear_session_cookie,
    current,
    open_session,
    revoke_session,
    set_session_cookie,
    tokens_match,
)
from bot.inbox.pages import redirect, refuse, render
from bot.inbox.throttle import LoginThrottle, Outcome
from bot.store.models import Agent

LOGIN_COOKIE = "inbox_login"
THROTTLE = web.AppKey("inbox_login_throttle", LoginThrottle)


def safe_next(target: str | None) -> str:
    """Only a path inside the inbox: never an open redirect to another site, and never a
    control character, which would split the Location header (aiohttp refuses it: a 500)."""
    if (
        target
        and target.startswith("/inbox/")
        and not target.startswith("/inbox//")
        and "\\" not in target
        and target.isprintable()
    ):
        return target
    return "/inbox/"


def _form(
    request: web.Request, status: int = 200, error: str = "", email: str = ""
) -> web.Response:
    token = secrets.token_urlsafe(32)
    response = render(
        request,
        "login.html",
        {
            "who": None,
            "login_token": token,
            "error": error,
            "email": email,
            "next": safe_next(request.query.get("next")),
        },
        status,
    )
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        path=COOKIE_PATH,
        max_age=3600,
        httponly=True,
        samesite="Strict",
        secure=request.config_dict[SETTINGS].public_base_url.startswith("https://"),
    )
    return response


async def login_page(request: web.Request) -> web.StreamResponse:
    if await current(request) is not None:
        raise web.HTTPSeeOther(safe_next(request.query.get("next")))
    return _form(request)


async def login(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    if not str(form.get("next", "")).isprintable():
        # Nothing the form sends holds CR or LF: someone is trying to split the redirect.
        return refuse(request, 400, "The page to return to is not a valid address.")
    email = str(form.get("email", "")).strip()[:254]
    password = str(form.get("password", ""))
    if not tokens_match(request.cookies.get(LOGIN_COOKIE, ""), str(form.get("login_token", ""))):
        return refuse(request, 403, "This sign-in form has expired: please try again.")
    throttle = request.app[THROTTLE]
    address = client_address(request, request.config_dict[SETTINGS])
    if not throttle.attempt(email, address):
        return _form(request, 429, "Too many sign-in attempts. Please wait a few minutes.", email)
    outcome = Outcome.ERROR
    try:
        agent = await _check_password(request, email, password)
        outcome = Outcome.FAILED if agent is None else Outcome.SUCCEEDED
    finally:
        throttle.finished(email, address, outcome)
    if agent is None:
        # Who tried which account, from where: a guessing run shows in the audit trail.
        async with request.config_dict[SESSIONS].begin() as session:
            audit.record(session, None, "login_failed", "email", email[:64], f"from {address}")
        return _form(request, 401, "Wrong e-mail address or password.", email)
    sessions = request.config_dict[SESSIONS]
    token = await open_session(sessions, agent)
    async with sessions.begin() as session:
        audit.record(session, agent.id, "login", "agent", agent.id)
    response = redirect(safe_next(str(form.get("next", ""))))
    set_session_cookie(request, response, token)
    response.del_cookie(LOGIN_COOKIE, path=COOKIE_PATH)
    return response


async def _check_password(request: web.Request, email: str, password: str) -> Agent | None:
    """The active agent with this e-mail and password, or None; the same time either way."""
    async with request.config_dict[SESSIONS]() as session:
        agent = await accounts.find_agent(session, email)
    # argon2 is deliberately slow: run it off the event loop.
    if agent is None or not agent.is_active:
        await asyncio.to_thread(accounts.verify_unknown, password)
        return None
    if not await asyncio.to_thread(accounts.verify_password, agent.password_hash, password):
        return None
    return agent


@action()
async def logout(request: web.Request, who: Who) -> web.StreamResponse:
    sessions = request.config_dict[SESSIONS]
    await revoke_session(sessions, who.session_id)
    async with sessions.begin() as session:
        audit.record(session, who.agent_id, "logout", "agent", who.agent_id)
    # Close this session's live sockets too, in whichever gateway they are open.
    await publish_all(
        request.config_dict[LIVE], [LiveEvent(SESSION_REVOKED, session_id=who.session_id)]
    )
    response = redirect("/inbox/login")
    clear_session_cookie(response)
    return response
