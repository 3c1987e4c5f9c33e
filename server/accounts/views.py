"""Accounts: register, sign in, sign out, me; admin creates staff and organisations."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from aiohttp import web
from pydantic import AfterValidator, Field, field_validator

from server.accounts import codes, totp
from server.accounts import service as auth
from server.audit.service import Actor
from server.consent import service as consent
from server.employers import invitations
from server.homewatch import homes as homewatch
from server.keys import EVENTS, SETTINGS, SMS_SENDER
from server.outbox import service as outbox
from server.web.common import address_of, json, limiter, pool, user_of
from server.web.errors import Conflict, NotSignedIn, ServiceBusy, ValidationFailed
from server.web.qr import qr_data_uri
from server.web.validation import Body, Email, Id, invalid, parse_body


def _phone(raw: str) -> str:
    try:
        return auth.normalise_phone(raw)
    except ValidationFailed as error:
        raise invalid(error.code, error.message) from None


class Register(Body):
    phone: Annotated[str, Field(max_length=20), AfterValidator(_phone)]
    password: str = Field(max_length=256)
    name: str = Field(min_length=1, max_length=100)
    birth_date: date | None = None
    sex: Literal["female", "male", "other"] | None = None
    # Separate, explicit consents given at sign-up (server/consent); health_data is needed to use the clinic.
    consents: list[Literal["health_data", "video", "employer_screening", "family_access"]] | None = Field(
        default=None, max_length=4)
    # The employer's invitation link the person registers from (its token): registrations are then
    # limited per link rather than per address, so a company's staff register from one office.
    invitation: str | None = Field(default=None, max_length=100)

    @field_validator("birth_date")
    @classmethod
    def _plausible(cls, value: date | None) -> date | None:
        if value is not None and not (date(1900, 1, 1) <= value <= date.today()):
            raise invalid("validation_failed", "The date of birth is not plausible.")
        return value


class Login(Body):
    login: str = Field(min_length=1, max_length=200)
    password: str = Field(max_length=256)
    totp: str | None = Field(default=None, max_length=10)  # an admin's second factor, once enrolled


class NewPassword(Body):
    current_password: str = Field(max_length=256)
    new_password: str = Field(max_length=256)


class TotpCode(Body):
    code: str = Field(min_length=6, max_length=10)


class NewUser(Body):
    role: Literal["patient", "doctor", "employer", "admin", "pharmacist", "street_operator"]
    name: str = Field(min_length=1, max_length=100)
    email: Email
    password: str = Field(max_length=256)
    department: str | None = Field(default=None, max_length=40)
    organisation_id: Id | None = None
    licence_number: str | None = Field(default=None, min_length=4, max_length=40)  # doctors and pharmacists
    title: str | None = Field(default=None, max_length=60)
    street_id: Id | None = None  # street operators (home watch)


class NewOrganisation(Body):
    name: str = Field(min_length=1, max_length=200)


def _signed_in(request: web.Request, user, token: str, csrf: str, status: int) -> web.Response:
    settings = request.app[SETTINGS]
    response = json({"user": auth.public_user(user), "csrf_token": csrf}, status=status)
    response.set_cookie(auth.SESSION_COOKIE, token, httponly=True, samesite="Lax", path="/",
                        secure=settings.cookie_secure, max_age=settings.session_ttl_hours * 3600)
    return response


async def register(request: web.Request) -> web.Response:
    """A patient registers with phone and password and is signed in."""
    body = await parse_body(request, Register)
    phone = body.phone
    await limiter(request).check_register(phone, address_of(request), body.invitation)
    if body.invitation is not None:  # 404 / 409 / 410 as at the link itself; nothing is created
        async with pool(request).acquire() as conn:
            await invitations.invitation(conn, body.invitation)
    # The slow hash is made before any connection is taken: a flood of sign-ups cannot starve the pool.
    if await auth.login_taken(pool(request), phone=phone):
        raise Conflict("An account with this email or phone number already exists.", field="phone",
                       code="account_exists")
    password_hash = await auth.new_password_hash(body.password)
    async with pool(request).acquire() as conn:
        async with conn.transaction():
            user = await auth.create_user(conn, role="patient", name=body.name, password_hash=password_hash,
                                          phone=phone, birth_date=body.birth_date, sex=body.sex)
            for purpose in dict.fromkeys(body.consents or []):
                await consent.decide(conn, user["id"], Actor(user["id"], "patient", address_of(request)), purpose, True)
            token, csrf = await auth.open_session(conn, user["id"], request.app[SETTINGS].session_ttl_hours)
    return _signed_in(request, user, token, csrf, 201)


async def login(request: web.Request) -> web.Response:
    """Sign in with phone or email and password."""
    body = await parse_body(request, Login)
    login_key, address = auth.login_key(body.login).lower(), address_of(request)
    await limiter(request).check_login(login_key, address)  # counted before the slow hash is spent
    try:
        user = await auth.authenticate(pool(request), body.login, body.password)
    except ServiceBusy:  # the password was never checked: not an attempt, for the account or the address
        await limiter(request).not_tried(login_key, address)
        raise
    if user is None:
        raise NotSignedIn("The login or password is wrong.", code="bad_credentials", field="login")
    auth.check_second_factor(user, body.totp)
    await limiter(request).signed_in(login_key, address)
    async with pool(request).acquire() as conn:
        await auth.close_session(conn, request.cookies.get(auth.SESSION_COOKIE))
        token, csrf = await auth.open_session(conn, user["id"], request.app[SETTINGS].session_ttl_hours)
    return _signed_in(request, user, token, csrf, 200)


async def logout(request: web.Request) -> web.Response:
    """Sign out: the session is deleted on the server, its sockets closed on every process, the cookie cleared."""
    token = request.cookies.get(auth.SESSION_COOKIE)
    async with pool(request).acquire() as conn:
        await auth.close_session(conn, token)
    if token:
        await request.app[EVENTS].session_ended(auth.token_hash(token))
    response = web.Response(status=204)
    response.del_cookie(auth.SESSION_COOKIE, path="/")
    return response


async def me(request: web.Request) -> web.Response:
    """The signed-in user and the CSRF token their page must send."""
    user = user_of(request)
    return json({"user": auth.public_user(user), "csrf_token": user["csrf_token"],
                 "totp_enrolment_required": auth.totp_enrolment_required(user, request.app[SETTINGS].admin_totp_required)})


async def create_user(request: web.Request) -> web.Response:
    """An admin creates a doctor, pharmacist, employer, street operator, admin (or patient) account."""
    user_of(request, "admin")
    body = await parse_body(request, NewUser)
    password_hash = await auth.new_password_hash(body.password)
    async with pool(request).acquire() as conn:
        if body.role == "pharmacist" and not body.licence_number:
            raise ValidationFailed("A pharmacist needs a licence number.", field="licence_number", code="required")
        async with conn.transaction():
            user = await auth.create_staff(conn, role=body.role, name=body.name, email=body.email,
                                           password_hash=password_hash, department=body.department,
                                           organisation_id=body.organisation_id)
            if body.role in ("doctor", "pharmacist") and (body.licence_number or body.title):
                user = await auth.set_professional(conn, user["id"], body.licence_number, body.title)
            if body.role == "street_operator":
                await homewatch.make_operator(conn, user["id"], body.street_id)
    return json({"user": auth.public_user(user)}, status=201)


async def create_organisation(request: web.Request) -> web.Response:
    """An admin creates an organisation (an employer)."""
    user_of(request, "admin")
    body = await parse_body(request, NewOrganisation)
    async with pool(request).acquire() as conn:
        row = await auth.create_organisation(conn, body.name)
    return json({"id": str(row["id"]), "name": row["name"]}, status=201)


async def change_password(request: web.Request) -> web.Response:
    """Change one's password: every other session ends and every socket of the user closes, on every process."""
    user = user_of(request)
    body = await parse_body(request, NewPassword)
    await auth.change_password(pool(request), user["id"], body.current_password, body.new_password)
    async with pool(request).acquire() as conn:
        await auth.end_user_sessions(conn, user["id"])
        token, csrf = await auth.open_session(conn, user["id"], request.app[SETTINGS].session_ttl_hours)
    await request.app[EVENTS].user_sessions_ended(user["id"])
    return _signed_in(request, user, token, csrf, 200)


