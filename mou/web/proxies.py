"""The client's address, seen through the proxies the app trusts (``MOU_TRUSTED_PROXIES``)."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from typing import Any

from litestar import Request

from mou.settings import Settings

#: Where ``create_app`` keeps the trusted proxies' networks (``app.state``).
PROXIES_STATE = "trusted_proxies"


def proxy_networks(settings: Settings) -> tuple[IPv4Network | IPv6Network, ...]:
    """``MOU_TRUSTED_PROXIES`` read as networks; a malformed entry stops the app at start."""
    return tuple(ip_network(item, strict=False) for item in settings.trusted_proxies)


def _is_proxy(address: str, proxies: tuple[IPv4Network | IPv6Network, ...]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(request: Request[Any, Any, Any]) -> str:
    """The caller's address: the peer, or, when the peer is a trusted proxy, the nearest
    ``X-Forwarded-For`` hop that is not one (hops further left are the client's to invent)."""
    proxies: tuple[IPv4Network | IPv6Network, ...] = request.app.state.get(PROXIES_STATE, ())
    address = request.client.host if request.client else "unknown"
    if not _is_proxy(address, proxies):
        return address
    forwarded = ",".join(request.headers.getall("x-forwarded-for", []))
    for hop in reversed([hop.strip() for hop in forwarded.split(",") if hop.strip()]):
        address = hop
        if not _is_proxy(hop, proxies):
            break
    return address
