"""Home watch reports: per day and community, false alarms per home, devices offline; CSV."""
from __future__ import annotations

import csv
import io
from typing import Literal

from aiohttp import web

from server.homewatch import alerts, homes, rules
from server.homewatch import queries as sql
from server.homewatch.view_access import hw
from server.web.common import json, pool, user_of
from server.web.errors import ValidationFailed
from server.web.validation import Count, Id, Query, parse_query


class ReportQuery(Query):
    days: Count = 7
    street_id: Id | None = None
    by: Literal["community", "day"] = "community"  # day: one row per day, every community together


async def _report_rows(request: web.Request) -> list[dict]:
    user = user_of(request, "street_operator", "admin")
    query = parse_query(request, ReportQuery)
    days = min(query.days, 366)
    async with pool(request).acquire() as conn:
        if user["role"] == "admin":
            if query.street_id is None:
                raise ValidationFailed("street_id: required for an admin.", field="street_id", code="required")
            street_id = query.street_id
        else:
            street_id = (await homes.staff_of(conn, user))["street_id"]
        rows = await conn.fetch(sql.REPORT, street_id, days, hw(request).cfg.timezone, query.by == "community")
    out = []
    for r in rows:
        raised = r["raised"] or 0

        def pct(n, raised=raised):
            return round(100.0 * n / raised, 1) if raised else None
        out.append({"date": alerts.report_day(r["day"]), "community": r["community"], "raised": raised,
                    "button": r["button"], "stay": r["stay"], "inactivity": r["inactivity"], "device": r["device"],
                    "acknowledged_60s": r["ack_60"], "acknowledged_180s": r["ack_180"],
                    "acknowledged_60s_pct": pct(r["ack_60"]), "acknowledged_180s_pct": pct(r["ack_180"]),
                    "arrival_median_s": r["arrival_median_s"], "arrival_p90_s": r["arrival_p90_s"],
                    "completed_pct": pct(r["closed"]),
                    "satisfaction": float(r["satisfaction"]) if r["satisfaction"] is not None else None,
                    "false_alarms": r["false_alarms"]})
    return out


async def report(request: web.Request) -> web.Response:
    """Per day and community: alerts by kind, acknowledged within 60 s / 180 s, arrival, completion."""
    return json(await _report_rows(request))


async def report_homes(request: web.Request) -> web.Response:
    """False alarms per home (most first) and how many devices are offline now (past their heartbeat timeout)."""
    user = user_of(request, "street_operator")
    days = min(parse_query(request, ReportQuery).days, 366)
    async with pool(request).acquire() as conn:
        street_id = (await homes.staff_of(conn, user))["street_id"]
        per_home = await conn.fetch(sql.FALSE_ALARMS_PER_HOME, street_id, days)
        offline = await conn.fetchval(sql.DEVICES_OFFLINE, street_id,
                                      float(rules.DEFAULT_RULES["heartbeat_timeout_seconds"]))
    return json({"false_alarms_per_home": [{"home_id": str(r["id"]), "address": r["address"],
                                            "false_alarms": r["false_alarms"]} for r in per_home],
                 "devices_offline": offline})


async def report_csv(request: web.Request) -> web.Response:
    """The same report as CSV."""
    rows = await _report_rows(request)
    buffer = io.StringIO()
    columns = ["date", "community", "raised", "button", "stay", "inactivity", "device", "acknowledged_60s",
               "acknowledged_180s", "acknowledged_60s_pct",
               "acknowledged_180s_pct", "arrival_median_s", "arrival_p90_s", "completed_pct", "satisfaction",
               "false_alarms"]
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return web.Response(text=buffer.getvalue(), content_type="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="homewatch-report.csv"'})
