"""Request bodies parsed into pydantic models; the first problem becomes a 4xx naming its field."""
from __future__ import annotations

import json
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, ValidationError

from server.web.errors import BadJson, ValidationFailed

M = TypeVar("M", bound=BaseModel)
MAX_JSON_BYTES = 256 * 1024


class Body(BaseModel):
    """Base for request bodies: unknown fields are refused, strings trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


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
    code = "unknown_field" if err["type"] == "extra_forbidden" else (
        "required" if err["type"] == "missing" else "invalid")
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
        data = json.loads(raw)
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


async def read_answers(request: web.Request):
    """The `answers` of a questionnaire body (validated later by the triage engine), or 422."""
    body = await read_json(request)
    if "answers" not in body:
        raise ValidationFailed("answers is required.", field="answers", code="required")
    return body["answers"]