async def start_totp(request: web.Request) -> web.Response:
    """An admin starts enrolling a second factor: a new secret to scan, active once a code confirms it."""
    admin = user_of(request, "admin")
    async with pool(request).acquire() as conn:
        secret = await auth.start_totp(conn, admin["id"])
    url = totp.provisioning_uri(secret, admin["email"] or admin["name"])
    return json({"secret": secret, "otpauth_url": url, "qr": qr_data_uri(url)}, status=201)


async def confirm_totp(request: web.Request) -> web.Response:
    """The first code from the authenticator app: from now on signing in needs one."""
    admin = user_of(request, "admin")
    body = await parse_body(request, TotpCode)
    async with pool(request).acquire() as conn:
        await auth.confirm_totp(conn, admin["id"], body.code)
    return web.Response(status=204)
# ---- sign-in by SMS code and password reset (server/accounts/codes.py) --------------------------

class CodeRequest(Body):
    """The phone a code is sent to."""

    phone: str = Field(max_length=20)


class CodeLogin(Body):
    """Sign in with the code the SMS brought."""

    phone: str = Field(max_length=20)
    code: str = Field(max_length=12)


class PasswordReset(Body):
    """A new password, allowed by the code the SMS brought."""

    phone: str = Field(max_length=20)
    code: str = Field(max_length=12)
    new_password: str = Field(max_length=256)


