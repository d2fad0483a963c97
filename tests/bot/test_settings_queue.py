"""The queue's settings: durations in plain units, a target for every priority."""

from __future__ import annotations

import pytest

from bot.settings import Settings, SettingsError


def test_durations_and_targets_are_read_in_plain_units() -> None:
    settings = Settings.from_env(
        {
            "HANDOFF_ESCALATE_AFTER": "15m",
            "ON_DUTY_EMAIL": " duty@example.com ",
            "FIRST_RESPONSE_TARGETS": "vip=90s,high=5m,normal=600",
        }
    )
    assert settings.handoff_escalate_after_seconds == 900
    assert settings.on_duty_email == "duty@example.com"
    assert settings.response_targets == {"vip": 90, "high": 300, "normal": 600}
    assert Settings.from_env({}).handoff_escalate_after_seconds == 600


@pytest.mark.parametrize(
    ("name", "value", "why"),
    [
        ("HANDOFF_ESCALATE_AFTER", "soon", "a duration like"),
        ("HANDOFF_ESCALATE_AFTER", "0", "more than zero"),
        ("FIRST_RESPONSE_TARGETS", "vip=2m,high=5m", "no target for normal"),
        ("FIRST_RESPONSE_TARGETS", "vip", "expected priority=time"),
    ],
)
def test_a_malformed_value_stops_the_start(name: str, value: str, why: str) -> None:
    with pytest.raises(SettingsError, match=why):
        Settings.from_env({name: value})
