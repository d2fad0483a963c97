"""The one-click unsubscribe link: a page on GET, the opt-out on POST (RFC 8058), real store."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.app import create_app
from bot.gateway.unsubscribe import list_unsubscribe_headers, unsubscribe_url
from bot.services import preferences
from bot.settings import Settings
from bot.store.db import SessionFactory, create_engine, create_session_factory
from bot.store.demo_data import load_demo_data
from bot.store.models import ConsentEvent, Contact

ISABELLE = "isabelle.moreau@example.com"  # opted in to marketing e-mail
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
async def store(settings: Settings) -> Any:
    engine = create_engine(settings.database_url)
    sessions = create_session_factory(engine)
    async with sessions.begin() as session:
        await load_demo_data(session)
    yield sessions
    await engine.dispose()


@pytest.fixture
async def client(
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
    settings: Settings,
    store: SessionFactory,
) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(settings))


async def contact_of(store: SessionFactory, email: str) -> int:
    async with store() as session:
        contact = await session.scalar(select(Contact).where(Contact.email == email))
        assert contact is not None
        return contact.id


async def email_events(store: SessionFactory, contact_id: int) -> list[ConsentEvent]:
    async with store() as session:
        rows = await session.scalars(
            select(ConsentEvent)
            .where(ConsentEvent.contact_id == contact_id, ConsentEvent.topic == "marketing:email")
            .order_by(ConsentEvent.id)
        )
        return list(rows)


def path_of(settings: Settings, contact_id: int) -> str:
    return "/unsubscribe/" + unsubscribe_url(settings, contact_id).rsplit("/", 1)[1]


async def test_the_link_and_headers_for_marketing_mails(settings: Settings) -> None:
    url = unsubscribe_url(replace(settings, public_base_url="https://maison.example"), 7)
    assert url.startswith("https://maison.example/unsubscribe/")
    token = url.rsplit("/", 1)[1]
    assert preferences.read_unsubscribe_token(settings.secret_key, token) == (7, "email")
    headers = list_unsubscribe_headers(settings, 7)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


async def test_get_shows_a_page_with_one_button_and_changes_nothing(
    client: TestClient[Any, Any], settings: Settings, store: SessionFactory
) -> None:
    contact = await contact_of(store, ISABELLE)
    before = await email_events(store, contact)

    response = await client.get(path_of(settings, contact))

    assert response.status == 200
    page = await response.text()
    assert page.count("<button") == 1 and 'method="post"' in page
    assert "i***u@example.com" in page and ISABELLE not in page
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert [e.id for e in await email_events(store, contact)] == [e.id for e in before]


async def test_one_click_post_records_the_opt_out_once(
    client: TestClient[Any, Any], settings: Settings, store: SessionFactory
) -> None:
    contact = await contact_of(store, ISABELLE)
    before = await email_events(store, contact)

    first = await client.post(path_of(settings, contact), data=ONE_CLICK)
    second = await client.post(path_of(settings, contact), data=ONE_CLICK)

    assert first.status == second.status == 200
    assert "unsubscribed" in (await first.text()).lower()
    (added,) = (await email_events(store, contact))[len(before) :]
    assert (added.value, added.source) == ("opt_out", "unsubscribe_link")
    async with store() as session:
        stored = await session.get(Contact, contact)
        assert stored is not None
        state = await preferences.current(session, stored)
    assert state.marketing["email"] is False


async def test_the_pages_button_posts_the_same_request(
    client: TestClient[Any, Any], settings: Settings, store: SessionFactory
) -> None:
    contact = await contact_of(store, ISABELLE)
    page = await (await client.get(path_of(settings, contact))).text()
    assert 'name="List-Unsubscribe" value="One-Click"' in page
    assert (await client.post(path_of(settings, contact), data=ONE_CLICK)).status == 200


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_forged_and_mangled_tokens_get_a_clear_400_and_change_nothing(
    client: TestClient[Any, Any], settings: Settings, store: SessionFactory, method: str
) -> None:
    contact = await contact_of(store, ISABELLE)
    before = await email_events(store, contact)
    genuine = path_of(settings, contact)
    forged = "/unsubscribe/" + preferences.unsubscribe_token("another-key", contact)
    other = path_of(settings, contact + 1).rsplit(".", 1)[0]
    for path in (forged, genuine[:-3], other + "." + genuine.rsplit(".", 1)[1], "/unsubscribe/x"):
        response = await client.request(method, path, data=ONE_CLICK)
        assert response.status == 400, path
        assert "not valid" in await response.text()
    assert [e.id for e in await email_events(store, contact)] == [e.id for e in before]


async def test_a_genuine_token_for_nobody_gets_a_404(
    client: TestClient[Any, Any], settings: Settings
) -> None:
    response = await client.post(path_of(settings, 999_999), data=ONE_CLICK)
    assert response.status == 404