async def send_code(request: web.Request) -> web.Response:
    """Send a 6-digit code by SMS (valid 5 minutes, single use); 202 whether or not the phone has an account."""
    body = await parse_body(request, CodeRequest)
    phone = auth.normalise_phone(body.phone)
    async with pool(request).acquire() as conn:
        async with conn.transaction():
            await codes.request_code(conn, request.app[SETTINGS].secret_key, phone)
    await outbox.deliver(pool(request), request.app[SMS_SENDER])
    return json({"sent_to": phone[:3] + "****" + phone[-4:], "valid_seconds": codes.CODE_TTL_SECONDS}, status=202)


async def login_with_code(request: web.Request) -> web.Response:
    """Sign in with phone and SMS code; five wrong codes lock codes for that phone for 15 minutes."""
    body = await parse_body(request, CodeLogin)
    phone = auth.normalise_phone(body.phone)
    async with pool(request).acquire() as conn:
        user = await codes.spend_code(conn, request.app[SETTINGS].secret_key, phone, body.code.strip())
        await auth.close_session(conn, request.cookies.get(auth.SESSION_COOKIE))
        token, csrf = await auth.open_session(conn, user["id"], request.app[SETTINGS].session_ttl_hours)
    return _signed_in(request, user, token, csrf, 200)


async def reset_password(request: web.Request) -> web.Response:
    """Set a new password with an SMS code; every session of the account ends."""
    body = await parse_body(request, PasswordReset)
    phone = auth.normalise_phone(body.phone)
    try:
        password_hash = await auth.new_password_hash(body.new_password)  # before a connection is taken
    except ValidationFailed as exc:
        exc.field = "new_password"
        raise
    async with pool(request).acquire() as conn:
        user = await codes.spend_code(conn, request.app[SETTINGS].secret_key, phone, body.code.strip())
        await codes.reset_password(conn, user["id"], password_hash)
    response = web.Response(status=204)
    response.del_cookie(auth.SESSION_COOKIE, path="/")
    return response
