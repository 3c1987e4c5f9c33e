"""The second-factor gate: with ADMIN_TOTP_REQUIRED (on in production), an admin who signed in without
an active TOTP second factor reaches only the routes that enrol one, and every other API route answers
403 `totp_enrolment_required`. Pages still load, so the admin page can show the enrolment form."""
from __future__ import annotations

from aiohttp import web

from server.accounts import service as auth
from server.keys import SETTINGS, USER
from server.web.errors import Forbidden

# Route names (server/web/routes.py) an admin may use before enrolling: who am I, start and confirm
# the enrolment, sign in again or out; the published API description is no one's data.
ENROLMENT_ROUTES = frozenset({"me", "totp_start", "totp_confirm", "login", "logout", "openapi"})


class TotpEnrolmentRequired(Forbidden):
    code = "totp_enrolment_required"


@web.middleware
async def totp_enrolment_middleware(request: web.Request, handler):
    """Refuse an unenrolled admin's API requests but the enrolment routes, when a second factor is required."""
    user = request.get(USER)
    if (user is not None and request.path.startswith("/api/")
            and auth.totp_enrolment_required(user, request.app[SETTINGS].admin_totp_required)
            and request.match_info.route.name not in ENROLMENT_ROUTES):
        raise TotpEnrolmentRequired()
    return await handler(request)
