"""`make run`: start the action server, the Rasa server and the gateway (and, in development,
the mail sink that prints one-time codes); stop them together.

Each child's output is shown with its name in front. When one of them dies, the supervisor
says which and why, and stops the others instead of leaving a half-working assistant.
Ctrl-C stops them all cleanly.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp

from bot.settings import PROJECT_ROOT, Settings, SettingsError, load_dotenv
from bot.training import model_path

VENVS = PROJECT_ROOT / ".venv"
START_TIMEOUT_SECONDS = 300
STOP_TIMEOUT_SECONDS = 15


@dataclass
class Service:
    name: str
    argv: list[str]
    health_url: str
    process: asyncio.subprocess.Process | None = None


def services(settings: Settings) -> list[Service]:
    action_url = os.environ.setdefault("ACTION_SERVER_URL", "http://127.0.0.1:5055/webhook")
    action_port = str(urlsplit(action_url).port or 5055)
    rasa = urlsplit(settings.rasa_url)
    model = model_path()
    if not model.exists():
        raise SettingsError(f"no trained model at {model}: run `make model` first")
    mail_sink = [
        Service(
            "mail",
            [str(VENVS / "app/bin/python"), "-m", "bot.mail"],
            f"tcp://{settings.smtp_host}:{settings.smtp_port}",
        )
    ]
    return (mail_sink if uses_mail_sink(settings) else []) + [
        Service(
            "actions",
            [
                str(VENVS / "app/bin/python"),
                "-m",
                "rasa_sdk",
                "--actions",
                "actions",
                "-p",
                action_port,
                "--quiet",
            ],
            f"http://127.0.0.1:{action_port}/health",
        ),
        Service(
            "rasa",
            [
                str(VENVS / "rasa/bin/rasa"),
                "run",
                "--model",
                str(model),
                "--enable-api",
                "--auth-token",
                settings.rasa_auth_token,
                "--interface",
                rasa.hostname or "127.0.0.1",
                "--port",
                str(rasa.port or 5005),
                "--endpoints",
                "endpoints.yml",
                "--credentials",
                "credentials.yml",
            ],
            f"{settings.rasa_url}/",
        ),
        Service(
            "gateway",
            [str(VENVS / "app/bin/python"), "-m", "bot", "serve"],
            f"http://{settings.gateway_host}:{settings.gateway_port}/healthz",
        ),
    ]


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
            env=env,
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

    base = f"http://{settings.gateway_host}:{settings.gateway_port}"
    print(
        f"\n[supervisor] ready in {time.monotonic() - started:.0f} s\n"
        f"  web chat: {base}/\n"
        "  Ctrl-C stops them all.\n",
        flush=True,
    )

    exits = {
        asyncio.create_task(s.process.wait()): s for s in all_services if s.process is not None
    }
    stop_task = asyncio.create_task(stop_requested.wait())
    done, _ = await asyncio.wait([*exits, stop_task], return_when=asyncio.FIRST_COMPLETED)
    code = 0
    for task in done:
        if task in exits:
            service = exits[task]
            print(
                f"[supervisor] {service.name} exited with code {task.result()}; "
                "stopping the others",
                flush=True,
            )
            code = 1
    if stop_task in done:
        print("[supervisor] stopping…", flush=True)
    await stop_all(all_services)
    for pump in pumps:
        pump.cancel()
    print("[supervisor] all stopped", flush=True)
    return code


def main() -> int:
    load_dotenv()
    try:
        settings = Settings.from_env()
        settings.require_secrets()
        return asyncio.run(supervise(settings))
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
