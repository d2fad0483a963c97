"""X (Account Activity API) webhook security: the CRC answer and the request signature.

Both are an HMAC-SHA256 keyed with the app's consumer secret, base64-encoded, prefixed
"sha256=". X checks the CRC answer when the webhook is registered and then hourly; every
POST carries the signature of its raw body in the x-twitter-webhooks-signature header.

Because both are the same HMAC under the same key, a CRC answer for a chosen text is the
signature of a POST whose body is that text: answering any token would make the CRC endpoint
a signing oracle for forged activity. The two are kept apart by shape. A CRC token is answered
only if it looks like X's (a short run of base64/URL-safe characters, never braces, quotes or
spaces), and a POST is accepted only if its body is a JSON object (it must begin with "{").
No text can be both, so no CRC answer is ever a valid POST signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

SIGNATURE_HEADER = "x-twitter-webhooks-signature"

# X's CRC tokens are base64 of random bytes (about 44 characters); allow some slack, but
# nothing that could begin a JSON document or carry one: no braces, quotes or whitespace.
CRC_TOKEN_MAX_LENGTH = 128
_CRC_TOKEN = re.compile(rf"[A-Za-z0-9+/=_-]{{1,{CRC_TOKEN_MAX_LENGTH}}}")


def crc_token_valid(token: str) -> bool:
    """Whether `token` has the shape of an X CRC token (and so can never be a POST body)."""
    return _CRC_TOKEN.fullmatch(token) is not None


def sign(consumer_secret: str, data: bytes) -> str:
    digest = hmac.new(consumer_secret.encode(), data, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


def crc_response(consumer_secret: str, crc_token: str) -> dict[str, str]:
    """The answer to X's challenge; ValueError for a token that is not shaped like X's."""
    if not crc_token_valid(crc_token):
        raise ValueError("not an X CRC token")
    return {"response_token": sign(consumer_secret, crc_token.encode())}


def signature_valid(consumer_secret: str, body: bytes, header: str | None) -> bool:
    """Constant-time check of the header against the body's signature."""
    if not consumer_secret or not header:
        return False
    return hmac.compare_digest(sign(consumer_secret, body).encode(), header.encode())
