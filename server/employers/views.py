"""Employer routes (staff import, status, invitations, colleagues), the invitation flow, and staff screenings.

Every employer route works on the signed-in employer's own organisation (`organisation_id` of
their account); none takes an organisation from the client.
"""
from __future__ import annotations

from typing import Literal
from urllib.parse import urlencode

from aiohttp import web
from pydantic import Field

from server.accounts import service as auth
from server.audit import service as audit
from server.employers import csv_import, invitations
from server.employers import service as employers
from server.keys import USER
from server.web.common import actor_of, address_of, json, lang_of, limiter, path_id, pool, user_of
from server.web.errors import ValidationFailed
from server.web.pages import page, render
from server.web.uploads import read_file
from server.web.validation import Body, Email, Query, parse_body, parse_query, read_answers


class Colleague(Body):
    name: str = Field(min_length=1, max_length=100)
    email: Email
    password: str = Field(max_length=256)


class IssueInvitations(Body):
    employee_refs: list[str] | None = Field(default=None, max_length=50_000)
    qr: bool = False


def _employer(request: web.Request):
    return user_of(request, "employer")


def _base_url(request: web.Request) -> str:
    # Behind the reverse proxy (deploy/nginx.conf) the original scheme arrives in X-Forwarded-Proto.
    scheme = request.headers.get("X-Forwarded-Proto", request.scheme)
    return f"{scheme if scheme in ('http', 'https') else 'https'}://{request.host}"


async def import_staff(request: web.Request) -> web.Response:
    """Import the staff list from a CSV (multipart field `file`): good rows are upserted by employee id, bad ones listed."""
    employer = _employer(request)
    lang = lang_of(request)
    upload = await read_file(request, csv_import.MAX_UPLOAD_BYTES, missing_code="file_required", text="emp_file")
    declared = upload.content_type
    if declared not in csv_import.ALLOWED_UPLOAD_TYPES:
        code = "file_is_workbook" if "spreadsheet" in declared or "excel" in declared else "file_type"
        raise ValidationFailed(field="file", code=code, text="emp_file_excel" if code == "file_is_workbook"
                               else "emp_file_type", params={"type": declared[:60]})
    parsed = csv_import.parse_staff_csv(upload.content, lang)
    async with pool(request).acquire() as conn:
        answer = await csv_import.import_staff(conn, employer["organisation_id"], parsed)
        await audit.record(conn, actor_of(request), "staff.import", "organisation", employer["organisation_id"],
                           detail={k: answer[k] for k in ("created", "updated", "unchanged")}
                           | {"errors": len(answer["errors"])})
    return json(answer)


def _status_filter(request: web.Request) -> str | None:
    status = request.query.get("status") or None
    if status is not None and status not in employers.STATUSES:
        raise ValidationFailed(field="status", text="emp_bad_status")
    return status


class StaffPage(Query):
    status: Literal["pending", "cleared", "not_cleared", "expired"] | None = None
    limit: int = Field(default=employers.STAFF_PAGE_DEFAULT, ge=1, le=employers.STAFF_PAGE_MAX)
    after: str | None = Field(default=None, max_length=64)  # the last employee id of the page before


async def _staff(request: web.Request, employer) -> list[dict]:
    async with pool(request).acquire() as conn:
        staff = await employers.staff_list(conn, employer["organisation_id"], _status_filter(request))
        await audit.record(conn, actor_of(request), "screening_status.read", "organisation",
                           employer["organisation_id"], detail={"rows": len(staff)})
    return staff


async def list_staff(request: web.Request) -> web.Response:
    """A page of the organisation's staff with screening status and dates only, by employee id
    (`?status=` filters, `limit` at most 1000, `after` pages on); the next page is in `Link: rel="next"`."""
    employer = _employer(request)
    status = _status_filter(request)  # first: its message lists the statuses
    q = parse_query(request, StaffPage)
    async with pool(request).acquire() as conn:
        staff, after = await employers.staff_page(conn, employer["organisation_id"], status, q.after, q.limit)
        await audit.record(conn, actor_of(request), "screening_status.read", "organisation",
                           employer["organisation_id"], detail={"rows": len(staff)})
    response = json(staff)
    if after is not None:
        nxt = {"limit": q.limit, "after": after} | ({"status": status} if status else {})
        response.headers["Link"] = f'<{request.path}?{urlencode(nxt)}>; rel="next"'
    return response


