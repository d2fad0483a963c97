"""tweepy's requests go to X_API_BASE_URL, signed for api.twitter.com as tweepy signed them."""

from __future__ import annotations

from connectors.x.client import RedirectedSession


def test_the_api_host_is_replaced_but_path_and_signed_query_are_kept() -> None:
    session = RedirectedSession(None, "http://127.0.0.1:8123/prefix")  # type: ignore[arg-type]
    url = session.rewrite("https://api.twitter.com/2/dm_events?pagination_token=a%3Ab&x=1")
    assert str(url) == "http://127.0.0.1:8123/prefix/2/dm_events?pagination_token=a%3Ab&x=1"
