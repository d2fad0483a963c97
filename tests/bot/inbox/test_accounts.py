"""`python -m bot create-agent`, password hashing, and the sign-in throttle."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys

import pytest
from sqlalchemy import select

from bot import cli
from bot.inbox import accounts
from bot.inbox.throttle import LoginThrottle, Outcome
from bot.settings import PROJECT_ROOT
from bot.store.db import create_engine, create_session_factory
from bot.store.models import Agent, AgentRole


def stored_agents(database_url: str) -> list[Agent]:
    async def read() -> list[Agent]:
        engine = create_engine(database_url)
        try:
            async with create_session_factory(engine)() as session:
                return list(await session.scalars(select(Agent)))
        finally:
            await engine.dispose()

    return asyncio.run(read())


def run_cli(monkeypatch: pytest.MonkeyPatch, database_url: str, stdin: str, *args: str) -> int:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))  # not a TTY: read from stdin
    return main(["create-agent", *args])


def main(argv: list[str]) -> int:
    """`python -m bot …` in-process: its exit status."""
    try:
        return cli.main(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)


def test_create_agent_reads_the_password_from_stdin_and_stores_only_a_hash(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_cli(
        monkeypatch,
        sqlite_url,
        "a very long passphrase\n",
        "--email", "Ada@Maison.example.com", "--name", "Ada", "--role", "admin",
    )  # fmt: skip
    assert code == 0
    assert "created admin ada@maison.example.com" in capsys.readouterr().out
    (agent,) = stored_agents(sqlite_url)
    assert (agent.email, agent.display_name, agent.role) == (
        "ada@maison.example.com",
        "Ada",
        AgentRole.ADMIN,
    )
    assert agent.password_hash.startswith("$argon2id$")
    assert "passphrase" not in agent.password_hash
    assert accounts.verify_password(agent.password_hash, "a very long passphrase")
    assert not accounts.verify_password(agent.password_hash, "a very long passphrasE")


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short one", "at least 12"),
        ("aaaaaaaaaaaaaaaa", "too few different"),
        ("my name is claire!", "must not contain the e-mail"),
        ("", "at least 12"),
    ],
)
def test_weak_passwords_are_refused(
    monkeypatch: pytest.MonkeyPatch,
    sqlite_url: str,
    capsys: pytest.CaptureFixture[str],
    password: str,
    why: str,
) -> None:
    code = run_cli(
        monkeypatch, sqlite_url, password + "\n", "--email", "claire@x.example", "--name", "C"
    )
    assert code == 1
    assert why in capsys.readouterr().err
    assert stored_agents(sqlite_url) == []


def test_an_existing_e_mail_is_refused(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("--email", "marc@maison.example.com", "--name", "Marc")
    assert run_cli(monkeypatch, sqlite_url, "first long password\n", *args) == 0
    assert run_cli(monkeypatch, sqlite_url, "second long password\n", *args) == 1
    assert "already exists" in capsys.readouterr().err


def test_on_a_terminal_the_password_is_typed_twice(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    typed = iter(["a long passphrase one", "a long passphrase two"])
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setattr(accounts.getpass, "getpass", lambda _: next(typed))
    assert main(["create-agent", "--email", "c@maison.example.com", "--name", "C"]) == 1
    assert "differ" in capsys.readouterr().err


def test_the_command_runs_as_documented(sqlite_url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "create-agent", "--email", "e@maison.example.com",
         "--name", "Eve"],
        input="piped long passphrase\n",
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={"DATABASE_URL": sqlite_url, "PATH": "/usr/bin:/bin"},
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert [a.email for a in stored_agents(sqlite_url)] == ["e@maison.example.com"]


def test_the_throttle_counts_failures_per_account_and_per_address() -> None:
    throttle = LoginThrottle(window=60, per_account=3, per_address=5)

    def fail(email: str, address: str, now: float) -> bool:
        allowed = throttle.attempt(email, address, now=now)
        if allowed:
            throttle.finished(email, address, Outcome.FAILED, now=now)
        return allowed

    assert [fail("a@x", "1.1.1.1", now=0) for _ in range(4)] == [True, True, True, False]
    assert throttle.attempt("A@X ", "2.2.2.2", now=1) is False, "the same account"
    assert throttle.attempt("a@x", "1.1.1.1", now=61) is True, "a new window"
    throttle.finished("a@x", "1.1.1.1", Outcome.SUCCEEDED, now=61)
    # Many accounts failing from one address: the address limit (5 in the window from 61).
    assert [fail(f"u{i}@x", "1.1.1.1", now=63) for i in range(6)] == [True] * 5 + [False]


def test_successes_never_count_and_attempts_in_flight_hold_a_place() -> None:
    throttle = LoginThrottle(window=60, per_account=3, per_address=5)
    for _ in range(50):  # a whole team behind one proxy, all day
        assert throttle.attempt("a@x", "1.1.1.1", now=0)
        throttle.finished("a@x", "1.1.1.1", Outcome.SUCCEEDED, now=0)
    # A burst in parallel: three may be checked at once, the fourth waits for an outcome.
    assert [throttle.attempt("b@x", "2.2.2.2", now=1) for _ in range(4)] == [True] * 3 + [False]
    throttle.finished("b@x", "2.2.2.2", Outcome.ERROR, now=1)  # judged neither way
    assert throttle.attempt("b@x", "2.2.2.2", now=1) is True
