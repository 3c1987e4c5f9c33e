"""Accounts: register, sign in, sign out, me; admin creates staff and organisations."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from aiohttp import web
from pydantic import AfterValidator, Field, field_validator

from server.accounts import service as auth
from server.admin import service as admin_service
from server.keys import SETTINGS
from server.web.common import json, pool, user_of
from server.web.errors import Conflict, NotSignedIn, ValidationFailed
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

    @field_validator("birth_date")
    @classmethod
    def _plausible(cls, value: date | None) -> date | None:
        if value is not None and not (date(1900, 1, 1) <= value <= date.today()):
            raise invalid("validation_failed", "The date of birth is not plausible.")
        return value


class Login(Body):
    login: str = Field(min_length=1, max_length=200)
    password: str = Field(max_length=256)


class NewUser(Body):
    role: Literal["patient", "doctor", "employer", "admin"]
    name: str = Field(min_length=1, max_length=100)
    email: Email
    password: str = Field(max_length=256)
    department: str | None = Field(default=None, max_length=40)
    organisation_id: Id | None = None
    title: str | None = Field(default=None, max_length=50)
    licence_number: str | None = Field(default=None, max_length=50)  # 执业证号, recorded for doctors


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
    # The slow hash is made before any connection is taken: a flood of sign-ups cannot starve the pool.
    if await auth.login_taken(pool(request), phone=phone):
        raise Conflict("An account with this email or phone number already exists.", field="phone",
                       code="account_exists")
    password_hash = await auth.new_password_hash(body.password)
    async with pool(request).acquire() as conn:
        async with conn.transaction():
            user = await auth.create_user(conn, role="patient", name=body.name, password_hash=password_hash,
                                          phone=phone, birth_date=body.birth_date, sex=body.sex)
            token, csrf = await auth.open_session(conn, user["id"], request.app[SETTINGS].session_ttl_hours)
    return _signed_in(request, user, token, csrf, 201)


async def login(request: web.Request) -> web.Response:
    """Sign in with phone or email and password."""
    body = await parse_body(request, Login)
    user = await auth.authenticate(pool(request), body.login, body.password)
    if user is None:
        raise NotSignedIn("The login or password is wrong.", code="bad_credentials", field="login")
    async with pool(request).acquire() as conn:
        await auth.close_session(conn, request.cookies.get(auth.SESSION_COOKIE))
        token, csrf = await auth.open_session(conn, user["id"], request.app[SETTINGS].session_ttl_hours)
    return _signed_in(request, user, token, csrf, 200)


async def logout(request: web.Request) -> web.Response:
    """Sign out: the session is deleted on the server and the cookie cleared."""
    async with pool(request).acquire() as conn:
        await auth.close_session(conn, request.cookies.get(auth.SESSION_COOKIE))
    response = web.Response(status=204)
    response.del_cookie(auth.SESSION_COOKIE, path="/")
    return response


async def me(request: web.Request) -> web.Response:
    """The signed-in user and the CSRF token their page must send."""
    user = user_of(request)
    return json({"user": auth.public_user(user), "csrf_token": user["csrf_token"]})


async def create_user(request: web.Request) -> web.Response:
    """An admin creates a doctor, employer, admin (or patient) account."""
    user_of(request, "admin")
    body = await parse_body(request, NewUser)
    password_hash = await auth.new_password_hash(body.password)
    async with pool(request).acquire() as conn:
        user = await auth.create_staff(conn, role=body.role, name=body.name, email=body.email,
                                       password_hash=password_hash, department=body.department,
                                       organisation_id=body.organisation_id)
        if body.role == "doctor" and (body.title or body.licence_number):
            await admin_service.set_doctor_details(conn, user["id"], body.title, body.licence_number)
    return json({"user": auth.public_user(user)}, status=201)


async def create_organisation(request: web.Request) -> web.Response:
    """An admin creates an organisation (an employer)."""
    user_of(request, "admin")
    body = await parse_body(request, NewOrganisation)
    async with pool(request).acquire() as conn:
        row = await auth.create_organisation(conn, body.name)
    return json({"id": str(row["id"]), "name": row["name"]}, status=201)
