"""The action server answers Rasa only (issue 17, item 11).

The attack: any local process posts an action call to /webhook with a contact id it made up
and reads that customer's orders. The real action server (actions/server.py, as `make run`
starts it) is started on the demo data and called over HTTP.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from actions.lookups import CONTACT_SLOT
from tests.assistant import (
    ACTION_SERVER_TOKEN,
    base_environment,
    demo_database,
    free_port,
    start_action_server,
    stop,
)


@pytest.fixture(scope="module")
def action_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    directory = tmp_path_factory.mktemp("action-server")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = base_environment(demo_database(directory), f"{url}/webhook")
    server = start_action_server(env, port, directory / "actions.log")
    try:
        yield url
    finally:
        stop(server)


def list_orders_of(contact_id: int) -> dict[str, Any]:
    """What an attacker posts: action_list_orders for a contact it picked."""
    metadata = {"channel": "webchat", "public": False, "conversation_id": 1, "identity_id": 1}
    return {
        "next_action": "action_list_orders",
        "sender_id": "attacker",
        "version": "3.6.2",
        "domain": {"forms": {}, "slots": {}},
        "tracker": {
            "sender_id": "attacker",
            "slots": {CONTACT_SLOT: contact_id},
            "latest_message": {"text": "orders", "entities": [], "metadata": metadata},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Basic {ACTION_SERVER_TOKEN}"},
        {"Authorization": "Bearer "},
    ],
    ids=["none", "wrong", "not-bearer", "empty"],
)
def test_an_action_call_without_the_token_is_refused(
    action_url: str, headers: dict[str, str]
) -> None:
    call = list_orders_of(1)
    answer = requests.post(f"{action_url}/webhook", json=call, headers=headers, timeout=10)
    assert answer.status_code == 401
    assert "responses" not in answer.text and "order" not in answer.text.lower()
    # Nor may it list the actions, or pass the token in the URL instead.
    assert requests.get(f"{action_url}/actions", timeout=10).status_code == 401


def test_an_action_call_with_the_token_is_answered(action_url: str) -> None:
    answer = requests.post(
        f"{action_url}/webhook",
        json=list_orders_of(1),
        headers={"Authorization": f"Bearer {ACTION_SERVER_TOKEN}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["responses"]


def test_health_stays_open_for_the_supervisor(action_url: str) -> None:
    assert requests.get(f"{action_url}/health", timeout=10).status_code == 200


def test_the_action_server_listens_on_loopback_only(action_url: str) -> None:
    port = int(action_url.rsplit(":", 1)[1])
    outside = _non_loopback_address()
    if outside is None:
        pytest.skip("this machine has no address other than loopback")
    with socket.socket() as sock, pytest.raises(OSError):
        sock.settimeout(2)
        sock.connect((outside, port))


def _non_loopback_address() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("10.255.255.255", 1))  # no packet is sent: it only picks a route
            address = str(sock.getsockname()[0])
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_the_action_server_will_not_start_without_a_token(tmp_path: Path) -> None:
    import subprocess

    from bot.operations.services import action_server_command

    env = base_environment(
        f"sqlite+aiosqlite:///{tmp_path / 'none.db'}", "http://127.0.0.1:1/webhook"
    )
    env.pop("ACTION_SERVER_TOKEN")
    done = subprocess.run(
        action_server_command(free_port()), env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "ACTION_SERVER_TOKEN" in done.stderr
