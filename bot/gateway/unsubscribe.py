"""One-click unsubscribe links for marketing e-mails (RFC 8058), with no login.

GET  /unsubscribe/<token>  a small page that asks, with one button. It changes nothing:
                           mail security scanners and link previews fetch every link in a
                           message, so a GET that unsubscribed would unsubscribe people who
                           never clicked.
POST /unsubscribe/<token>  the page's button, and the mail client's one-click request
                           (body `List-Unsubscribe=One-Click`, RFC 8058): records an opt-out
                           (consent event, source "unsubscribe_link") unless the latest choice
                           for that medium already is one, so repeating it changes nothing.

The token is signed with SECRET_KEY (services.preferences.unsubscribe_token): a forged or mangled
one gets a 400 page, a genuine one for a contact who no longer exists a 404 page, and
neither changes anything. The pages load only their own stylesheet (strict CSP) and are
neither cached nor indexed; the token never leaves in a Referer header.
"""

from __future__ import annotations

import html
from pathlib import Path
from string import Template

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.gateway.keys import SESSIONS, SETTINGS
from bot.services import preferences, verification
from bot.settings import Settings
from bot.store.models import ConsentEvent, Contact

SOURCE = "unsubscribe_link"
PAGE = Template((Path(__file__).resolve().parent / "pages" / "unsubscribe.html").read_text())
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
}
FORM = (
    '<form method="post">'
    '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
    '<button type="submit">Unsubscribe</button></form>'
)


def unsubscribe_url(settings: Settings, contact_id: int, medium: str = "email") -> str:
    token = preferences.unsubscribe_token(settings.secret_key, contact_id, medium)
    return f"{settings.public_base_url}/unsubscribe/{token}"


def list_unsubscribe_headers(settings: Settings, contact_id: int) -> dict[str, str]:
    """The headers a marketing e-mail carries so mail clients offer one-click unsubscribe."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(settings, contact_id)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _page(status: int, title: str, heading: str, message: str, form: str = "") -> web.Response:
    body = PAGE.substitute(
        title=html.escape(title),
        heading=html.escape(heading),
        message=html.escape(message),
        form=form,
    )
    return web.Response(
        status=status, text=body, content_type="text/html", charset="utf-8", headers=HEADERS
    )


def _invalid() -> web.Response:
    return _page(
        400,
        "Link not valid",
        "This link is not valid",
        "This unsubscribe link is incomplete or was changed. Please use the link exactly as it "
        "appears in our e-mail, or write to our concierge to unsubscribe.",
    )


def _unknown() -> web.Response:
    return _page(
        404,
        "Not found",
        "We could not find this subscription",
        "We no longer hold the details this link refers to, so there is nothing to unsubscribe.",
    )


async def _contact(request: web.Request) -> tuple[Contact, str] | web.Response:
    found = preferences.read_unsubscribe_token(
        request.app[SETTINGS].secret_key, request.match_info["token"]
    )
    if found is None:
        return _invalid()
    contact_id, medium = found
    async with request.app[SESSIONS]() as session:
        contact = await session.get(Contact, contact_id)
    return (contact, medium) if contact is not None else _unknown()


async def confirm_page(request: web.Request) -> web.Response:
    found = await _contact(request)
    if isinstance(found, web.Response):
        return found
    contact, medium = found
    where = verification.mask_email(contact.email) if contact.email else "you"
    return _page(
        200,
        "Unsubscribe",
        "Unsubscribe from our marketing",
        f"Stop marketing by {preferences.MEDIUM_NAMES[medium]} to {where}? We may still send "
        "service messages, such as updates on your order status.",
        FORM,
    )


async def _already_out(session: AsyncSession, contact: Contact, medium: str) -> bool:
    latest = await session.scalar(
        select(ConsentEvent.value)
        .where(
            ConsentEvent.contact_id == contact.id,
            ConsentEvent.topic == preferences.topic(medium),
        )
        .order_by(ConsentEvent.id.desc())
        .limit(1)
    )
    return latest == preferences.OPT_OUT


async def unsubscribe(request: web.Request) -> web.Response:
    found = await _contact(request)
    if isinstance(found, web.Response):
        return found
    contact, medium = found
    async with request.app[SESSIONS].begin() as session:
        contact = await session.merge(contact)
        if not await _already_out(session, contact, medium):
            await preferences.record(
                session, contact, {preferences.topic(medium): preferences.OPT_OUT}, source=SOURCE
            )
    return _page(
        200,
        "Unsubscribed",
        "You are unsubscribed",
        f"You will no longer receive our marketing by {preferences.MEDIUM_NAMES[medium]}. We may "
        "still send service messages, such as updates on your order status.",
    )
