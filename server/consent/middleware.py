"""The consent gate: routes that process a patient's health data answer 403 `consent_required`
until the patient has agreed to `health_data` (API.md). Listed by route name in one place, so a
new route that processes health data is added here, and nothing else changes."""
from __future__ import annotations

from aiohttp import web

from server.consent import service
from server.keys import USER

# Route names (server/web/routes.py) that store or use a patient's health data.
HEALTH_DATA_ROUTES = frozenset({
    "triage_assess", "queue_join", "queue_reassess", "queue_precheck", "screening_create",
    "attachment_upload", "consultation_quality",
})


@web.middleware
async def consent_middleware(request: web.Request, handler):
    """Refuse a patient's health-data route without the `health_data` consent."""
    user = request.get(USER)
    if user is not None and user["role"] == "patient" and request.match_info.route.name in HEALTH_DATA_ROUTES \
            and not user["health_data_consent"]:  # read with the session, at this request's start
        raise service.ConsentRequired(field="health_data")
    return await handler(request)
