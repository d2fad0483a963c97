"""Agent accounts: argon2 password hashes, and `python -m bot create-agent`.

There is no default account and no default password: the first agent is created from the
command line, which reads the password from a prompt (twice) or from stdin when piped.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.routing import TEAMS
from bot.store.models import Agent, AgentRole, Contact, Priority

MIN_PASSWORD_LENGTH = 12
HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters


class WeakPassword(ValueError):
    pass


class AgentExists(ValueError):
    pass


def check_strength(password: str, email: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(set(password)) < 4:
        raise WeakPassword("the password repeats too few different characters")
    local_part = email.split("@")[0].lower()
    if len(local_part) >= 4 and local_part in password.lower():
        raise WeakPassword("the password must not contain the e-mail address")


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return HASHER.hash("not a real password, only for timing")


def verify_unknown(password: str) -> bool:
    """Spend the same time for an unknown e-mail as for a wrong password, so the login's
    timing does not reveal which addresses are agents."""
    verify_password(_dummy_hash(), password)
    return False


async def find_agent(session: AsyncSession, email: str) -> Agent | None:
    agent: Agent | None = await session.scalar(
        select(Agent).where(func.lower(Agent.email) == email.strip().lower())
    )
    return agent


async def create_agent(
    session: AsyncSession, email: str, name: str, password: str, role: AgentRole
) -> Agent:
    email = email.strip().lower()
    if "@" not in email or not name.strip():
        raise ValueError("an e-mail address and a name are required")
    check_strength(password, email)
    if await find_agent(session, email) is not None:
        raise AgentExists(f"an agent with the e-mail {email} already exists")
    agent = Agent(
        email=email, display_name=name.strip(), password_hash=hash_password(password), role=role
    )
    session.add(agent)
    await session.flush()
    return agent


# --- the command line --------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--email", required=True)
    parser.add_argument("--name", required=True, help="the name customers and colleagues see")
    parser.add_argument("--role", choices=[r.value for r in AgentRole], default="agent")
    parser.add_argument(
        "--team", choices=sorted(TEAMS), default=None, help="whose queue the agent sees first"
    )


def read_password() -> str:
    """From a prompt, typed twice, on a terminal; otherwise the first line of stdin."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password (12 characters or more): ")
    if getpass.getpass("Password again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def create_agent_command(args: argparse.Namespace, database_url: str) -> int:
    from bot.store.db import create_engine, create_session_factory

    async def run(password: str) -> Agent:
        engine = create_engine(database_url)
        try:
            async with create_session_factory(engine).begin() as session:
                agent = await create_agent(
                    session, args.email, args.name, password, AgentRole(args.role)
                )
                agent.team = getattr(args, "team", None)
                return agent
        finally:
            await engine.dispose()

    try:
        password = read_password()
        check_strength(password, args.email)
        agent = asyncio.run(run(password))
    except ValueError as error:  # weak, mismatched, duplicate, malformed
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"created {agent.role.value} {agent.email} ({agent.display_name})")
    return 0


# --- the house's priority flag -------------------------------------------------------------


def add_priority_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--email", required=True, help="the contact's e-mail address")
    parser.add_argument("--priority", choices=[p.value for p in Priority], required=True)


def set_priority_command(args: argparse.Namespace, database_url: str) -> int:
    """The house marks a customer VIP (or high, or back to normal): the queue orders by it."""
    from bot.store.db import create_engine, create_session_factory

    async def run() -> bool:
        engine = create_engine(database_url)
        try:
            async with create_session_factory(engine).begin() as session:
                contact = await session.scalar(
                    select(Contact).where(func.lower(Contact.email) == args.email.strip().lower())
                )
                if contact is None:
                    return False
                contact.priority = Priority(args.priority)
                return True
        finally:
            await engine.dispose()

    if not asyncio.run(run()):
        print(f"error: no contact with the e-mail {args.email}", file=sys.stderr)
        return 1
    print(f"{args.email}: priority {args.priority}")
    return 0
