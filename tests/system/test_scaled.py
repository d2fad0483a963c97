"""The scale-out profile under load and faults: what `make run-scaled` starts, for real.

The supervisor starts two gateways, two Rasa servers (PostgreSQL tracker store, Redis lock
store) and two action servers with deploy/scaled.env's settings, on a PostgreSQL store of
its own; only the ports, database names and the lock keys' prefix are the test's. The stack
is started once for the module (loading two models takes minutes), and the tests stop parts
of it, so they run in the order written: the load first, then a Rasa server, then the
action server of the surviving Rasa server.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import psutil
import pytest
import redis
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.gateway.rasa_client import RasaClient
from bot.inbox.accounts import create_agent
from bot.settings import PROJECT_ROOT
from bot.store.db import create_engine, create_session_factory
from bot.store.models import (
    AgentRole,
    Author,
    ChannelIdentity,
    Conversation,
    ConversationHolder,
    Message,
)
from bot.store.postgres import create_database_if_missing
from tests.assistant import RASA_TOKEN, _load_demo_data, free_port
from tests.helpers import PASSWORD, POSTGRES_URL, csrf_of, login, pg_execute, skip_or_fail

pytestmark = [pytest.mark.rasa, pytest.mark.postgres]

SCALED_ENV = PROJECT_ROOT / "deploy" / "scaled.env"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
READY_TIMEOUT_SECONDS = 900  # two models loading at once on a busy 2-core machine
ALWAYS_STAFFED = "mon-sun 00:00-24:00"
# The start of what the gateway says when the assistant cannot answer (bot/gateway/replies.py).
POLITE_FALLBACK = "I'm sorry, I can't answer right now"
TURNS = ("hello there", "what can you do?", "hello again")


@dataclass
class ScaledStack:
    supervisor: subprocess.Popen[bytes]
    log: Path
    gateways: list[str]
    rasa_ports: list[int]
    action_ports: list[int]
    database_url: str
    started_in_seconds: float

    def child(self, *argv_part: str) -> psutil.Process:
        """The supervisor's child whose command line holds `argv_part`, in that order."""
        for process in psutil.Process(self.supervisor.pid).children():
            cmdline = process.cmdline()
            for start in range(len(cmdline) - len(argv_part) + 1):
                if tuple(cmdline[start : start + len(argv_part)]) == argv_part:
                    return process
        raise LookupError(f"no running child with {argv_part}:\n{self.log_tail()}")

    def kill(self, *argv_part: str) -> None:
        """As a crash does: SIGKILL, no chance to finish what it was doing."""
        process = self.child(*argv_part)
        process.kill()
        process.wait(30)

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def scaled_env_file() -> dict[str, str]:
    values: dict[str, str] = {}
    for raw in SCALED_ENV.read_text().splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def redis_reachable() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=2):
            return True
    except OSError:
        return False


def wait_until_ready(stack: ScaledStack) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        text = stack.log.read_text(errors="replace")
        if "[supervisor] ready" in text:
            return
        if stack.supervisor.poll() is not None:
            raise RuntimeError(f"the supervisor exited ({stack.supervisor.returncode}):\n{text}")
        time.sleep(1)
    raise RuntimeError(f"not ready after {READY_TIMEOUT_SECONDS} s:\n{stack.log_tail()}")


def stop_stack(supervisor: subprocess.Popen[bytes]) -> None:
    """Ctrl-C's way first (the supervisor stops its children); then by force."""
    if supervisor.poll() is not None:
        return
    children = psutil.Process(supervisor.pid).children()
    supervisor.send_signal(signal.SIGTERM)
    try:
        supervisor.wait(120)
    except subprocess.TimeoutExpired:
        for child in children:
            if child.is_running():
                child.kill()
        supervisor.kill()
        supervisor.wait()


