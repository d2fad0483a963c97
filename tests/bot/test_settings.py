"""Settings from the environment: channels off by default, a channel switched on without its
secrets and a malformed concierge schedule stop start-up."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.services.concierge_hours import hours
from bot.settings import Settings, SettingsError

BASE = {"RASA_AUTH_TOKEN": "t", "SECRET_KEY": "s"}


def test_channels_are_off_by_default() -> None:
    settings = Settings.from_env(BASE)
    settings.require_secrets()
    assert (settings.telegram_mode, settings.x_mode) == ("off", "off")
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert settings.x_api_base_url == "https://api.twitter.com"


@pytest.mark.parametrize(
    ("environment", "missing"),
    [
        ({"TELEGRAM_MODE": "polling"}, ["TELEGRAM_BOT_TOKEN"]),
        ({"TELEGRAM_MODE": "webhook"}, ["TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"]),
        (
            {"X_MODE": "webhook", "X_CONSUMER_KEY": "k"},
            ["X_CONSUMER_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET", "X_USER_ID"],
        ),
    ],
)
def test_an_enabled_channel_without_its_secrets_stops_start_up(
    environment: dict[str, str], missing: list[str]
) -> None:
    settings = Settings.from_env({**BASE, **environment})
    with pytest.raises(SettingsError) as error:
        settings.require_secrets()
    assert all(name in str(error.value) for name in missing)


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(SettingsError, match="TELEGRAM_MODE must be one of off, webhook, polling"):
        Settings.from_env({**BASE, "TELEGRAM_MODE": "websocket"})


def test_a_complete_channel_configuration_is_accepted() -> None:
    settings = Settings.from_env(
        {
            **BASE,
            "TELEGRAM_MODE": "Webhook",
            "TELEGRAM_BOT_TOKEN": "1:a",
            "TELEGRAM_WEBHOOK_SECRET": "abc",
            "X_MODE": "polling",
            "X_CONSUMER_KEY": "k",
            "X_CONSUMER_SECRET": "s",
            "X_ACCESS_TOKEN": "t",
            "X_ACCESS_TOKEN_SECRET": "ts",
            "X_USER_ID": "9",
            "X_API_BASE_URL": "http://127.0.0.1:9/",
            "X_POLL_INTERVAL_SECONDS": "30",
        }
    )
    settings.require_secrets()
    assert (settings.telegram_mode, settings.x_mode) == ("webhook", "polling")
    assert (settings.x_api_base_url, settings.x_poll_interval_seconds) == ("http://127.0.0.1:9", 30)


def test_settings_refuse_a_malformed_schedule_at_start_up() -> None:
    with pytest.raises(SettingsError, match="CONCIERGE_HOURS"):
        Settings.from_env({"CONCIERGE_HOURS": "weekdays 9 to 5"})
    configured = Settings.from_env(
        {"CONCIERGE_HOURS": "mon-sun 00:00-24:00", "CONCIERGE_TIMEZONE": "Europe/London"}
    )
    assert hours(configured).is_open(datetime(2026, 6, 7, 3, 0, tzinfo=timezone.utc))


def test_rate_limits_are_on_by_default_and_read_as_count_per_duration() -> None:
    settings = Settings.from_env({"CHAT_LIMIT_PER_SESSION": "5/30s"})
    assert settings.rate_limits is True
    assert (settings.chat_limits["session"].count, settings.chat_limits["session"].seconds) == (
        5,
        30,
    )
    assert settings.chat_limits["sessions"].seconds == 600
    assert Settings.from_env({"RATE_LIMITS": "off"}).rate_limits is False


@pytest.mark.parametrize("value", ["20", "0/1m", "x/1m", "20/soon"])
def test_a_malformed_rate_limit_stops_start_up(value: str) -> None:
    with pytest.raises(SettingsError, match="CHAT_LIMIT_PER_ADDRESS"):
        Settings.from_env({"CHAT_LIMIT_PER_ADDRESS": value})


def test_retention_windows_default_to_a_year_and_30_days_and_0_turns_one_off() -> None:
    default = Settings.from_env({"RETENTION_DAYS": ""})
    assert (default.retention_days, default.retention_days_minors) == (365, 30)
    off = Settings.from_env({"RETENTION_DAYS": "0", "RETENTION_DAYS_MINORS": "7"})
    assert (off.retention_days, off.retention_days_minors) == (0, 7)
    with pytest.raises(SettingsError, match="RETENTION_DAYS"):
        Settings.from_env({"RETENTION_DAYS": "-1"})
    with pytest.raises(SettingsError, match="RETENTION_DAYS_MINORS"):
        Settings.from_env({"RETENTION_DAYS_MINORS": "a month"})


def test_the_csat_sample_rate_is_a_share_kept_between_0_and_1() -> None:
    assert Settings.from_env({}).csat_bot_sample_rate == 0.2
    assert Settings.from_env({"CSAT_BOT_SAMPLE_RATE": "0.5"}).csat_bot_sample_rate == 0.5
    assert Settings.from_env({"CSAT_BOT_SAMPLE_RATE": "7"}).csat_bot_sample_rate == 1.0
    assert Settings.from_env({"CSAT_BOT_SAMPLE_RATE": "-1"}).csat_bot_sample_rate == 0.0
