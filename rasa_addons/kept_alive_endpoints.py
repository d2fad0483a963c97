"""Rasa's calls to the action server over connections kept open between calls.

Rasa 3.6 (`EndpointConfig.request`) builds a new aiohttp session, so a new TCP connection,
for every action call and closes it afterwards; a form turn makes two or three such calls,
and each side pays for setting up and tearing down a connection every time (profiled under
`make bench`: about a twentieth of the Rasa server's CPU). Here `EndpointConfig.session()`
hands out one session per endpoint configuration and event loop, whose connections stay
open; `async with endpoint.session()` no longer closes it. Headers, authentication and the
timeout are the ones Rasa would have given the session it built.

Connections idle for `IDLE_SECONDS` are closed by this side first: the action server (Sanic)
closes idle connections after 5 s, and a request sent down a connection the server is
closing at that moment would fail the turn.

`install()` is called when Rasa imports our input channel (rasa_addons/gateway_input.py).
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Dict, Hashable, Tuple, Type

import aiohttp
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

IDLE_SECONDS = 2.0  # under Sanic's KEEP_ALIVE_TIMEOUT (5 s)

_sessions: Dict[Tuple[int, Hashable], aiohttp.ClientSession] = {}


class _Borrowed:
    """`async with` over a shared session: the session stays open afterwards."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(
        self,
        exc_type: Type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None


def _key(endpoint: EndpointConfig) -> Hashable:
    return (
        tuple(sorted((str(k), str(v)) for k, v in endpoint.headers.items())),
        tuple(sorted(endpoint.basic_auth.items())),
    )


def kept_alive_session(endpoint: EndpointConfig) -> _Borrowed:
    loop = asyncio.get_running_loop()
    key = (id(loop), _key(endpoint))
    session = _sessions.get(key)
    if session is None or session.closed:
        # What Rasa's EndpointConfig.session() sets, plus the idle limit.
        auth = (
            aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
            if endpoint.basic_auth
            else None
        )
        session = aiohttp.ClientSession(
            headers=endpoint.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_SECONDS),
        )
        _sessions[key] = session
    return _Borrowed(session)


async def close_all(*_: object) -> None:
    """Close the kept sessions (a Sanic listener: called with the app and the loop)."""
    sessions = list(_sessions.values())
    _sessions.clear()
    for session in sessions:
        await session.close()


def install() -> None:
    EndpointConfig.session = kept_alive_session  # type: ignore[assignment,method-assign]
