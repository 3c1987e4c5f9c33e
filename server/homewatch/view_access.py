"""What the home watch handlers share: the runtime, and which home or alert the caller may see.

A refused read is audited and answered 404, never a hint that the thing exists.
"""
from __future__ import annotations

from aiohttp import web

from server.audit import service as audit
from server.homewatch import homes, keys
from server.homewatch import queries as sql
from server.web.common import actor_of, path_id, pool, user_of
from server.web.errors import NotFound

STAFF_ROLES = ("street_operator", "carer")


def hw(request: web.Request):
    """This application's home watch runtime."""
    return request.app[keys.HOMEWATCH]


async def home_for(request: web.Request, action: str, *relations: str):
    """The path's home and the caller's relation to it; refused reads are audited and 404."""
    user = user_of(request)
    home_id = path_id(request)
    async with pool(request).acquire() as conn:
        try:
            home, relation = await homes.home_access(conn, user, home_id)
            if relations and relation not in relations:
                raise NotFound("No such home.", code="home_not_found")
        except NotFound:
            await audit.record(conn, actor_of(request), action, "hw_home", home_id, allowed=False)
            raise
        await audit.record(conn, actor_of(request), action, "hw_home", home_id)
    return user, home, relation


async def alert_for(conn, request, alert_id: int):
    """(alert, relation) when the caller may see it, else 404 (audited)."""
    user = user_of(request)
    alert = await conn.fetchrow(sql.ALERT, alert_id)
    if alert is not None:
        if user["role"] in STAFF_ROLES:
            staff = await conn.fetchrow(sql.STAFF, user["id"])
            if staff is not None and (alert["street_id"] in (None, staff["street_id"])):
                return alert, "operator" if user["role"] == "street_operator" else "carer"
        elif alert["home_id"] is not None:
            try:
                _home, relation = await homes.home_access(conn, user, alert["home_id"])
                return alert, relation
            except NotFound:
                pass
    await audit.record(conn, actor_of(request), "homewatch.alert.read", "hw_alert", alert_id, allowed=False)
    raise NotFound("No such alert.", code="alert_not_found")
