"""What every inbox page shares: templates, security headers, errors, redirects.

Templates are Jinja2 with autoescaping on for everything, so customer text is always text;
the pages load only the inbox's own script and stylesheet (a strict Content-Security-Policy),
and nothing customer-related is cached by the browser.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",  # customer data stays out of shared and browser caches
}

# Fixed texts for the notice after a redirect: `?notice=claimed`. The URL never carries
# words that end up on the page, so it cannot be used to put text on it.
NOTICES = {
    "claimed": "You have claimed this conversation: the customer is yours to answer.",
    "taken": "A colleague claimed this conversation first.",
    "assigned": "The conversation has been handed over.",
    "not_assigned": "The conversation could not be handed over: it changed meanwhile.",
    "resolved": "Resolved: the assistant answers this customer again.",
    "not_resolved": "It could not be resolved: it changed meanwhile.",
    "sent": "Sent.",
    "noted": "Note added (never shown to the customer).",
    "not_holder": "Only the agent who holds this conversation (or an admin) can reply; "
    "claim it first.",
    "empty": "Nothing to send.",
    "unknown_canned": "There is no canned reply with that short code.",
    "saved": "Saved.",
    "deleted": "Deleted.",
    "invalid": "Please check the form: a field is missing or too long.",
    "done": "Marked as done.",
    "done_channel": "Completed; the customer was told in their conversation.",
    "done_email": "Completed; the customer was told by e-mail.",
    "done_untold": "Completed, but the customer could not be told (no open conversation, and "
    "no e-mail address or the mail server refused): please contact them another way.",
    "refused_channel": "Refused; the customer was told the reason in their conversation.",
    "refused_email": "Refused; the customer was told the reason by e-mail.",
    "refused_untold": "Refused, but the customer could not be told: please contact them "
    "another way.",
    "asked_channel": "Your question was sent to the customer in their conversation.",
    "asked_email": "Your question was e-mailed to the customer.",
    "asked_untold": "The request waits for information, but the customer could not be told: "
    "please contact them another way.",
    "export_not_allowed": "A customer's data can be exported by an admin, or while that "
    "customer has an access request open.",
    "note_needed": "Please give the reason for a refusal, or the question to ask.",
    "not_open": "That request was already closed.",
    "erased": "The customer's personal data has been erased from our store.",
    "already_erased": "That customer's data had already been erased: nothing changed.",
    "unconfirmed": "Nothing was erased: tick the box to confirm first.",
    "labelled": "Labels saved.",
    "team": "Handed to the team.",
    "snoozed": "Snoozed: it comes back by itself.",
    "woken": "Back in the queue.",
    "not_snoozed": "It could not be snoozed or woken: it changed meanwhile, "
    "or the time has passed.",
}


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,  # every template, whatever its name
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = when
    return env


TEMPLATES = web.AppKey("inbox_templates", jinja2.Environment)


def render(
    request: web.Request, template: str, context: dict[str, Any], status: int = 200
) -> web.Response:
    env = request.app[TEMPLATES]
    notice = NOTICES.get(request.query.get("notice", ""))
    text = env.get_template(template).render(notice=notice, **context)
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


def wants_json(request: web.Request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def refuse(request: web.Request, status: int, message: str) -> web.Response:
    """An error in the form the caller asked for: JSON for fetch, a page for a browser."""
    if wants_json(request):
        return web.json_response({"error": message}, status=status)
    return render(
        request, "error.html", {"who": None, "status": status, "message": message}, status
    )


def when(value: datetime | None) -> str:
    """A timestamp as agents read it: UTC, to the minute (pages show the zone)."""
    return "" if value is None else f"{value:%Y-%m-%d %H:%M} UTC"


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as error:
        response = error
        _apply(response)
        raise
    _apply(response)
    return response


def _apply(response: web.StreamResponse) -> None:
    if not response.prepared:  # a websocket or a stream already sent its headers
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)


def redirect(location: str) -> web.Response:
    """A 303 to follow after a form (returned, not raised, so cookies can be set on it)."""
    return web.Response(status=303, headers={"Location": location})
