"""The one input gate: request bodies and query strings parsed into pydantic models, checked before any
handler trusts them; the first problem becomes a 4xx naming its field, never a 500. The one id type
(`Id`) and id parser (`parse_id`) live here too.

The gate refuses NUL and control characters (PostgreSQL refuses NUL in text), nesting past
MAX_DEPTH, numbers past what a column holds, loosely typed values (pydantic's strict mode: `true` is
no rating and `"yes"` no boolean), bodies past their size (413), and multipart bodies without a
boundary or with broken part headers.
"""
from __future__ import annotations

import contextlib
import math
import re
from typing import Annotated, TypeVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, PlainValidator, ValidationError, WithJsonSchema
from pydantic_core import PydanticCustomError

from server.web import jsoncodec
from server.web.errors import BadJson, TooLarge, ValidationFailed

M = TypeVar("M", bound=BaseModel)
MAX_JSON_BYTES = 256 * 1024
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Deeper than any body the API takes (a record draft is 3 levels); past it the body is refused.
MAX_DEPTH = 16
# JSON numbers beyond these are no count, id or measurement we store (and overflow the columns).
MAX_INT = 2**53
MAX_FLOAT = 1e15
# C0 controls and DEL, but tab, newline and carriage return are text; NUL is refused by PostgreSQL.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# One-line values (query parameters, path parts, header fields) take no line breaks either.
LINE_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


class Body(BaseModel):
    """Base for request bodies: unknown fields are refused, strings trimmed, types strict."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=True)


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


def _bad_value(field: str, message: str, code: str):
    raise ValidationFailed(f"{field}: {message}" if field else message, field=field or None, code=code)


def _check_scalar(value, field: str) -> None:
    if isinstance(value, str):
        if CONTROL_RE.search(value):
            _bad_value(field, "contains a control character (such as NUL).", "control_character")
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if abs(value) > MAX_INT:
            _bad_value(field, "the number is out of range.", "out_of_range")
    elif isinstance(value, float) and (not math.isfinite(value) or abs(value) > MAX_FLOAT):
        _bad_value(field, "the number is out of range.", "out_of_range")


def check_value(value, field: str = "", depth: int = 0) -> None:
    """Refuse control characters in strings and keys, nesting past MAX_DEPTH and out-of-range numbers."""
    if depth > MAX_DEPTH:
        _bad_value(field, f"nested deeper than {MAX_DEPTH} levels.", "too_deep")
    if isinstance(value, dict):
        for key, item in value.items():
            if CONTROL_RE.search(key):
                _bad_value(field, "a key contains a control character.", "control_character")
            check_value(item, f"{field}.{key}" if field else str(key), depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_value(item, f"{field}[{index}]", depth + 1)
    else:
        _check_scalar(value, field)


def check_line(value: str, field: str, *, status: int = 422) -> str:
    """A one-line text (query parameter, path part): no control characters, or a 4xx naming `field`."""
    if LINE_CONTROL_RE.search(value):
        raise ValidationFailed(f"{field}: contains a control character (such as NUL).", field=field,
                               code="control_character", status=status)
    return value


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


def _too_large() -> TooLarge:
    return TooLarge(f"The body is too large: at most {MAX_JSON_BYTES // 1024} KB.", code="body_too_large")


async def _read_raw_json(request: web.Request) -> tuple[bytes, dict]:
    """(the raw body, its JSON object checked by check_value); 413 past MAX_JSON_BYTES, 400 if not JSON."""
    if request.content_length and request.content_length > MAX_JSON_BYTES:
        raise _too_large()
    raw = await request.read()  # a body without Content-Length stops at the app's client_max_size (413)
    if len(raw) > MAX_JSON_BYTES:
        raise _too_large()
    if not raw:
        return b"{}", {}
    try:
        data = jsoncodec.loads(raw)
    except RecursionError:
        raise BadJson(f"The body is nested deeper than {MAX_DEPTH} levels.", code="too_deep") from None
    except ValueError as exc:  # orjson stops at 1,024 levels with its own error
        if "ecursion" in str(exc):
            raise BadJson(f"The body is nested deeper than {MAX_DEPTH} levels.", code="too_deep") from None
        raise BadJson("The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise BadJson()
    check_value(data)
    return raw, data


async def read_json(request: web.Request) -> dict:
    """The request's JSON object body, through the gate (check_value), or a 4xx."""
    return (await _read_raw_json(request))[1]


async def parse_body(request: web.Request, model: type[M]) -> M:
    """Read and validate the JSON body as `model`, strictly typed (JSON's own types, dates as strings)."""
    raw, _ = await _read_raw_json(request)
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        raise_validation(exc)


@contextlib.contextmanager
def multipart_errors(field: str = "file"):
    """Turn a malformed multipart body (no boundary, a broken part header) into a 422 naming `field`.

    aiohttp raises ValueError or one of its HTTP parser errors; their text holds the raw header, so
    it is neither logged nor echoed.
    """
    from aiohttp import http_exceptions
    try:
        yield
    except (ValueError, AssertionError, http_exceptions.HttpProcessingError):
        raise ValidationFailed(f"{field}: the multipart body is malformed (boundary or part headers).",
                               field=field, code="bad_multipart") from None


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
