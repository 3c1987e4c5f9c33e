"""WebRTC helpers: ICE servers, and the server-side echo peer of the pre-call check."""
from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import Field

from server.calls import service as rtc
from server.calls.media import PeersBusy
from server.keys import MEDIA, SETTINGS
from server.web.common import json, user_of
from server.web.errors import AppError
from server.web.validation import Body, parse_body


class Offer(Body):
    sdp: str = Field(min_length=10, max_length=64 * 1024)
    type: Literal["offer"]


async def ice_servers(request: web.Request) -> web.Response:
    """STUN/TURN servers for RTCPeerConnection; TURN credentials expire after TURN_TTL."""
    user = user_of(request)
    return json({"iceServers": rtc.ice_servers(request.app[SETTINGS], user["id"]), "ttl": request.app[SETTINGS].turn_ttl})


async def precheck_offer(request: web.Request) -> web.Response:
    """The waiting room's camera/microphone/connection check against the server's aiortc peer."""
    user_of(request)
    body = await parse_body(request, Offer)
    try:
        answer = await request.app[MEDIA].answer(body.sdp, body.type)
    except PeersBusy:
        raise AppError("The connection check is busy; try again in a minute.", code="precheck_busy",
                       status=503) from None
    except ValueError:
        raise AppError("The offer could not be read.", code="bad_sdp", field="sdp", status=422) from None
    return json({"sdp": answer.sdp, "type": answer.type})
