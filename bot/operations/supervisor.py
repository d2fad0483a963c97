"""`make run` and `make run-scaled`: start the action servers, the Rasa servers and the
gateways (and, in development, the mail sink that prints one-time codes); stop them together.

How many of each comes from the settings, so one supervisor serves both profiles:
one Rasa server per URL in RASA_URL, one action server per URL in ACTION_SERVER_URL (Rasa
server n uses action server n, round robin), one gateway per port in GATEWAY_PORTS
(default: GATEWAY_PORT). `make run` has one of each; deploy/scaled.env lists two.

Each child's output is shown with its name in front. When one dies, the supervisor says
which and why. If it was the last of its kind (the only Rasa server, say), it stops the
others instead of leaving a half-working assistant; if another of its kind still runs, the
others carry on: that is what the second one is for. Ctrl-C stops them all cleanly.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp

from bot.operations.training import model_path
from bot.settings import PROJECT_ROOT, Settings, SettingsError, load_dotenv

VENVS = PROJECT_ROOT / ".venv"
DEFAULT_ACTION_SERVER_URL = "http://127.0.0.1:5055/webhook"
# Generous: a 2-core machine loading two Rasa models at once needs minutes.
START_TIMEOUT_SECONDS = 600
STOP_TIMEOUT_SECONDS = 15


@dataclass
class Service:
    name: str
    argv: list[str]
    health_url: str
    # Services of one kind stand in for each other ("rasa", "actions", "gateway", "mail").
    kind: str = ""
    # This process's own settings, on top of the environment they all share.
    env: dict[str, str] = field(default_factory=dict)
    process: asyncio.subprocess.Process | None = None


def numbered(kind: str, index: int, count: int) -> str:
    """The name in front of its output: rasa when alone, rasa-1 and rasa-2 when two."""
    return kind if count == 1 else f"{kind}-{index + 1}"


def action_server_command(port: int) -> list[str]:
    """The action server, as `make run`, the benchmark and the tests start it."""
    python = str(VENVS / "app/bin/python")
    return [python, "-m", "rasa_sdk", "--actions", "actions", "-p", str(port), "--quiet"]


def rasa_server_command(
    model: Path, token: str, host: str, port: int, endpoints: str = "endpoints.yml"
) -> list[str]:
    """A Rasa server, as `make run`, the benchmark and the tests start it: the HTTP API is
    enabled but needs the token, and only our token-checked channel is open."""
    return [
        *(str(VENVS / "rasa/bin/rasa"), "run", "--model", str(model)),
        # One argument, "--auth-token=…": a random token may begin with "-", which argparse
        # would take for an option of its own.
        *("--enable-api", f"--auth-token={token}"),
        *("--interface", host, "--port", str(port)),
        *("--endpoints", endpoints, "--credentials", "credentials.yml"),
    ]


def services(settings: Settings) -> list[Service]:
    action_urls = _listed(os.environ.get("ACTION_SERVER_URL", "")) or [DEFAULT_ACTION_SERVER_URL]
    gateway_ports = gateway_ports_of(settings)
    endpoints = os.environ.get("RASA_ENDPOINTS", "") or "endpoints.yml"
    model = model_path()
    if not model.exists():
        raise SettingsError(f"no trained model at {model}: run `make model` first")
    found: list[Service] = []
    if uses_mail_sink(settings):
        found.append(
            Service(
                "mail",
                [str(VENVS / "app/bin/python"), "-m", "bot.services.mail"],
                f"tcp://{settings.smtp_host}:{settings.smtp_port}",
                kind="mail",
            )
        )
    for index, action_url in enumerate(action_urls):
        port = str(urlsplit(action_url).port or 5055)
        found.append(
            Service(
                numbered("actions", index, len(action_urls)),
                action_server_command(int(port)),
                f"http://127.0.0.1:{port}/health",
                kind="actions",
            )
        )
    for index, rasa_url in enumerate(settings.rasa_urls):
        rasa = urlsplit(rasa_url)
        found.append(
            Service(
                numbered("rasa", index, len(settings.rasa_urls)),
                rasa_server_command(
                    model,
                    settings.rasa_auth_token,
                    rasa.hostname or "127.0.0.1",
                    rasa.port or 5005,
                    endpoints,
                ),
                f"{rasa_url}/",
                kind="rasa",
                # endpoints*.yml reads ${ACTION_SERVER_URL}: each Rasa server gets one.
                env={"ACTION_SERVER_URL": action_urls[index % len(action_urls)]},
            )
        )
    for index, gateway_port in enumerate(gateway_ports):
        found.append(
            Service(
                numbered("gateway", index, len(gateway_ports)),
                [str(VENVS / "app/bin/python"), "-m", "bot", "serve"],
                f"http://{settings.gateway_host}:{gateway_port}/healthz",
                kind="gateway",
                env={"GATEWAY_PORT": str(gateway_port)},
            )
        )
    return found


def gateway_ports_of(settings: Settings) -> list[int]:
    """GATEWAY_PORTS=8000,8001 runs two gateways; without it, one on GATEWAY_PORT."""
    listed = _listed(os.environ.get("GATEWAY_PORTS", ""))
    try:
        return [int(port) for port in listed] or [settings.gateway_port]
    except ValueError as error:
        raise SettingsError(f"GATEWAY_PORTS must list port numbers, got {listed}") from error


def _listed(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def uses_mail_sink(settings: Settings) -> bool:
    """In development the one-time codes go to a local sink that prints them."""
    loopback = settings.smtp_host in {"127.0.0.1", "localhost", "::1"}
    return loopback and os.environ.get("MAIL_SINK", "on").lower() != "off"


def child_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",  # no internet here, and no reporting home anyway
        SANIC_HOST="127.0.0.1",  # the action server listens on loopback only
        PYTHONUNBUFFERED="1",
        TF_CPP_MIN_LOG_LEVEL="2",
    )
    return env


async def pump_output(service: Service) -> None:
    assert service.process and service.process.stdout
    async for line in service.process.stdout:
        print(f"[{service.name}] {line.decode(errors='replace').rstrip()}", flush=True)


async def wait_healthy(service: Service, http: aiohttp.ClientSession, deadline: float) -> None:
    assert service.process
    while time.monotonic() < deadline:
        if service.process.returncode is not None:
            raise RuntimeError(f"{service.name} exited with code {service.process.returncode}")
        try:
            if service.health_url.startswith("tcp://"):
                host, port = (
                    urlsplit(service.health_url).hostname,
                    urlsplit(service.health_url).port,
                )
                _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 2)
                writer.close()
                return
            async with http.get(service.health_url, timeout=aiohttp.ClientTimeout(total=2)) as r:
                if r.status < 500:
                    return
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
            pass
        await asyncio.sleep(0.5)
    raise RuntimeError(f"{service.name} did not become ready within {START_TIMEOUT_SECONDS} s")


async def stop_all(running: list[Service]) -> None:
    for service in running:
        if service.process and service.process.returncode is None:
            service.process.terminate()
    for service in running:
        if service.process and service.process.returncode is None:
            try:
                await asyncio.wait_for(service.process.wait(), STOP_TIMEOUT_SECONDS)
            except asyncio.TimeoutError:
                service.process.kill()
                await service.process.wait()


async def supervise(settings: Settings) -> int:
    all_services = services(settings)
    stop_requested = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop_requested.set)

    env = child_environment()
    pumps = []
    for service in all_services:
        service.process = await asyncio.create_subprocess_exec(
            *service.argv,
            cwd=PROJECT_ROOT,
            env={**env, **service.env},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us; we stop the children in order
        )
        pumps.append(asyncio.create_task(pump_output(service)))

    started = time.monotonic()
    try:
        async with aiohttp.ClientSession() as http:
            deadline = started + START_TIMEOUT_SECONDS
            await asyncio.gather(*(wait_healthy(s, http, deadline) for s in all_services))
    except RuntimeError as error:
        print(f"[supervisor] start-up failed: {error}; stopping the others", flush=True)
        await stop_all(all_services)
        return 1

    web_chats = "".join(
        f"  web chat: http://{settings.gateway_host}:{port}/\n"
        for port in gateway_ports_of(settings)
    )
    print(
        f"\n[supervisor] ready in {time.monotonic() - started:.0f} s\n"
        f"{web_chats}"
        "  Ctrl-C stops them all.\n",
        flush=True,
    )

    code = await watch(all_services, stop_requested)
    await stop_all(all_services)
    for pump in pumps:
        pump.cancel()
    print("[supervisor] all stopped", flush=True)
    return code


async def watch(all_services: list[Service], stop_requested: asyncio.Event) -> int:
    """Until Ctrl-C (0) or until the last service of some kind has died (1)."""
    exits = {
        asyncio.create_task(s.process.wait()): s for s in all_services if s.process is not None
    }
    stop_task = asyncio.create_task(stop_requested.wait())
    while True:
        done, _ = await asyncio.wait([*exits, stop_task], return_when=asyncio.FIRST_COMPLETED)
        if stop_task in done:
            print("[supervisor] stopping…", flush=True)
            return 0
        for task in done:
            dead = exits.pop(task)
            others = [s.name for s in exits.values() if s.kind == dead.kind]
            if not others:
                print(
                    f"[supervisor] {dead.name} exited with code {task.result()}; "
                    "it was the only one of its kind: stopping the others",
                    flush=True,
                )
                stop_task.cancel()
                return 1
            print(
                f"[supervisor] {dead.name} exited with code {task.result()}; "
                f"{', '.join(others)} carr{'ies' if len(others) == 1 else 'y'} on",
                flush=True,
            )


def main() -> int:
    try:
        load_dotenv()
        settings = Settings.from_env()
        settings.require_secrets()
        return asyncio.run(supervise(settings))
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
