"""Dispatch that never drops a call: each alert's next step is a durable due time in PostgreSQL.

Step 0 goes to the on-duty carers of the home's community (a button press also to the family and
the contracted doctor at once); unacknowledged after ack_seconds it widens to every on-duty carer
of the street, then to the street's duty desk (its operators), again every escalate_seconds until
someone takes it. A step with no carer on duty goes to the duty desk as well, marked so: nobody on
duty is itself an alert. Each step queues SMS (and for the button a voice call) in the outbox for
people whose page may be closed. Any process may run a due step; SKIP LOCKED makes it run once.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import asyncpg

from server.homewatch import queries as sql
from server.homewatch import rules
from server.homewatch.config import HomewatchSettings


@dataclass
class Notice:
    """Who to ring now for one alert (the live event goes to them and to everyone who may see it)."""

    alert_id: int
    ring: list[int] = field(default_factory=list)


async def audience(conn: asyncpg.Connection, alert) -> set[int]:
    """Everyone who may see this alert live: those told so far, the owner, the family, the doctor,
    the resident, and the street's duty desk."""
    users = {r["user_id"] for r in await conn.fetch(sql.NOTIFIED, alert["id"])}
    if alert["owner_id"]:
        users.add(alert["owner_id"])
    users |= {r["user_id"] for r in await conn.fetch(sql.DUTY_DESK, alert["street_id"])}
    if alert["home_id"]:
        home = await conn.fetchrow(sql.HOME, alert["home_id"])
        users |= {r["user_id"] for r in await conn.fetch(sql.FAMILY_OF_HOME, home["id"])}
        users |= {u for u in (home["doctor_id"], home["resident_user_id"]) if u}
    return users


async def run_due_steps(conn: asyncpg.Connection, cfg: HomewatchSettings, only: list[int] | None = None,
                        limit: int = 100) -> list[Notice]:
    """Run every dispatch step that is due (or only those of `only`); return whom to ring."""
    notices = []
    async with conn.transaction():
        for alert in await conn.fetch(sql.DUE_STEPS, limit, only):
            notices.append(await _step(conn, cfg, alert))
    return notices


async def _step(conn, cfg: HomewatchSettings, alert) -> Notice:
    step = alert["escalation_step"]
    home = await conn.fetchrow(sql.HOME, alert["home_id"]) if alert["home_id"] else None
    target = rules.escalation_audience(step)
    if home is None:
        target = "desk"  # monitoring itself: the duty desk handles it
    told: list[tuple[int, str, str | None]] = []   # (user id, role, phone)
    if target == "community":
        told += [(r["user_id"], "carer", r["phone"]) for r in
                 await conn.fetch(sql.ON_DUTY_COMMUNITY, home["street_id"], home["community"])]
    elif target == "street":
        told += [(r["user_id"], "carer", r["phone"]) for r in await conn.fetch(sql.ON_DUTY_STREET, home["street_id"])]
    nobody = target != "desk" and not told
    if target == "desk" or nobody:
        told += [(r["user_id"], "duty_desk", r["phone"]) for r in
                 await conn.fetch(sql.DUTY_DESK, home["street_id"] if home else None)]
    if step == 0 and alert["kind"] == "button" and home is not None:
        family = [r["user_id"] for r in await conn.fetch(sql.FAMILY_OF_HOME, home["id"])]
        doctor = [home["doctor_id"]] if home["doctor_id"] else []
        phones = {r["user_id"]: r["phone"] for r in await conn.fetch(sql.USERS_PHONES, family + doctor)}
        told += [(u, "family", phones.get(u)) for u in family] + [(u, "doctor", phones.get(u)) for u in doctor]
    ids, roles = [u for u, _r, _p in told], [r for _u, r, _p in told]
    await conn.execute(sql.INSERT_NOTIFIED, alert["id"], ids, roles, step)
    detail = {"step": step, "audience": target, "count": len(set(ids))}
    if nobody:
        detail["nobody_on_duty"] = True
    await conn.execute(sql.INSERT_TIMELINE, alert["id"], "notified", None, detail)
    for user_id, role, phone in told:
        if not phone:
            continue
        await conn.execute(sql.QUEUE_MESSAGE, alert["id"], user_id, "sms", phone, f"hw.sms.{role}")
        if alert["kind"] == "button" and role in ("carer", "duty_desk"):
            await conn.execute(sql.QUEUE_MESSAGE, alert["id"], user_id, "voice", phone, "hw.voice")
    wait = cfg.ack_seconds if step == 0 else cfg.escalate_seconds
    await conn.execute(sql.SET_STEP, alert["id"], step + 1, float(wait))
    return Notice(alert["id"], sorted(set(ids)))
