"""The real assistant for tests: the action server and the Rasa server with the trained model.

Started once per test session (Rasa takes a while to load) and stopped at the end. `make test`
trains the model first; without one these tests fail and say how to get one.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from aiosmtpd.controller import Controller

from bot.operations.services import action_server_command, rasa_server_command
from bot.operations.training import model_path
from bot.settings import PROJECT_ROOT
from bot.store.db import create_engine, create_session_factory
from bot.store.migrate import upgrade_to_head
from tests.fakes.smtp import Mailbox

RASA_BIN = PROJECT_ROOT / ".venv" / "rasa" / "bin" / "rasa"
RASA_TOKEN = "e2e-rasa-token"
ACTIONS_SECRET_KEY = "e2e-actions-secret"
ACTION_SERVER_TOKEN = "e2e-action-server-token"
START_TIMEOUT_SECONDS = 420  # generous: a loaded 2-core machine loads a model slowly


@dataclass(frozen=True)
class Assistant:
    rasa_url: str
    action_url: str
    database_url: str
    token: str = RASA_TOKEN
    # What the action server mailed (one-time codes), when it was given a mail server.
    mailbox: Mailbox | None = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], name: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{name} not up after {START_TIMEOUT_SECONDS} s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def base_environment(database_url: str, action_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        ACTION_SERVER_URL=action_url,
        RASA_AUTH_TOKEN=RASA_TOKEN,
        ACTION_SERVER_TOKEN=ACTION_SERVER_TOKEN,
        RASA_TELEMETRY_ENABLED="false",
        SANIC_HOST="127.0.0.1",
        TF_CPP_MIN_LOG_LEVEL="2",
        PYTHONUNBUFFERED="1",
        SECRET_KEY=ACTIONS_SECRET_KEY,
        # Always staffed: the handoff wording must not depend on when the tests run.
        CONCIERGE_HOURS="mon-sun 00:00-24:00",
        # endpoints.yml keeps trackers in this SQLite file: in memory unless start_rasa is
        # given a file (never the development one under var/).
        RASA_TRACKER_DB=":memory:",
    )
    return env


def start_server(
    name: str, argv: list[str], env: dict[str, str], health_url: str, log: Path
) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            argv, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_until_up(health_url, process, name, log)
    except BaseException:
        stop(process)  # one that never came up is not left running
        raise
    return process


def start_action_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    return start_server(
        "action server", action_server_command(port), env, f"http://127.0.0.1:{port}/health", log
    )


def start_rasa(
    env: dict[str, str], port: int, log: Path, tracker_db: Path | None = None
) -> subprocess.Popen[bytes]:
    """Rasa with the trained model, its trackers in `tracker_db` (beside its log unless
    given), a temporary file as `make run`'s are in var/rasa/tracker.db."""
    model = model_path()
    if not model.exists():
        pytest.fail(f"no trained model at {model}: `make test` trains it (or run `make model`)")
    command = rasa_server_command(model, RASA_TOKEN, "127.0.0.1", port)
    env = {**env, "RASA_TRACKER_DB": str(tracker_db or log.with_suffix(".tracker.db"))}
    return start_server("rasa", command, env, f"http://127.0.0.1:{port}/", log)


async def _load_demo_data(database_url: str) -> None:
    from bot.store.demo_data import load_demo_data

    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine).begin() as session:
            await load_demo_data(session)
    finally:
        await engine.dispose()


def demo_database(directory: Path) -> str:
    url = f"sqlite+aiosqlite:///{directory / 'assistant.db'}"
    upgrade_to_head(url)
    asyncio.run(_load_demo_data(url))
    return url


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    directory = tmp_path_factory.mktemp("assistant")
    database_url = demo_database(directory)
    action_port, rasa_port, smtp_port = free_port(), free_port(), free_port()
    action_url = f"http://127.0.0.1:{action_port}/webhook"
    env = base_environment(database_url, action_url)
    # A real SMTP server that keeps what the action server mails, so tests can read codes.
    mailbox = Mailbox()
    mail = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    mail.start()
    env.update(SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_port))
    try:
        actions = start_action_server(env, action_port, directory / "actions.log")
    except BaseException:
        mail.stop()
        raise
    try:
        rasa = start_rasa(env, rasa_port, directory / "rasa.log")
    except BaseException:
        stop(actions)
        mail.stop()
        raise
    try:
        yield Assistant(f"http://127.0.0.1:{rasa_port}", action_url, database_url, mailbox=mailbox)
    finally:
        stop(rasa)
        stop(actions)
        mail.stop()
