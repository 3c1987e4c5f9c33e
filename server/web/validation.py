"""Request bodies and query strings parsed into pydantic models; the first problem becomes a 4xx
naming its field. The one id type (`Id`) and id parser (`parse_id`) live here too."""
from __future__ import annotations

import re
from typing import Annotated, TypeVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, PlainValidator, ValidationError, WithJsonSchema
from pydantic_core import PydanticCustomError

from server.web import jsoncodec
from server.web.errors import BadJson, ValidationFailed

M = TypeVar("M", bound=BaseModel)
MAX_JSON_BYTES = 256 * 1024
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Body(BaseModel):
    """Base for request bodies: unknown fields are refused, strings trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Query(BaseModel):
    """Base for query strings: other parameters are ignored, strings trimmed; every problem is validation_failed."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class Upload:
    """Marks a route of the route table whose body is multipart/form-data with one field `file`."""


def invalid(code: str, message: str) -> PydanticCustomError:
    """A validation error that keeps one of our own error codes (raise it from a validator)."""
    return PydanticCustomError("clinic", message, {"code": code})


def parse_id(raw, *, allow_zero: bool = False) -> int:
    """An id given as a whole number or a string of ASCII digits (at most 18); ValueError for anything else.

    ASCII only: str.isdigit() also accepts digits such as "²" that int() then refuses; never true or 1.5.
    """
    text = str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw
    if not (isinstance(text, str) and text.isascii() and text.isdigit() and len(text) <= 18
            and (allow_zero or int(text) > 0)):
        raise ValueError("not an id")
    return int(text)


def _id(raw) -> int:
    try:
        return parse_id(raw)
    except ValueError:
        raise invalid("validation_failed", "must be an id (a whole number or a string of digits)") from None


def _count(raw) -> int:
    try:
        return parse_id(raw, allow_zero=True)
    except ValueError:
        raise invalid("validation_failed", "must be a whole number") from None


def _email(raw) -> str:
    if not isinstance(raw, str) or len(raw.strip()) > 200:
        raise invalid("invalid", "must be an email address of at most 200 characters")
    if not EMAIL_RE.match(raw.strip()):
        raise invalid("invalid_email", "Enter a valid email address.")
    return raw.strip()


# Ids are strings in answers (API.md); a client may send them back as strings or numbers.
Id = Annotated[int, PlainValidator(_id), WithJsonSchema(
    {"oneOf": [{"type": "string", "pattern": "^[0-9]{1,18}$"}, {"type": "integer", "minimum": 1}]})]
Count = Annotated[int, PlainValidator(_count), WithJsonSchema({"type": "string", "pattern": "^[0-9]{1,18}$"})]
Email = Annotated[str, PlainValidator(_email), WithJsonSchema({"type": "string", "format": "email", "maxLength": 200})]


def field_name(loc: tuple) -> str:
    """pydantic's error location as a dotted field name (`answers.age_years`, `items[2]`)."""
    name = ""
    for part in loc:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += ("." if name else "") + str(part)
    return name or None


def raise_validation(exc: ValidationError, prefix: str = ""):
    """Turn pydantic's first error into our 422 with the field named."""
    err = exc.errors()[0]
    field = field_name(err["loc"])
    if prefix:
        field = f"{prefix}.{field}" if field else prefix
    code = (err.get("ctx") or {}).get("code") or {"extra_forbidden": "unknown_field", "missing": "required"}.get(
        err["type"], "invalid")
    message = err["msg"] if code != "unknown_field" else "This field is not accepted."
    raise ValidationFailed(f"{field}: {message}" if field else message, field=field, code=code)


async def read_json(request: web.Request) -> dict:
    """The request's JSON object body, or 400."""
    if request.content_length and request.content_length > MAX_JSON_BYTES:
        raise BadJson("The body is too large.", code="body_too_large")
    raw = await request.read()
    if len(raw) > MAX_JSON_BYTES:
        raise BadJson("The body is too large.", code="body_too_large")
    if not raw:
        return {}
    try:
        data = jsoncodec.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadJson("The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise BadJson()
    return data


async def parse_body(request: web.Request, model: type[M]) -> M:
    """Read and validate the JSON body as `model`."""
    data = await read_json(request)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise_validation(exc)


def parse_query(request: web.Request, model: type[M]) -> M:
    """The query string as `model` (empty parameters count as absent); 422 validation_failed naming the parameter."""
    try:
        return model.model_validate({k: v for k, v in request.query.items() if v != ""})
    except ValidationError as exc:
        err = exc.errors()[0]
        field = field_name(err["loc"])
        raise ValidationFailed(f"{field}: {err['msg']}", field=field) from None


async def read_answers(request: web.Request):
    """The `answers` of a questionnaire body (validated later by the triage engine), or 422."""
    body = await read_json(request)
    if "answers" not in body:
        raise ValidationFailed("answers is required.", field="answers", code="required")
    return body["answers"]
