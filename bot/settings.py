"""Settings, read once from the environment at start-up.

Secrets have no defaults: a missing one stops the process with a clear message instead of
running insecurely. Non-secret defaults suit `make run` on a laptop.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path

from bot.weekly_hours import HoursError, WeeklyHours

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'concierge.db'}"


class SettingsError(RuntimeError):
    """A required setting is missing or malformed."""


@dataclass(frozen=True)
class RateLimit:
    """At most `count` in each fixed window of `seconds`."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, name: str, value: str) -> RateLimit:
        """ "20/1m" -> 20 per 60 seconds."""
        count, sep, duration = value.partition("/")
        try:
            number = int(count.strip())
        except ValueError:
            number = 0
        if not sep or number < 1:
            raise SettingsError(f"{name} must look like 20/1m (count/duration), got {value!r}")
        return cls(number, max(1, round(parse_seconds(name, duration))))


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_auth_token: str = ""
    # Where Rasa calls the action servers (comma-separated); the gateway's /readyz checks them.
    action_server_url: str = "http://127.0.0.1:5055/webhook"
    # Shared by Rasa and the action server, which refuses every call without it.
    action_server_token: str = ""
    rasa_timeout_seconds: float = 15.0
    # Turns this gateway lets into each Rasa server at once; the others wait here, in order
    # (bot/gateway/rasa_client.py says why).
    rasa_max_in_flight: int = 4
    # Rasa's SQL tracker store, when it has one (the scaled deployment): erasing a contact
    # deletes their conversations' events there too (bot/services/erasure.py).
    rasa_tracker_store_url: str = ""
    # A Rasa server this gateway has not yet seen answer is "starting" (loading its model) for
    # this long after the gateway starts; a turn sent while every server is starting is held
    # up to RASA_STARTUP_WAIT_SECONDS for one to be ready, not handed to the concierge at once
    # (bot/gateway/rasa_client.py).
    rasa_startup_grace_seconds: float = 600.0
    # Below the web chat's own 60 s request timeout (connectors/webchat/static/webchat.js), so
    # the page still receives the answer to a held turn.
    rasa_startup_wait_seconds: float = 45.0
    # Live inbox and web chat updates: "local" within one gateway (`make run`), "postgres"
    # across gateways through LISTEN/NOTIFY on the store (`make run-scaled`), bot/gateway/live/.
    live_broadcast: str = "local"
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8000
    secret_key: str = ""
    public_base_url: str = "http://127.0.0.1:8000"
    # Load balancers whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses or
    # networks, comma-separated); empty: none, the TCP peer is the client.
    trusted_proxies: str = ""
    # Other sites' origins whose pages may post to /api/chat (the web chat embedded there);
    # the gateway's own origin always may.
    allowed_origins: str = ""
    # The brand's concierge, as published in the privacy policy ("Contact us").
    concierge_phone: str = "+1 877 8742438"
    concierge_email: str = "concierge.usa@piaget.com"
    # When a person staffs the inbox (bot/weekly_hours.py), in the concierge's time zone.
    concierge_hours: str = "mon-fri 09:00-19:00; sat 10:00-18:00"
    concierge_timezone: str = "America/New_York"
    # Outgoing mail (one-time codes). The default is the development sink `make run` starts,
    # which prints each mail instead of delivering it.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "Concierge <no-reply@concierge.example.com>"
    # Telegram and X (docs/channels.md). Each is off unless its mode is set.
    telegram_mode: str = "off"  # off | webhook | polling
    telegram_bot_token: str = ""
    telegram_webhook_secret: str = ""
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_poll_timeout_seconds: int = 30
    x_mode: str = "off"  # off | webhook | polling
    x_consumer_key: str = ""
    x_consumer_secret: str = ""
    x_access_token: str = ""
    x_access_token_secret: str = ""
    x_user_id: str = ""
    x_api_base_url: str = "https://api.twitter.com"
    x_poll_interval_seconds: float = 60.0
    # The outbox (gateway/delivery): retries of a failed send wait base * 2**n, up to the cap.
    outbox_max_attempts: int = 6
    outbox_retry_base_seconds: float = 2.0
    outbox_retry_max_seconds: float = 300.0
    outbox_sweep_seconds: float = 5.0
    # A row still "sending" this long after its claim was interrupted: marked failed.
    outbox_sending_timeout_seconds: float = 300.0
    # How often each gateway checks for due scheduled jobs (bot/gateway/scheduler.py).
    scheduler_tick_seconds: float = 30.0
    # The concierge queue (issue 14): a handoff still unclaimed after this many seconds is
    # escalated (it rises, is marked overdue, and agents are alerted again).
    handoff_escalate_after_seconds: float = 600.0
    # Where a handoff is e-mailed when no agent has the inbox open (empty: nowhere).
    on_duty_email: str = ""
    # First-response targets per priority, in seconds: the queue shows green, amber, red.
    first_response_targets: str = "vip=120,high=300,normal=600"
    # Order/repair lookups (issue 17): this many wrong answers within the window lock the
    # number, the conversation and the channel identity for the window, across conversations
    # and gateways (bot/services/lookup_guard.py).
    lookup_lockout_attempts: int = 3
    lookup_lockout_window_seconds: float = 1800.0
    # One-time e-mail codes (issue 17): at most this many codes per address per window,
    # across conversations; a new code replaces the older ones (bot/services/verification.py).
    verification_codes_per_address: int = 3
    verification_code_window_seconds: float = 3600.0
    # Outcomes (issue 15): a conversation with no activity for this many minutes is closed
    # by a scheduled job with its outcome (bot/services/outcomes.py).
    conversation_idle_close_minutes: int = 240
    # CSAT (issue 15): the share (0.0-1.0) of conversations the assistant resolved alone
    # whose customer is asked for a rating; after an agent's resolve it is always asked.
    csat_bot_sample_rate: float = 0.2
    # The privacy team's own target for answering each kind of request, in days
    # (bot/services/privacy_requests.py). California 1798.83 is not set here: it is 30 days.
    # The policy gives customers no reply time, so no reply names the due date.
    privacy_due_days_access: int = 30
    privacy_due_days_correction: int = 30
    privacy_due_days_deletion: int = 30
    # Retention (issue 16, bot/services/retention.py): the text of a conversation with no
    # activity for this many days (and not with or waiting for a person) is purged by a
    # scheduled job, with its Rasa tracker events; counts and outcomes stay. A
    # conversation whose customer said they are under 13 is purged sooner. 0 turns it off.
    retention_days: int = 365
    retention_days_minors: int = 30
    # Web chat rate limits (bot/gateway/limits.py, docs/security.md). RATE_LIMITS=off turns
    # them all off, for load tests only (`make bench` does). Limits are "count/duration".
    rate_limits: bool = True
    chat_limit_per_session: str = "20/1m"
    chat_limit_per_address: str = "120/1m"
    chat_sessions_per_address: str = "30/10m"
    # Open web chat sockets, counted by each gateway process (not across gateways).
    chat_sockets_per_address: int = 20
    chat_sockets_total: int = 2000

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        settings = cls(
            database_url=env.get("DATABASE_URL", DEFAULT_DATABASE_URL),
            rasa_url=env.get("RASA_URL", cls.rasa_url).rstrip("/"),
            rasa_auth_token=env.get("RASA_AUTH_TOKEN", ""),
            action_server_token=env.get("ACTION_SERVER_TOKEN", ""),
            action_server_url=env.get("ACTION_SERVER_URL", "") or cls.action_server_url,
            rasa_timeout_seconds=_float(env, "RASA_TIMEOUT_SECONDS", cls.rasa_timeout_seconds),
            rasa_max_in_flight=_int(env, "RASA_MAX_IN_FLIGHT", cls.rasa_max_in_flight),
            rasa_tracker_store_url=env.get("RASA_TRACKER_STORE_URL", "").strip(),
            rasa_startup_grace_seconds=_float(
                env, "RASA_STARTUP_GRACE_SECONDS", cls.rasa_startup_grace_seconds
            ),
            rasa_startup_wait_seconds=_float(
                env, "RASA_STARTUP_WAIT_SECONDS", cls.rasa_startup_wait_seconds
            ),
            live_broadcast=_choice(env, "LIVE_BROADCAST", LIVE_BROADCASTS),
            gateway_host=env.get("GATEWAY_HOST", cls.gateway_host),
            gateway_port=_int(env, "GATEWAY_PORT", cls.gateway_port),
            secret_key=env.get("SECRET_KEY", ""),
            trusted_proxies=env.get("TRUSTED_PROXIES", "").strip(),
            allowed_origins=env.get("ALLOWED_ORIGINS", "").strip(),
            public_base_url=env.get("PUBLIC_BASE_URL", "").rstrip("/")
            or f"http://{env.get('GATEWAY_HOST', cls.gateway_host)}:"
            f"{env.get('GATEWAY_PORT', cls.gateway_port)}",
            concierge_phone=env.get("CONCIERGE_PHONE", cls.concierge_phone),
            concierge_email=env.get("CONCIERGE_EMAIL", cls.concierge_email),
            concierge_hours=env.get("CONCIERGE_HOURS", cls.concierge_hours),
            concierge_timezone=env.get("CONCIERGE_TIMEZONE", "") or cls.concierge_timezone,
            smtp_host=env.get("SMTP_HOST", cls.smtp_host),
            smtp_port=_int(env, "SMTP_PORT", cls.smtp_port),
            smtp_username=env.get("SMTP_USERNAME", ""),
            smtp_password=env.get("SMTP_PASSWORD", ""),
            smtp_starttls=env.get("SMTP_STARTTLS", "").lower() in {"1", "true", "yes"},
            mail_from=env.get("MAIL_FROM", cls.mail_from),
            telegram_mode=_mode(env, "TELEGRAM_MODE"),
            telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN", ""),
            telegram_webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET", ""),
            telegram_api_base_url=env.get("TELEGRAM_API_BASE_URL", "") or cls.telegram_api_base_url,
            x_mode=_mode(env, "X_MODE"),
            x_consumer_key=env.get("X_CONSUMER_KEY", ""),
            x_consumer_secret=env.get("X_CONSUMER_SECRET", ""),
            x_access_token=env.get("X_ACCESS_TOKEN", ""),
            x_access_token_secret=env.get("X_ACCESS_TOKEN_SECRET", ""),
            x_user_id=env.get("X_USER_ID", ""),
            x_api_base_url=(env.get("X_API_BASE_URL", "") or cls.x_api_base_url).rstrip("/"),
            x_poll_interval_seconds=_float(
                env, "X_POLL_INTERVAL_SECONDS", cls.x_poll_interval_seconds
            ),
            outbox_max_attempts=_int(env, "OUTBOX_MAX_ATTEMPTS", cls.outbox_max_attempts),
            scheduler_tick_seconds=_float(
                env, "SCHEDULER_TICK_SECONDS", cls.scheduler_tick_seconds
            ),
            handoff_escalate_after_seconds=_seconds(
                env, "HANDOFF_ESCALATE_AFTER", cls.handoff_escalate_after_seconds
            ),
            on_duty_email=env.get("ON_DUTY_EMAIL", "").strip(),
            conversation_idle_close_minutes=_int(
                env, "CONVERSATION_IDLE_CLOSE_MINUTES", cls.conversation_idle_close_minutes
            ),
            csat_bot_sample_rate=min(
                1.0, max(0.0, _float(env, "CSAT_BOT_SAMPLE_RATE", cls.csat_bot_sample_rate))
            ),
            first_response_targets=env.get("FIRST_RESPONSE_TARGETS", "")
            or cls.first_response_targets,
            lookup_lockout_attempts=_int(
                env, "LOOKUP_LOCKOUT_ATTEMPTS", cls.lookup_lockout_attempts
            ),
            lookup_lockout_window_seconds=_seconds(
                env, "LOOKUP_LOCKOUT_WINDOW", cls.lookup_lockout_window_seconds
            ),
            verification_codes_per_address=_int(
                env, "VERIFICATION_CODES_PER_ADDRESS", cls.verification_codes_per_address
            ),
            verification_code_window_seconds=_seconds(
                env, "VERIFICATION_CODE_WINDOW", cls.verification_code_window_seconds
            ),
            privacy_due_days_access=_days(env, "PRIVACY_DUE_DAYS_ACCESS"),
            privacy_due_days_correction=_days(env, "PRIVACY_DUE_DAYS_CORRECTION"),
            privacy_due_days_deletion=_days(env, "PRIVACY_DUE_DAYS_DELETION"),
            retention_days=_retention(env, "RETENTION_DAYS", cls.retention_days),
            retention_days_minors=_retention(
                env, "RETENTION_DAYS_MINORS", cls.retention_days_minors
            ),
            rate_limits=_choice(env, "RATE_LIMITS", ("on", "off")) == "on",
            chat_limit_per_session=env.get("CHAT_LIMIT_PER_SESSION", "").strip()
            or cls.chat_limit_per_session,
            chat_limit_per_address=env.get("CHAT_LIMIT_PER_ADDRESS", "").strip()
            or cls.chat_limit_per_address,
            chat_sessions_per_address=env.get("CHAT_SESSIONS_PER_ADDRESS", "").strip()
            or cls.chat_sessions_per_address,
            chat_sockets_per_address=_int(
                env, "CHAT_SOCKETS_PER_ADDRESS", cls.chat_sockets_per_address
            ),
            chat_sockets_total=_int(env, "CHAT_SOCKETS_TOTAL", cls.chat_sockets_total),
        )
        _check_targets(settings)
        _ = settings.trusted_proxy_networks  # a malformed TRUSTED_PROXIES stops it here
        _check_concierge_hours(settings)
        _check_live_broadcast(settings)
        _ = settings.chat_limits  # a malformed limit stops the process here
        return settings

    @property
    def chat_limits(self) -> dict[str, RateLimit]:
        """The web chat's message limits by scope, parsed from "count/duration"."""
        return {
            "session": RateLimit.parse("CHAT_LIMIT_PER_SESSION", self.chat_limit_per_session),
            "address": RateLimit.parse("CHAT_LIMIT_PER_ADDRESS", self.chat_limit_per_address),
            "sessions": RateLimit.parse(
                "CHAT_SESSIONS_PER_ADDRESS", self.chat_sessions_per_address
            ),
        }

    @property
    def response_targets(self) -> dict[str, float]:
        """FIRST_RESPONSE_TARGETS as seconds by priority ("vip=2m,high=300,normal=10m")."""
        targets: dict[str, float] = {}
        for part in self.first_response_targets.split(","):
            name, sep, value = part.partition("=")
            if not sep or not name.strip():
                raise SettingsError(f"FIRST_RESPONSE_TARGETS: expected priority=time, got {part!r}")
            targets[name.strip().lower()] = parse_seconds("FIRST_RESPONSE_TARGETS", value)
        return targets

    @property
    def rasa_urls(self) -> list[str]:
        """RASA_URL may list several Rasa servers, comma-separated (the scale-out profile)."""
        return [url.strip().rstrip("/") for url in self.rasa_url.split(",") if url.strip()]

    @property
    def trusted_proxy_networks(self) -> list[IPv4Network | IPv6Network]:
        try:
            return [
                ip_network(part.strip(), strict=False)
                for part in self.trusted_proxies.split(",")
                if part.strip()
            ]
        except ValueError as error:
            raise SettingsError(f"TRUSTED_PROXIES: {error}") from error

    @property
    def allowed_origin_list(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip()]

    @property
    def action_server_urls(self) -> list[str]:
        return [url.strip() for url in self.action_server_url.split(",") if url.strip()]

    @property
    def secret_values(self) -> list[str]:
        """Every configured secret: never to appear in a log (bot/gateway/logs.py)."""
        values = (
            self.rasa_auth_token,
            self.action_server_token,
            self.secret_key,
            self.smtp_password,
            self.telegram_bot_token,
            self.telegram_webhook_secret,
            self.x_consumer_key,
            self.x_consumer_secret,
            self.x_access_token,
            self.x_access_token_secret,
        )
        return [value for value in values if value]

    def require_secrets(self) -> None:
        """Fail fast when a secret the gateway needs is missing."""
        missing = [
            name
            for name, value in (
                ("RASA_AUTH_TOKEN", self.rasa_auth_token),
                ("SECRET_KEY", self.secret_key),
                *self._channel_secrets(),
            )
            if not value
        ]
        if missing:
            raise SettingsError(
                f"missing secret(s) {', '.join(missing)}: set them in the environment or in .env "
                "(`make run` creates .env from .env.example with fresh random values)"
            )

    def require_action_server_token(self) -> None:
        """What `make run` needs on top of the gateway's secrets: Rasa sends this token to the
        action server, which answers nothing without it."""
        if not self.action_server_token:
            raise SettingsError(
                "missing secret ACTION_SERVER_TOKEN: set it in the environment or in .env "
                "(`python -m bot init-env` creates .env with fresh random values)"
            )

    def _channel_secrets(self) -> list[tuple[str, str]]:
        """What each enabled channel cannot run without."""
        needed: list[tuple[str, str]] = []
        if self.telegram_mode != "off":
            needed.append(("TELEGRAM_BOT_TOKEN", self.telegram_bot_token))
        if self.telegram_mode == "webhook":
            needed.append(("TELEGRAM_WEBHOOK_SECRET", self.telegram_webhook_secret))
        if self.x_mode != "off":
            needed += [
                ("X_CONSUMER_KEY", self.x_consumer_key),
                ("X_CONSUMER_SECRET", self.x_consumer_secret),
                ("X_ACCESS_TOKEN", self.x_access_token),
                ("X_ACCESS_TOKEN_SECRET", self.x_access_token_secret),
                ("X_USER_ID", self.x_user_id),
            ]
        return needed


