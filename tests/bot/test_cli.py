"""`python -m bot init-env`: fresh secrets, and the ones a newer version needs added later."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from bot import cli


@pytest.fixture
def env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    example = tmp_path / ".env.example"
    example.write_text("RASA_AUTH_TOKEN=\nACTION_SERVER_TOKEN=\nSECRET_KEY=\n# GATEWAY_PORT=8000\n")
    monkeypatch.setattr(cli, "ENV_EXAMPLE", example)
    monkeypatch.setattr(cli, "ENV_FILE", tmp_path / ".env")
    return tmp_path / ".env"


def values(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {name: value for name, value in pairs if not name.startswith("#")}


def test_a_new_env_gets_every_secret(env_file: Path) -> None:
    cli.init_env(argparse.Namespace())
    found = values(env_file)
    assert set(found) == set(cli.GENERATED_SECRETS)
    assert all(len(value) >= 32 for value in found.values())
    assert len(set(found.values())) == len(found)


def test_an_older_env_gets_the_action_server_token_and_keeps_the_rest(env_file: Path) -> None:
    env_file.write_text("RASA_AUTH_TOKEN=kept-rasa\nSECRET_KEY=kept-key\n")
    cli.init_env(argparse.Namespace())
    found = values(env_file)
    assert found["RASA_AUTH_TOKEN"] == "kept-rasa" and found["SECRET_KEY"] == "kept-key"
    assert len(found["ACTION_SERVER_TOKEN"]) >= 32
    before = env_file.read_text()
    cli.init_env(argparse.Namespace())
    assert env_file.read_text() == before, "nothing more to add"
