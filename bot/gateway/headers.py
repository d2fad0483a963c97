"""Headers on every answer of the gateway, the inbox's included (issue 17, item 15).

- No `Server` version: aiohttp would announce "Python/3.10 aiohttp/3.x", which tells an
  attacker which advisories to try. It cannot be removed (aiohttp sets it after this hook
  unless present), so it is a plain name.
- `Referrer-Policy: same-origin`: our paths carry conversation ids and unsubscribe tokens;
  another site never sees them in a Referer.
- `Strict-Transport-Security` when the browser came over HTTPS (directly, or through a
  trusted proxy's X-Forwarded-Proto) or PUBLIC_BASE_URL is https: browsers then refuse
  plain HTTP to this host for a year.
"""

from __future__ import annotations

from aiohttp import web

from bot.gateway.clients import is_https
from bot.gateway.keys import SETTINGS

SERVER_NAME = "concierge"
HSTS = "max-age=31536000; includeSubDomains"


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    settings = request.config_dict[SETTINGS]
    response.headers["Server"] = SERVER_NAME
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if is_https(request, settings) or settings.public_base_url.startswith("https://"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