@pytest.fixture(scope="module")
def stack(
    postgres_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ScaledStack]:
    if not redis_reachable():
        skip_or_fail(f"Redis not reachable at {REDIS_HOST}:{REDIS_PORT}")
    run = uuid.uuid4().hex[:10]
    store, tracker = f"concierge_scaled_{run}", f"rasa_tracker_{run}"
    asyncio.run(pg_execute(f'CREATE DATABASE "{store}" TEMPLATE "{postgres_template}"'))
    server = make_url(POSTGRES_URL)
    database_url = server.set(database=store).render_as_string(hide_password=False)
    tracker_url = server.set(drivername="postgresql", database=tracker).render_as_string(
        hide_password=False
    )
    asyncio.run(_load_demo_data(database_url))
    asyncio.run(create_database_if_missing(tracker_url))

    gateway_ports = [free_port(), free_port()]
    rasa_ports = [free_port(), free_port()]
    action_ports = [free_port(), free_port()]
    lock_prefix = f"test{run}"
    env = {k: v for k, v in os.environ.items() if k not in {"PUBLIC_BASE_URL", "ENV_FILE"}}
    env.update(scaled_env_file())  # the profile as shipped, then what must be the test's own
    env.update(
        DATABASE_URL=database_url,
        RASA_TRACKER_STORE_URL=tracker_url,
        RASA_LOCK_STORE_HOST=REDIS_HOST,
        RASA_LOCK_STORE_PORT=str(REDIS_PORT),
        RASA_LOCK_STORE_PREFIX=lock_prefix,
        GATEWAY_HOST="127.0.0.1",
        GATEWAY_PORTS=",".join(map(str, gateway_ports)),
        RASA_URL=",".join(f"http://127.0.0.1:{port}" for port in rasa_ports),
        ACTION_SERVER_URL=",".join(f"http://127.0.0.1:{port}/webhook" for port in action_ports),
        RASA_AUTH_TOKEN=RASA_TOKEN,
        ACTION_SERVER_TOKEN="scaled-test-action-token",
        SECRET_KEY="scaled-test-secret",
        MAIL_SINK="off",
        SMTP_PORT=str(free_port()),  # no mail is sent in these conversations
        TELEGRAM_MODE="off",
        X_MODE="off",
        CONCIERGE_HOURS=ALWAYS_STAFFED,
        # A load test: dozens of sessions from one address in minutes, which the web chat's
        # rate limits would rightly refuse (tests/connectors/webchat/test_rate_limits.py).
        RATE_LIMITS="off",
        # Each process's log in the test's own folder, not the checkout's var/log/.
        LOG_DIR=str(tmp_path_factory.mktemp("scaled-logs")),
    )
    log = tmp_path_factory.mktemp("scaled") / "supervisor.log"
    began = time.monotonic()
    with log.open("wb") as out:
        supervisor = subprocess.Popen(
            [sys.executable, "-m", "bot.operations.supervisor"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    stack = ScaledStack(
        supervisor,
        log,
        [f"http://127.0.0.1:{port}" for port in gateway_ports],
        rasa_ports,
        action_ports,
        database_url,
        0.0,
    )
    try:
        wait_until_ready(stack)
        stack.started_in_seconds = time.monotonic() - began
        print(f"\nscaled stack ready in {stack.started_in_seconds:.0f} s", flush=True)
        yield stack
    finally:
        stop_stack(supervisor)
        asyncio.run(pg_execute(f'DROP DATABASE IF EXISTS "{store}" WITH (FORCE)'))
        asyncio.run(pg_execute(f'DROP DATABASE IF EXISTS "{tracker}" WITH (FORCE)'))
        locks = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=int(env["RASA_LOCK_STORE_DB"]))
        for key in locks.scan_iter(f"{lock_prefix}:*"):
            locks.delete(key)
        locks.close()


# --- Customers and what the store holds ---

Replies = list[dict[str, Any]]


async def say(http: aiohttp.ClientSession, gateway: str, session_id: str, text: str) -> Replies:
    async with http.post(
        f"{gateway}/api/chat", json={"session_id": session_id, "text": text}
    ) as response:
        assert response.status == 200, await response.text()
        replies: Replies = (await response.json())["replies"]
        return replies


async def converse(
    http: aiohttp.ClientSession, stack: ScaledStack, session_id: str, first_gateway: int
) -> list[Replies]:
    """One customer's turns, each through the other gateway than the last."""
    answers = []
    for number, text in enumerate(TURNS):
        gateway = stack.gateways[(first_gateway + number) % len(stack.gateways)]
        answers.append(await say(http, gateway, session_id, text))
    return answers


async def stored_conversations(
    database_url: str, session_ids: list[str]
) -> dict[str, tuple[Conversation, list[Message]]]:
    engine = create_engine(database_url)
    found = {}
    try:
        async with create_session_factory(engine)() as session:
            for session_id in session_ids:
                conversations = list(
                    await session.scalars(
                        select(Conversation)
                        .join(ChannelIdentity, ChannelIdentity.id == Conversation.identity_id)
                        .where(ChannelIdentity.external_id == session_id)
                    )
                )
                assert len(conversations) == 1, f"{session_id}: {len(conversations)} conversations"
                messages = await session.scalars(
                    select(Message)
                    .where(Message.conversation_id == conversations[0].id)
                    .order_by(Message.id)
                )
                found[session_id] = (conversations[0], list(messages))
    finally:
        await engine.dispose()
    return found


def assert_every_turn_stored_once(messages: list[Message], answers: list[Replies]) -> None:
    """Each of the customer's messages once, each followed by exactly the replies they got."""
    turns: list[tuple[str, list[str]]] = []
    for message in messages:
        if message.author is Author.CUSTOMER:
            turns.append((message.text, []))
        else:
            assert message.author is Author.BOT and turns, f"unexpected {message.author}"
            turns[-1][1].append(message.text)
    assert [said for said, _ in turns] == list(TURNS), "every inbound stored once, in order"
    assert [answered for _, answered in turns] == [
        [reply["text"] for reply in replies] for replies in answers
    ], "every inbound answered once, with what the customer was sent"


def assert_answered_by_the_assistant(answers: list[Replies]) -> None:
    for replies in answers:
        assert replies, "every turn gets an answer"
        assert not any(reply["text"].startswith(POLITE_FALLBACK) for reply in replies), replies


async def run_load(
    stack: ScaledStack, customers: int, prefix: str, progress: asyncio.Queue[str] | None = None
) -> dict[str, list[Replies]]:
    session_ids = [f"{prefix}-{number}-{uuid.uuid4().hex[:8]}" for number in range(customers)]
    timeout = aiohttp.ClientTimeout(total=180)
    async with aiohttp.ClientSession(timeout=timeout) as http:

        async def one(number: int, session_id: str) -> list[Replies]:
            answers = await converse(http, stack, session_id, first_gateway=number)
            if progress is not None:
                progress.put_nowait(session_id)
            return answers

        results = await asyncio.gather(*(one(n, s) for n, s in enumerate(session_ids)))
    return dict(zip(session_ids, results, strict=True))


async def customer_of_rasa_server(
    http: aiohttp.ClientSession, stack: ScaledStack, index: int
) -> str:
    """A new web chat customer, greeted already, whose conversation the gateways send to
    Rasa server `index` first (the sender id, and so the route, depends on the stored id)."""
    urls = [f"http://127.0.0.1:{port}" for port in stack.rasa_ports]
    router = RasaClient(http, urls, RASA_TOKEN, 1)
    for _ in range(40):
        session_id = f"routed-{uuid.uuid4().hex[:8]}"
        assert await say(http, stack.gateways[1], session_id, "hello there")
        stored = await stored_conversations(stack.database_url, [session_id])
        conversation, _ = stored[session_id]
        if router.route(f"conversation-{conversation.id}")[0].startswith(urls[index]):
            return session_id
    raise AssertionError(f"no conversation went to Rasa server {index}")


# --- The tests, in the order they stop things ---


async def test_many_concurrent_conversations_through_two_gateways_lose_and_repeat_nothing(
    stack: ScaledStack,
) -> None:
    answers = await run_load(stack, customers=30, prefix="load")

    stored = await stored_conversations(stack.database_url, list(answers))
    for session_id, customer_answers in answers.items():
        assert_answered_by_the_assistant(customer_answers)
        conversation, messages = stored[session_id]
        assert conversation.holder is ConversationHolder.BOT
        assert_every_turn_stored_once(messages, customer_answers)
    inbound = sum(m.author is Author.CUSTOMER for _, ms in stored.values() for m in ms)
    assert inbound == 30 * len(TURNS) == 90


async def test_a_rasa_server_killed_mid_load_leaves_every_conversation_answered(
    stack: ScaledStack,
) -> None:
    finished: asyncio.Queue[str] = asyncio.Queue()
    load = asyncio.create_task(run_load(stack, customers=20, prefix="failover", progress=finished))
    # Kill the first Rasa server once a few customers are done and the rest are mid-turn.
    for _ in range(3):
        await asyncio.wait_for(finished.get(), 300)
    assert not load.done(), "the load is still running when the server dies"
    await asyncio.to_thread(stack.kill, "--port", str(stack.rasa_ports[0]))
    answers = await load

    stored = await stored_conversations(stack.database_url, list(answers))
    for session_id, customer_answers in answers.items():
        assert_answered_by_the_assistant(customer_answers)
        conversation, messages = stored[session_id]
        assert conversation.holder is ConversationHolder.BOT, conversation.handoff_reason
        assert_every_turn_stored_once(messages, customer_answers)
    assert stack.supervisor.poll() is None, "the other Rasa server carries on"
    assert "carries on" in stack.log_tail()

    # And new conversations, whichever server they would have gone to, are answered too.
    after = await run_load(stack, customers=6, prefix="after")
    for customer_answers in after.values():
        assert_answered_by_the_assistant(customer_answers)


async def test_with_its_action_server_down_a_customer_gets_the_polite_answer_and_the_queue(
    stack: ScaledStack,
) -> None:
    # An agent watches the inbox on the first gateway...
    engine = create_engine(stack.database_url)
    try:
        async with create_session_factory(engine).begin() as session:
            await create_agent(
                session, "claire@maison.example.com", "Claire", PASSWORD, AgentRole.AGENT
            )
    finally:
        await engine.dispose()
    jar = aiohttp.CookieJar(unsafe=True)  # cookies from 127.0.0.1
    async with (
        aiohttp.ClientSession(base_url=stack.gateways[0], cookie_jar=jar) as agent,
        aiohttp.ClientSession() as http,
    ):
        signed_in = await login(agent, "claire@maison.example.com", PASSWORD)
        assert signed_in.status == 303, await signed_in.text()
        assert await csrf_of(agent)
        async with agent.ws_connect("/inbox/ws", headers={"Origin": stack.gateways[0]}) as inbox:
            assert (await inbox.receive_json(timeout=10))["type"] == "hello"

            # ...while a customer on the second gateway, whose conversation goes to the
            # second Rasa server (alive whatever the tests before did), loses its action
            # server. The first action server stays: the supervisor stops everything when
            # the last of a kind dies.
            session_id = await customer_of_rasa_server(http, stack, index=1)
            stack.kill("-p", str(stack.action_ports[1]))
            replies = await say(
                http, stack.gateways[1], session_id, "can I talk to someone from the concierge?"
            )

            assert len(replies) == 1 and replies[0]["text"].startswith(POLITE_FALLBACK)
            stored = await stored_conversations(stack.database_url, [session_id])
            conversation, messages = stored[session_id]
            assert conversation.holder is ConversationHolder.WAITING
            assert conversation.handoff_reason == "assistant_unavailable"
            assert messages[-2].text == "can I talk to someone from the concierge?"

            # The agent on the other gateway hears of it at once.
            deadline = asyncio.get_running_loop().time() + 15
            while True:
                remaining = deadline - asyncio.get_running_loop().time()
                assert remaining > 0, "the handoff never reached the inbox on the other gateway"
                frame = await inbox.receive_json(timeout=remaining)
                if {**frame, "waiting": None} == {
                    "type": "conversation",
                    "conversation_id": conversation.id,
                    "holder": "waiting",
                    "agent_id": None,
                    "waiting": None,
                }:
                    break
