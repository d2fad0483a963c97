"""What `make run` and `make run-scaled` start: the action servers, the Rasa servers, the
gateways and, in development, the mail sink that prints one-time codes.

How many of each comes from the settings, so one supervisor serves both profiles:
one Rasa server per URL in RASA_URL, one action server per URL in ACTION_SERVER_URL (Rasa
server n uses action server n, round robin), one gateway per port in GATEWAY_PORTS
(default: GATEWAY_PORT). `make run` has one of each; deploy/scaled.env lists two.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bot.operations.training import model_path
from bot.settings import PROJECT_ROOT, Settings, SettingsError

VENVS = PROJECT_ROOT / ".venv"
DEFAULT_ACTION_SERVER_URL = "http://127.0.0.1:5055/webhook"
# Rasa's tracker store in `make run` (endpoints.yml): SQLite, here unless RASA_TRACKER_DB says.
DEFAULT_TRACKER_DB = PROJECT_ROOT / "var" / "rasa" / "tracker.db"


@dataclass
class Service:
    name: str
    argv: list[str]
    # Ready when this answers 200: an HTTP URL, or tcp://host:port for the mail sink.
    health_url: str
    # Services of one kind stand in for each other ("rasa", "actions", "gateway", "mail").
    kind: str = ""
    # This process's own settings, on top of the environment they all share.
    env: dict[str, str] = field(default_factory=dict)
    # Sent with the health check and never shown, unlike health_url: Rasa's token.
    health_params: dict[str, str] = field(default_factory=dict)
    # Health answers that mean it will never be ready, and what they mean.
    broken_when: dict[int, str] = field(default_factory=dict)
    # Where it listens, and the setting that moves it there (named when the port is taken).
    host: str = "127.0.0.1"
    port: int = 0
    setting: str = ""


def numbered(kind: str, index: int, count: int) -> str:
    """The name in front of its output: rasa when alone, rasa-1 and rasa-2 when two."""
    return kind if count == 1 else f"{kind}-{index + 1}"


def action_server_command(port: int) -> list[str]:
    """The action server, as `make run`, the benchmark and the tests start it: rasa-sdk's,
    on loopback, answering only calls that carry ACTION_SERVER_TOKEN (actions/server.py)."""
    python = str(VENVS / "app/bin/python")
    return [python, "-m", "actions.server", "-p", str(port)]


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
                host=settings.smtp_host,
                port=settings.smtp_port,
                setting="SMTP_PORT",
            )
        )
    for index, action_url in enumerate(action_urls):
        port = urlsplit(action_url).port or 5055
        found.append(
            Service(
                numbered("actions", index, len(action_urls)),
                action_server_command(port),
                f"http://127.0.0.1:{port}/health",
                kind="actions",
                port=port,
                setting="ACTION_SERVER_URL",
            )
        )
    for index, rasa_url in enumerate(settings.rasa_urls):
        rasa = urlsplit(rasa_url)
        host, port = rasa.hostname or "127.0.0.1", rasa.port or 5005
        found.append(
            Service(
                numbered("rasa", index, len(settings.rasa_urls)),
                rasa_server_command(model, settings.rasa_auth_token, host, port, endpoints),
                f"{rasa_url}/status",
                kind="rasa",
                # endpoints*.yml reads ${ACTION_SERVER_URL}: each Rasa server gets one.
                env={"ACTION_SERVER_URL": action_urls[index % len(action_urls)]},
                health_params={"token": settings.rasa_auth_token},
                # Rasa loads the model before it listens. A model it cannot read (a damaged
                # file) is logged, and the server then runs without one, answering 409 here.
                broken_when={409: "is up without a model: it could not load it"},
                host=host,
                port=port,
                setting="RASA_URL",
            )
        )
    for index, gateway_port in enumerate(gateway_ports):
        found.append(
            Service(
                numbered("gateway", index, len(gateway_ports)),
                [str(VENVS / "app/bin/python"), "-m", "bot", "serve"],
                # /readyz, not /healthz: the gateway is ready when it can serve a customer
                # (its store, a Rasa server with its model and an action server answer), so
                # `make run` announces the web chat only then.
                f"http://{settings.gateway_host}:{gateway_port}/readyz",
                kind="gateway",
                env={"GATEWAY_PORT": str(gateway_port)},
                host=settings.gateway_host,
                port=gateway_port,
                setting="GATEWAY_PORTS" if os.environ.get("GATEWAY_PORTS") else "GATEWAY_PORT",
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


def tracker_db() -> Path:
    """Where Rasa keeps its conversations in `make run` (endpoints.yml reads it)."""
    path = Path(os.environ.get("RASA_TRACKER_DB", "") or DEFAULT_TRACKER_DB)
    return path if path.is_absolute() else PROJECT_ROOT / path  # Rasa runs in PROJECT_ROOT


def child_environment() -> dict[str, str]:
    env = dict(os.environ)
    # The gateway erases a contact's conversations from Rasa's tracker store too
    # (bot/services/erasure.py): in `make run` that store is this SQLite file. A profile that
    # names another store (deploy/scaled.env) has already put it in the environment.
    env.setdefault("RASA_TRACKER_STORE_URL", f"sqlite:///{tracker_db()}")
    env.update(
        RASA_TRACKER_DB=str(tracker_db()),
        RASA_TELEMETRY_ENABLED="false",  # no internet here, and no reporting home anyway
        SANIC_HOST="127.0.0.1",  # the action server listens on loopback only
        PYTHONUNBUFFERED="1",
        TF_CPP_MIN_LOG_LEVEL="2",
    )
    return env
