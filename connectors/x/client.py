"""tweepy's async client, pointed at X_API_BASE_URL.

tweepy 4.17 hard-codes https://api.twitter.com in AsyncBaseClient.request, but it sends
every request through `client.session` when one is set. We set a thin stand-in that hands
each request to the gateway's pooled aiohttp session with the scheme, host and port (and a
path prefix, if any) of X_API_BASE_URL. The OAuth 1.0a signature is computed by tweepy over
the original api.twitter.com URL, which is what X itself verifies; a stand-in API (the tests'
fake) verifies it against that URL too. With the default base URL nothing changes.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from tweepy.asynchronous import AsyncClient
from yarl import URL

from bot.settings import Settings

REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=30)


class RedirectedSession:
    """What tweepy needs of a session (`request`), with the API host replaced."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str) -> None:
        self._http = http
        self._base = URL(base_url)

    def rewrite(self, url: str | URL) -> URL:
        original = url if isinstance(url, URL) else URL(url, encoded=True)
        path = self._base.raw_path.rstrip("/") + original.raw_path
        return URL.build(
            scheme=self._base.scheme,
            host=self._base.raw_host or "",
            port=self._base.explicit_port,
            path=path,
            query_string=original.raw_query_string,
            encoded=True,
        )

    def request(self, method: str, url: str | URL, **kwargs: Any) -> Any:
        # tweepy sets no timeout; a hung call must not hold an outbox row for minutes.
        kwargs.setdefault("timeout", REQUEST_TIMEOUT)
        return self._http.request(method, self.rewrite(url), **kwargs)


def make_client(settings: Settings, http: aiohttp.ClientSession) -> AsyncClient:
    client = AsyncClient(
        consumer_key=settings.x_consumer_key,
        consumer_secret=settings.x_consumer_secret,
        access_token=settings.x_access_token,
        access_token_secret=settings.x_access_token_secret,
        return_type=dict,  # plain JSON: we read few fields, and typed code stays simple
    )
    client.session = RedirectedSession(http, settings.x_api_base_url)
    return client