CHANNEL_MODES = ("off", "webhook", "polling")
LIVE_BROADCASTS = ("local", "postgres")


def _check_concierge_hours(settings: Settings) -> None:
    """A malformed schedule stops the process at start-up, not at the first handoff."""
    try:
        WeeklyHours.parse(settings.concierge_hours, settings.concierge_timezone)
    except HoursError as error:
        raise SettingsError(f"CONCIERGE_HOURS/CONCIERGE_TIMEZONE: {error}") from error


def _check_live_broadcast(settings: Settings) -> None:
    """NOTIFY needs PostgreSQL: say so at start-up rather than at the first live event."""
    if settings.live_broadcast == "postgres" and not settings.database_url.startswith("postgresql"):
        raise SettingsError("LIVE_BROADCAST=postgres needs DATABASE_URL=postgresql+asyncpg://…")


def _check_targets(settings: Settings) -> None:
    missing = {"normal", "high", "vip"} - set(settings.response_targets)
    if missing:
        raise SettingsError(f"FIRST_RESPONSE_TARGETS: no target for {', '.join(sorted(missing))}")


DURATION_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0}


def parse_seconds(name: str, value: str) -> float:
    """ "90", "90s", "15m", "1h" as seconds; a clear error otherwise."""
    text = value.strip().lower()
    unit = DURATION_UNITS.get(text[-1:]) if text else None
    number = text[:-1] if unit else text
    try:
        seconds = float(number) * (unit or 1.0)
    except ValueError as error:
        raise SettingsError(
            f"{name} must be a duration like 90, 90s, 15m or 1h, got {value!r}"
        ) from error
    if seconds <= 0:
        raise SettingsError(f"{name} must be more than zero, got {value!r}")
    return seconds


