"""The admin figures: per department and day, how consultations went.

Definitions (also returned with the figures, so the page can show them):
- claimed: consultations that started that day (a doctor claimed the patient);
- completed: of those, ended with the doctor's record (a diagnosis); ended without one (the
  patient never came, handed back, transferred) they count as claimed only;
  completion rate = completed / claimed;
- satisfaction: the patients' ratings (1-5) of those consultations: average and count;
- wait: from joining the queue to the consultation's start, minutes: median and 90th percentile;
- length: from start to end of ended consultations, minutes: median and 90th percentile;
- poor-quality calls: consultations with at least one call-quality report (either member) with
  packet loss over 5 %, round trip over 400 ms, or jitter over 30 ms. Past these, speech and video
  visibly suffer (ITU-T G.114 puts one-way delay beyond 200 ms, i.e. ~400 ms round trip, into
  "users dissatisfied"; WebRTC's congestion control treats sustained loss above a few percent as
  congestion; 30 ms is the usual jitter budget for interactive voice). Frame figures are not used:
  frames_decoded is a running total and frame_width follows the camera;
- interrupted: consultations that were ever interrupted (a member gone past the grace period),
  from the status log the database keeps.
Days are calendar days in `tz` (default Asia/Shanghai).
"""
from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import asyncpg

from server.admin import queries as sql
from server.web.errors import ValidationFailed

LOSS_PCT, RTT_MS, JITTER_MS = 5.0, 400.0, 30.0
DEFAULT_TZ = "Asia/Shanghai"
DEFAULT_DAYS = 14
MAX_DAYS = 90
QUALITY_RULE = {"packet_loss_pct_over": LOSS_PCT, "rtt_ms_over": RTT_MS, "jitter_ms_over": JITTER_MS,
                "text": f"any report with packet loss > {LOSS_PCT:g} %, round trip > {RTT_MS:g} ms or jitter > {JITTER_MS:g} ms"}


def known_zone(name: str) -> bool:
    """True for an IANA time zone name this machine knows."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


async def check_zone(conn: asyncpg.Connection, tz: str) -> None:
    """422 naming `tz` unless PostgreSQL knows the zone too (Python's list and the server's can differ:
    `posixrules` is one Python knows and an embedded PostgreSQL may not)."""
    try:
        await conn.fetchval("SELECT now() AT TIME ZONE $1", tz)
    except (asyncpg.InvalidParameterValueError, asyncpg.DataError):
        raise ValidationFailed("tz must be a time zone name such as Asia/Shanghai.", field="tz") from None


def _round(value, digits: int = 1):
    return None if value is None else round(float(value), digits)


def _figures(row) -> dict:
    claimed = row["claimed"]
    return {
        "claimed": claimed, "ended": row["ended"], "completed": row["completed"],
        "completion_rate": round(row["completed"] / claimed, 3) if claimed else None,
        "ratings": row["ratings"], "rating_avg": _round(row["rating_avg"], 2),
        "wait_median_minutes": _round(row["wait_median"]), "wait_p90_minutes": _round(row["wait_p90"]),
        "length_median_minutes": _round(row["length_median"]), "length_p90_minutes": _round(row["length_p90"]),
        "calls_reported": row["calls_reported"], "poor_quality_calls": row["poor_quality_calls"],
        "interrupted": row["interrupted"],
    }


async def department_days(conn: asyncpg.Connection, days: int, tz: str) -> dict:
    """Figures per department per day for the last `days` days (today included), and per department in total."""
    rows = await conn.fetch(sql.STATS, days, tz, LOSS_PCT, RTT_MS, JITTER_MS)
    today: date = await conn.fetchval(sql.TODAY, tz)
    day_list = [(today - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]
    departments: dict[str, dict] = {}
    for row in rows:
        entry = departments.setdefault(row["department"], {"department": row["department"], "total": None, "days": []})
        if row["day"] is None:
            entry["total"] = _figures(row)
        else:
            entry["days"].append({"day": row["day"].isoformat(), **_figures(row)})
    return {"days": days, "tz": tz, "from": day_list[0], "to": day_list[-1], "day_list": day_list,
            "quality_rule": QUALITY_RULE, "departments": list(departments.values())}
