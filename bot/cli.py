"""Command line: `python -m bot <command>`. `make help` lists the everyday ones."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import sys
from datetime import datetime, timezone

from aiohttp import web

from bot.operations.console import say
from bot.settings import PROJECT_ROOT, Settings, SettingsError, load_dotenv

ENV_FILE = PROJECT_ROOT / ".env"
ENV_EXAMPLE = PROJECT_ROOT / ".env.example"
GENERATED_SECRETS = ("RASA_AUTH_TOKEN", "ACTION_SERVER_TOKEN", "SECRET_KEY")


def init_env(_: argparse.Namespace) -> None:
    """Create .env from .env.example with fresh random secrets, once; to an older .env, add
    a fresh value for each generated secret it lacks (ACTION_SERVER_TOKEN came later)."""
    if ENV_FILE.exists():
        _add_missing_secrets()
        return
    lines = []
    for line in ENV_EXAMPLE.read_text().splitlines():
        name = line.split("=", 1)[0]
        if name in GENERATED_SECRETS and line.strip() == f"{name}=":
            line = f"{name}={secrets.token_urlsafe(32)}"
        lines.append(line)
    ENV_FILE.write_text("\n".join(lines) + "\n")
    ENV_FILE.chmod(0o600)
    say("settings", f"created {ENV_FILE.name} with fresh secrets (.env.example lists the rest)")


def _add_missing_secrets() -> None:
    text = ENV_FILE.read_text()
    present = {line.split("=", 1)[0].strip() for line in text.splitlines() if "=" in line}
    missing = [name for name in GENERATED_SECRETS if name not in present]
    if not missing:
        return
    added = "".join(f"{name}={secrets.token_urlsafe(32)}\n" for name in missing)
    ENV_FILE.write_text(text + ("" if text.endswith("\n") or not text else "\n") + added)
    say("settings", f"added {', '.join(missing)} to {ENV_FILE.name} with fresh random values")


def create_databases(_: argparse.Namespace) -> None:
    """The scaled profile's PostgreSQL databases: our store and Rasa's tracker store."""
    from bot.store.postgres import create_database_if_missing

    urls = [Settings.from_env().database_url, os.environ.get("RASA_TRACKER_STORE_URL", "")]
    for url in urls:
        if url.startswith("postgresql"):
            created = asyncio.run(create_database_if_missing(url))
            name = url.rsplit("/", 1)[-1].split("?")[0]
            say("database", f"{name} {'created' if created else 'already present'}")


def migrate(_: argparse.Namespace) -> None:
    from bot.store.migrate import describe_database, upgrade_to_head

    url = Settings.from_env().database_url
    applied = upgrade_to_head(url)
    done = f"applied {applied} migration{'s' * (applied != 1)}" if applied else "up to date"
    say("database", f"{done}: {describe_database(url)}")


def load_demo_data(_: argparse.Namespace) -> None:
    from bot.store.db import create_engine, create_session_factory
    from bot.store.demo import DemoDataError

    try:
        from bot.store.demo_data import load_demo_data as load
        from bot.store.demo_outcomes import load_demo_outcomes
    except DemoDataError as error:
        raise SystemExit(f"error: {error}") from None

    settings = Settings.from_env()

    async def run() -> bool:
        engine = create_engine(settings.database_url)
        try:
            async with create_session_factory(engine).begin() as session:
                loaded = await load(session)
                # A few weeks of outcomes for /inbox/reports (bot/store/demo/outcomes.yml).
                await load_demo_outcomes(
                    session, datetime.now(timezone.utc).date(), settings.concierge_timezone
                )
                return loaded
        finally:
            await engine.dispose()

    loaded = asyncio.run(run())
    say("demo data", f"{'loaded' if loaded else 'already present'} (docs/demo-data.md lists it)")


def demo_data_docs(_: argparse.Namespace) -> None:
    from bot.store.demo import DemoDataError, read_demo_data
    from bot.store.demo.markdown import write_docs

    try:
        write_docs(PROJECT_ROOT, read_demo_data())
    except DemoDataError as error:
        raise SystemExit(f"error: {error}") from None
    print("wrote docs/demo-data.md and the README's table of demo orders")


def model_path(_: argparse.Namespace) -> None:
    from bot.operations.training import model_path as path

    print(path().relative_to(PROJECT_ROOT))


def train(_: argparse.Namespace) -> None:
    from bot.operations.training import train as train_model

    code = train_model()
    if code:
        raise SystemExit(code)


def serve(_: argparse.Namespace) -> None:
    from bot.app import create_app

    settings = Settings.from_env()
    settings.require_secrets()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    web.run_app(
        create_app(settings),
        host=settings.gateway_host,
        port=settings.gateway_port,
        print=None,
        access_log=None,
    )


def create_agent(args: argparse.Namespace) -> None:
    from bot.inbox.accounts import create_agent_command

    code = create_agent_command(args, Settings.from_env().database_url)
    if code:
        raise SystemExit(code)


def _agent_arguments(parser: argparse.ArgumentParser) -> None:
    from bot.inbox.accounts import add_arguments

    add_arguments(parser)


def set_priority(args: argparse.Namespace) -> None:
    from bot.inbox.accounts import set_priority_command

    code = set_priority_command(args, Settings.from_env().database_url)
    if code:
        raise SystemExit(code)


def _priority_arguments(parser: argparse.ArgumentParser) -> None:
    from bot.inbox.accounts import add_priority_arguments

    add_priority_arguments(parser)


COMMANDS = {
    "init-env": (init_env, "create .env with fresh secrets if it does not exist"),
    "create-databases": (
        create_databases,
        "create the PostgreSQL databases of DATABASE_URL and RASA_TRACKER_STORE_URL if missing",
    ),
    "migrate": (migrate, "migrate the database to the newest revision"),
    "load-demo-data": (load_demo_data, "load the demo catalogue, customers and orders (once)"),
    "demo-data-docs": (
        demo_data_docs,
        "rewrite docs/demo-data.md and the README's demo orders from bot/store/demo/*.yml",
    ),
    "model-path": (model_path, "print the model file for the current training data"),
    "train": (train, "train a model unless models/ has one for the current training data"),
    "serve": (serve, "run the gateway"),
    "create-agent": (create_agent, "create a concierge inbox account (password from a prompt)"),
    "set-priority": (set_priority, "mark a contact VIP, high or normal priority in the queue"),
}
# Commands that take options.
ARGUMENTS = {"create-agent": _agent_arguments, "set-priority": _priority_arguments}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (_, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text)
        if name in ARGUMENTS:
            ARGUMENTS[name](command)
    args = parser.parse_args(argv)
    try:
        load_dotenv()
        COMMANDS[args.command][0](args)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0
