"""How a customer is named to the concierge: their name once verified, else their handle.

Never the channel's own id for them (a web chat session id is a secret of their browser).
"""

from __future__ import annotations

from bot.store.models import Channel, ChannelIdentity, Contact

CHANNEL_NAMES = {Channel.WEBCHAT: "Web chat", Channel.TELEGRAM: "Telegram", Channel.X: "X"}


def customer_name(identity: ChannelIdentity, contact: Contact | None = None) -> str:
    """`contact`: the contact the identity is verified as (identity.contact), if any."""
    if contact is not None and contact.full_name:
        return contact.full_name
    return identity.display_name or f"{CHANNEL_NAMES[identity.channel]} visitor #{identity.id}"


def first_name(display_name: str) -> str:
    """What customers are told of an agent: their first name only."""
    return (display_name.split() or ["Our concierge"])[0]
