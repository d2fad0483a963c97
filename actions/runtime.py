"""Process-wide settings and store access for the action server.

The action server (rasa-sdk) imports the actions package and calls `run` on each request; it
has no application object to hang an engine on. The engine is therefore made on first use,
in the server's own event loop, never at import time. Tests point it at their database.
"""

from __future__ import annotations

from bot.settings import Settings
from bot.store.db import SessionFactory, create_engine, create_session_factory

_settings: Settings | None = None
_sessions: SessionFactory | None = None


def settings() -> Settings:
    global _settings
    if _settings is None:
        _settings = Settings.from_env()
    return _settings


def sessions() -> SessionFactory:
    global _sessions
    if _sessions is None:
        _sessions = create_session_factory(create_engine(settings().database_url))
    return _sessions


def configure(new_settings: Settings, new_sessions: SessionFactory | None = None) -> None:
    """Use these settings (and sessions) from now on: the tests' hook."""
    global _settings, _sessions
    _settings = new_settings
    _sessions = new_sessions
