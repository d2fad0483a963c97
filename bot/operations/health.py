"""Whether a process the supervisor starts can listen where it should, and whether it answers."""

from __future__ import annotations

import asyncio
import errno
import socket
from urllib.parse import urlsplit

import aiohttp


def port_taken(host: str, port: int) -> bool:
    """Something already listens there: binding fails the way the process's own would."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror:
        return False  # a host that does not resolve: the process says so in its own log
    with socket.socket(family, kind, proto) as sock:
        # As the servers themselves do, so that a port in TIME_WAIT does not count as taken.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as error:
            return error.errno == errno.EADDRINUSE
    return False


async def answer(
    http: aiohttp.ClientSession, url: str, params: dict[str, str] | None = None
) -> int | None:
    """The status a health URL answers with, or None while nothing answers. A tcp://host:port
    URL answers 200 once it accepts a connection."""
    try:
        if url.startswith("tcp://"):
            parts = urlsplit(url)
            connecting = asyncio.open_connection(parts.hostname, parts.port)
            _, writer = await asyncio.wait_for(connecting, 2)
            writer.close()
            await writer.wait_closed()
            return 200
        timeout = aiohttp.ClientTimeout(total=2)
        async with http.get(url, params=params, timeout=timeout) as response:
            return response.status
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
        return None
