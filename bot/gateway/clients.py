"""Who is calling: the client's address and scheme, believing a proxy only when it is ours.

X-Forwarded-For and X-Forwarded-Proto are headers anyone can send. They are read only when
the connection comes from an address in TRUSTED_PROXIES (the load balancer in front of the
gateways); then the client is the right-most address in X-Forwarded-For that is not itself
a trusted proxy. Anything else is the peer of the TCP connection.
"""

from __future__ import annotations

from ipaddress import ip_address

from aiohttp import web

from bot.settings import Settings


def _is_trusted(address: str | None, settings: Settings) -> bool:
    if not address:
        return False
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in settings.trusted_proxy_networks)


def from_trusted_proxy(request: web.Request, settings: Settings) -> bool:
    return _is_trusted(request.remote, settings)


def client_address(request: web.Request, settings: Settings) -> str:
    peer = request.remote or "unknown"
    if not _is_trusted(peer, settings):
        return peer
    hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if not _is_trusted(hop, settings):
            try:
                return str(ip_address(hop))
            except ValueError:
                return peer  # a garbled header: the proxy is the best we know
    return peer


def is_https(request: web.Request, settings: Settings) -> bool:
    """The browser reached us over HTTPS: directly, or through a trusted proxy that says so."""
    if request.transport is not None and request.transport.get_extra_info("sslcontext"):
        return True
    if from_trusted_proxy(request, settings):
        proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
        return proto == "https"
    return False
