"""The client's address: the peer's, or X-Forwarded-For's when the peer is a proxy we trust.

Behind nginx every peer is the proxy; trusting X-Forwarded-For from anyone else would let a client
choose its own address (and so its own rate-limit key and audit address). TRUSTED_PROXIES lists
the proxies' addresses or networks; the client is the right-most hop that is not one of them.
"""
from __future__ import annotations

import ipaddress

from aiohttp import web

from server.keys import SETTINGS


def parse_networks(raw: tuple[str, ...]) -> tuple:
    """TRUSTED_PROXIES entries as networks (a bare address is a /32 or /128); ValueError names a bad one."""
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in raw)


def _trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: web.Request) -> str:
    """The address the request came from, as rate limits and audit rows record it."""
    peer = request.remote or ""
    networks = request.app[SETTINGS].trusted_proxy_networks
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [hop.strip() for value in request.headers.getall("X-Forwarded-For", []) for hop in value.split(",")]
    for hop in reversed([h for h in hops if h]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # a malformed chain: trust none of it
        if not _trusted(hop, networks):
            return hop
    return peer
