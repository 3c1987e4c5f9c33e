"""ICE server configuration: STUN from settings and TURN with coturn's time-limited REST credentials."""
from __future__ import annotations

import base64
import hashlib
import hmac
import time

from server.settings import Settings


def turn_credentials(secret: str, user_id: int | str, ttl: int, now: float | None = None) -> tuple[str, str]:
    """coturn's `use-auth-secret` scheme: username `<expiry>:<user>`, password base64(HMAC-SHA1(secret, username))."""
    expiry = int((now if now is not None else time.time()) + ttl)
    username = f"{expiry}:{user_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers(settings: Settings, user_id: int | str) -> list[dict]:
    """The RTCPeerConnection `iceServers` for a user; empty when none is configured.

    No public STUN default: these machines have no internet, and aiortc waits ~5 s for a STUN
    server that never answers, while loopback and LAN calls need none.
    """
    servers = []
    if settings.stun_urls:
        servers.append({"urls": list(settings.stun_urls)})
    if settings.turn_urls and settings.turn_secret:
        username, credential = turn_credentials(settings.turn_secret, user_id, settings.turn_ttl)
        servers.append({"urls": list(settings.turn_urls), "username": username, "credential": credential})
    return servers