def _seconds(env: dict[str, str], name: str, default: float) -> float:
    return parse_seconds(name, env[name]) if env.get(name, "").strip() else default


def _mode(env: dict[str, str], name: str) -> str:
    return _choice(env, name, CHANNEL_MODES)


def _choice(env: dict[str, str], name: str, choices: tuple[str, ...]) -> str:
    """One of `choices`, the first being the default."""
    value = env.get(name, "").strip().lower() or choices[0]
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def _int(env: dict[str, str], name: str, default: int) -> int:
    try:
        return int(env.get(name, default))
    except ValueError as error:
        raise SettingsError(f"{name} must be an integer, got {env[name]!r}") from error


def _days(env: dict[str, str], name: str, default: int = 30) -> int:
    """A privacy request's due time: 1 to 365 days."""
    days = _int(env, name, default)
    if not 1 <= days <= 365:
        raise SettingsError(f"{name} must be between 1 and 365 days, got {days}")
    return days


def _retention(env: dict[str, str], name: str, default: int) -> int:
    """A retention window in days: 0 turns it off; unset or empty is the default."""
    if not env.get(name, "").strip():
        return default
    days = _int(env, name, default)
    if days < 0:
        raise SettingsError(f"{name} must be 0 (off) or a number of days, got {days}")
    return days


def _float(env: dict[str, str], name: str, default: float) -> float:
    try:
        return float(env.get(name, default))
    except ValueError as error:
        raise SettingsError(f"{name} must be a number, got {env[name]!r}") from error


def load_dotenv(path: Path = PROJECT_ROOT / ".env") -> None:
    """Put KEY=VALUE lines of a .env file into os.environ; real environment variables win.

    A profile's file named by ENV_FILE (`make run-scaled`: deploy/scaled.env) is read
    first, so its values win over .env's, which keeps the secrets."""
    profile = os.environ.get("ENV_FILE", "")
    if profile:
        profile_path = PROJECT_ROOT / profile
        if not profile_path.exists():
            raise SettingsError(f"ENV_FILE={profile}: no such file")
        _load_env_file(profile_path)
    if path.exists():
        _load_env_file(path)


def _load_env_file(path: Path) -> None:
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip().isidentifier():
            raise SettingsError(f"{path}:{number}: expected KEY=VALUE, got {raw!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        os.environ.setdefault(name.strip(), value)
