"""What the supervisor starts: the Rasa command line as Rasa's own parser reads it, and one
process per listed server in the scale-out profile."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace

import pytest

from bot.operations.supervisor import services
from bot.settings import PROJECT_ROOT, Settings
from tests.assistant import RASA_BIN

# What `make run` may well generate: secrets.token_urlsafe can begin with "-".
TOKEN_LIKE_AN_OPTION = "-Xq3v_token-that-starts-with-a-dash"

PARSE = """
import json, sys
from rasa.__main__ import create_argument_parser
args = create_argument_parser().parse_args(json.loads(sys.argv[1])[1:])
print(json.dumps({"auth_token": args.auth_token, "interface": args.interface, "port": args.port}))
"""


def test_rasa_gets_a_token_that_begins_with_a_dash_as_its_token(settings: Settings) -> None:
    rasa = next(s for s in services(replace(settings, rasa_auth_token=TOKEN_LIKE_AN_OPTION))
                if s.kind == "rasa")  # fmt: skip

    parsed = subprocess.run(
        [str(RASA_BIN.parent / "python"), "-c", PARSE, json.dumps(rasa.argv)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "RASA_TELEMETRY_ENABLED": "false"},
    )

    assert parsed.returncode == 0, parsed.stderr[-2000:]
    assert json.loads(parsed.stdout.strip().splitlines()[-1]) == {
        "auth_token": TOKEN_LIKE_AN_OPTION,
        "interface": "127.0.0.1",  # the HTTP API on loopback only
        "port": 5005,
    }


def test_the_scaled_profile_starts_one_process_per_listed_server(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "ACTION_SERVER_URL", "http://127.0.0.1:5055/webhook,http://127.0.0.1:5056/webhook"
    )
    monkeypatch.setenv("GATEWAY_PORTS", "8000,8001")
    scaled = replace(settings, rasa_url="http://127.0.0.1:5005,http://127.0.0.1:5006")

    started = services(scaled)

    rasa = [s for s in started if s.kind == "rasa"]
    assert [s.name for s in rasa] == ["rasa-1", "rasa-2"]
    assert [s.argv[s.argv.index("--port") + 1] for s in rasa] == ["5005", "5006"]
    # Each Rasa server calls an action server of its own.
    assert [s.env["ACTION_SERVER_URL"] for s in rasa] == [
        "http://127.0.0.1:5055/webhook",
        "http://127.0.0.1:5056/webhook",
    ]
    assert len([s for s in started if s.kind == "actions"]) == 2
    gateways = [s for s in started if s.kind == "gateway"]
    assert [s.env["GATEWAY_PORT"] for s in gateways] == ["8000", "8001"]
