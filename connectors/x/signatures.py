"""X (Account Activity API) webhook security: the CRC answer and the request signature.

Both are an HMAC-SHA256 keyed with the app's consumer secret, base64-encoded, prefixed
"sha256=". X checks the CRC answer when the webhook is registered and then hourly; every
POST carries the signature of its raw body in the x-twitter-webhooks-signature header.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

SIGNATURE_HEADER = "x-twitter-webhooks-signature"


def sign(consumer_secret: str, data: bytes) -> str:
    digest = hmac.new(consumer_secret.encode(), data, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


def crc_response(consumer_secret: str, crc_token: str) -> dict[str, str]:
    return {"response_token": sign(consumer_secret, crc_token.encode())}


def signature_valid(consumer_secret: str, body: bytes, header: str | None) -> bool:
    """Constant-time check of the header against the body's signature."""
    if not consumer_secret or not header:
        return False
    return hmac.compare_digest(sign(consumer_secret, body).encode(), header.encode())
