"""Marketing and language preferences as an append-only log of consent events.

Nothing is ever updated in place: each change is a new ConsentEvent saying when, what, from
which channel and conversation. The current state is the latest event per topic.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import ConsentEvent, Contact

MEDIA = ("email", "sms", "phone", "post")
MEDIUM_NAMES = {"email": "e-mail", "sms": "SMS", "phone": "phone calls", "post": "post"}
LANGUAGES = {"en": "English", "fr": "French", "es": "Spanish", "it": "Italian",
             "de": "German", "zh": "Chinese", "ja": "Japanese"}  # fmt: skip
OPT_IN, OPT_OUT = "opt_in", "opt_out"

MEDIUM_WORDS = {
    "email": "email", "e-mail": "email", "emails": "email", "e-mails": "email", "mail": "email",
    "newsletter": "email", "newsletters": "email",
    "sms": "sms", "text": "sms", "texts": "sms", "text messages": "sms", "messages": "sms",
    "phone": "phone", "calls": "phone", "phone calls": "phone", "telephone": "phone",
    "post": "post", "postal": "post", "letters": "post", "catalogues": "post", "mailings": "post",
    "all": "all", "everything": "all", "all of them": "all", "any": "all",
}  # fmt: skip


def topic(medium: str) -> str:
    return f"marketing:{medium}"


def parse_media(word: str | None) -> list[str]:
    """ "texts" -> ["sms"]; "all" or nothing said -> every medium."""
    medium = MEDIUM_WORDS.get((word or "all").strip().lower(), "all")
    return list(MEDIA) if medium == "all" else [medium]


def parse_language(word: str) -> str | None:
    wanted = word.strip().lower()
    for code, name in LANGUAGES.items():
        if wanted in {code, name.lower()}:
            return code
    return None


@dataclass(frozen=True)
class Preferences:
    marketing: dict[str, bool]  # medium -> opted in
    language: str

    def describe(self) -> str:
        allowed = [MEDIUM_NAMES[m] for m in MEDIA if self.marketing[m]]
        refused = [MEDIUM_NAMES[m] for m in MEDIA if not self.marketing[m]]
        parts = []
        if allowed:
            parts.append(f"you receive marketing by {', '.join(allowed)}")
        if refused:
            parts.append(f"no marketing by {', '.join(refused)}")
        language = LANGUAGES.get(self.language, self.language)
        return f"Currently {' and '.join(parts)}. Preferred language: {language}."


async def current(session: AsyncSession, contact: Contact) -> Preferences:
    events = await session.scalars(
        select(ConsentEvent).where(ConsentEvent.contact_id == contact.id).order_by(ConsentEvent.id)
    )
    latest = {event.topic: event.value for event in events}
    # No recorded consent means no marketing: opting in is always explicit.
    marketing = {m: latest.get(topic(m)) == OPT_IN for m in MEDIA}
    return Preferences(marketing, latest.get("language", contact.preferred_language))


async def record(
    session: AsyncSession,
    contact: Contact,
    changes: dict[str, str],
    *,
    source: str,
    channel: str | None = None,
    conversation_id: int | None = None,
    agent_id: int | None = None,
) -> list[ConsentEvent]:
    """Append one event per changed topic ({"marketing:email": "opt_out", "language": "fr"})."""
    events = [
        ConsentEvent(
            contact_id=contact.id,
            topic=name,
            value=value,
            source=source,
            channel=channel,
            conversation_id=conversation_id,
            agent_id=agent_id,
        )
        for name, value in changes.items()
    ]
    session.add_all(events)
    if "language" in changes:
        contact.preferred_language = changes["language"]
    await session.flush()
    return events


# --- One-click unsubscribe links (RFC 8058) ---------------------------------------------------


def unsubscribe_token(secret_key: str, contact_id: int, medium: str = "email") -> str:
    payload = f"{contact_id}:{medium}"
    signature = hmac.new(secret_key.encode(), payload.encode(), hashlib.sha256).digest()[:16]
    return _b64(payload.encode()) + "." + _b64(signature)


def read_unsubscribe_token(secret_key: str, token: str) -> tuple[int, str] | None:
    """(contact id, medium) for a genuine token, None for anything forged or mangled."""
    try:
        payload_part, signature_part = token.split(".")
        payload = _unb64(payload_part)
        expected = hmac.new(secret_key.encode(), payload, hashlib.sha256).digest()[:16]
        if not hmac.compare_digest(expected, _unb64(signature_part)):
            return None
        contact_id, medium = payload.decode().split(":")
        return (int(contact_id), medium) if medium in MEDIA else None
    except (ValueError, UnicodeDecodeError):
        return None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