async def staff_csv(request: web.Request) -> web.Response:
    """The staff list as a CSV for Excel (UTF-8 with BOM)."""
    staff = await _staff(request, _employer(request))
    return web.Response(body=employers.staff_csv(staff, lang_of(request)), headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": 'attachment; filename="staff-screening.csv"'})


async def staff_member(request: web.Request) -> web.Response:
    """One member of the organisation's own staff; 404 for anyone else's."""
    employer = _employer(request)
    async with pool(request).acquire() as conn:
        member = await employers.staff_member(conn, employer["organisation_id"], request.match_info["employee_ref"])
        await audit.record(conn, actor_of(request), "screening_status.read", "organisation",
                           employer["organisation_id"], detail={"rows": 1})
    return json(member)


async def staff_summary(request: web.Request) -> web.Response:
    """Counts per status, and cleared / not cleared per day of the last 14 days."""
    employer = _employer(request)
    async with pool(request).acquire() as conn:
        answer = await employers.summary(conn, employer["organisation_id"])
        await audit.record(conn, actor_of(request), "screening_status.read", "organisation",
                           employer["organisation_id"], detail={"summary": True})
    return json(answer)


async def issue_invitations(request: web.Request) -> web.Response:
    """Fresh single-use invitation links for the given staff (default: everyone not linked yet); shown only here."""
    employer = _employer(request)
    body = await parse_body(request, IssueInvitations)
    async with pool(request).acquire() as conn:
        async with conn.transaction():
            issued = await invitations.issue_invitations(conn, employer["organisation_id"], employer["id"],
                                                       body.employee_refs, _base_url(request), body.qr)
            await audit.record(conn, actor_of(request), "invitation.issue", "organisation",
                               employer["organisation_id"], detail={"count": len(issued)})
    return json(issued, status=201)


async def add_colleague(request: web.Request) -> web.Response:
    """An employer adds a colleague's employer account in the same organisation."""
    employer = _employer(request)
    body = await parse_body(request, Colleague)
    password_hash = await auth.new_password_hash(body.password)
    async with pool(request).acquire() as conn:
        async with conn.transaction():
            user = await auth.create_user(conn, role="employer", name=body.name, email=body.email,
                                          password_hash=password_hash, organisation_id=employer["organisation_id"])
            await audit.record(conn, actor_of(request), "user.create", "user", user["id"], detail={"role": "employer"})
    return json({"user": auth.public_user(user)}, status=201)


# ------------------------------------------------------------------------------------------------
# The invited person


async def invitation_info(request: web.Request) -> web.Response:
    """What an invitation link is for (organisation, name, phone to prefill, expiry); 404 / 409 used / 410 expired."""
    async with pool(request).acquire() as conn:
        return json(await invitations.invitation(conn, request.match_info["token"]))


async def accept_invitation(request: web.Request) -> web.Response:
    """The signed-in patient accepts the invitation: the enrollment is linked to their account."""
    patient = user_of(request, "patient")
    await limiter(request).check_invitation(request.match_info["token"], address_of(request))
    async with pool(request).acquire() as conn:
        link = await invitations.accept_invitation(conn, request.match_info["token"], patient, actor_of(request))
    await limiter(request).invitation_accepted(address_of(request))
    return json(link, status=201)


async def my_employers(request: web.Request) -> web.Response:
    """The employers the signed-in patient is linked to."""
    patient = user_of(request, "patient")
    async with pool(request).acquire() as conn:
        return json(await invitations.my_employers(conn, patient["id"]))


async def withdraw_employer(request: web.Request) -> web.Response:
    """The patient withdraws a link: that employer sees them as pending and never their results again."""
    patient = user_of(request, "patient")
    async with pool(request).acquire() as conn:
        await invitations.withdraw(conn, path_id(request), patient["id"], actor_of(request))
    return web.Response(status=204)


async def create_screening(request: web.Request) -> web.Response:
    """Today's health check of a linked patient: cleared / not cleared, and whether to consult now."""
    patient = user_of(request, "patient")
    answers = await read_answers(request)
    async with pool(request).acquire() as conn:
        answer = await employers.record_screening(conn, patient, answers, actor_of(request), lang_of(request))
    return json(answer, status=201)


async def latest_screening(request: web.Request) -> web.Response:
    """The patient's own latest screening with its triage result; 404 when none."""
    patient = user_of(request, "patient")
    async with pool(request).acquire() as conn:
        return json(await employers.latest_screening(conn, patient, actor_of(request), lang_of(request)))


# ------------------------------------------------------------------------------------------------
# Pages


def _render(request: web.Request, template: str, status: int = 200, **extra) -> web.Response:
    response = render(request, template, extra, status=status)
    # The link carries a secret: keep the page out of caches.
    response.headers["Cache-Control"] = "no-store"
    return response


async def invite_page(request: web.Request) -> web.StreamResponse:
    """The invitation page: who invites whom, then register or sign in, and accept."""
    lang = lang_of(request)
    user = request[USER]
    try:
        async with pool(request).acquire() as conn:
            info = await invitations.invitation(conn, request.match_info["token"])
    except (invitations.InvitationNotFound, invitations.InvitationUsed, invitations.InvitationExpired) as error:
        return _render(request, "invite.html", status=error.status, invite=None,
                       error={"code": error.code, "message": error.localised(lang)})
    return _render(request, "invite.html", invite=info, error=None,
                   wrong_role=user is not None and user["role"] != "patient")


async def screening_page(request: web.Request) -> web.StreamResponse:
    """The patient's daily health check and their employer links."""
    user = request[USER]
    if user is None or user["role"] != "patient":
        raise web.HTTPFound(f"/?next={request.path}")
    return _render(request, "screening.html", needs_age=user["birth_date"] is None)


invitations_print_page = page("invitations_print.html", "employer")
