"""The OpenAPI 3.1 document, generated from the route table, the request models and the response
models (server/web/schemas.py and schemas_care.py). Every `$ref` points into `components/schemas`, so the document is
self-contained and a schema-driven fuzzer (tests/test_schemathesis.py) checks answers too."""
from __future__ import annotations

import re

from pydantic import TypeAdapter

from server.web import schemas, schemas_care
from server.web.validation import Query, Upload

RESPONSES = {**schemas.RESPONSES, **schemas_care.RESPONSES}

REF_TEMPLATE = "#/components/schemas/{model}"
ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": ["string", "null"]}},
        "required": ["code", "message", "field"]}},
}

UPLOAD_SCHEMA = {"type": "object", "required": ["file"],
                 "properties": {"file": {"type": "string", "format": "binary"}}}


def _schema(kind, components: dict) -> dict:
    """The JSON schema of a model or type, its nested models moved to `components`.

    Components are named after their models, so two models of one name (a request's and an answer's)
    would silently share one schema: refused here, so the document never checks an answer against
    another model."""
    schema = TypeAdapter(kind).json_schema(ref_template=REF_TEMPLATE)
    for name, definition in schema.pop("$defs", {}).items():
        if components.setdefault(name, definition) != definition:
            raise ValueError(f"two models are named {name}: rename one (server/web/schemas*.py or a request model)")
    return schema


def _responses(name: str, components: dict) -> dict:
    responses = {"default": {"description": "error", "content": {"application/json": {"schema": ERROR_SCHEMA}}}}
    if name not in RESPONSES:
        # Not yet described in server/web/schemas.py: a JSON success of any shape, so a schema-driven
        # fuzzer still checks the errors and every 5xx.
        responses["2XX"] = {"description": "success", "content": {"application/json": {"schema": {
            "type": ["object", "array"]}}}}
        return responses
    status, kind, media = RESPONSES[name]
    if kind is None:
        responses[str(status)] = {"description": "done, no content"}
    elif media == "application/json" or media.endswith("+json"):
        schema = _schema(kind, components)
        responses[str(status)] = {"description": "success", "content": {media: {"schema": schema}}}
        if name == "healthz":  # the health check answers its own body with 503 too
            responses["503"] = {"description": "unhealthy", "content": {media: {"schema": schema}}}
    else:
        responses[str(status)] = {"description": "success", "content": {media: {"schema": {}}}}
    return responses


def openapi_document(routes: list[tuple]) -> dict:
    """Every /api/ route of the route table with its method, operation id, summary, request body and answers."""
    paths: dict = {}
    components: dict = {"ApiError": ERROR_SCHEMA}
    for method, path, handler, name, model in routes:
        if not path.startswith("/api/") and path != "/healthz":
            continue
        operation = {"operationId": name, "summary": (handler.__doc__ or "").strip().splitlines()[0],
                     "responses": _responses(name, components)}
        names = re.findall(r"{(\w+)}", path)
        if names:
            operation["parameters"] = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
                                       for n in names]
        if model is Upload:
            operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": UPLOAD_SCHEMA}}}
        elif model is not None and issubclass(model, Query):
            schema = _schema(model, components)
            operation.setdefault("parameters", []).extend(
                {"name": name, "in": "query", "required": False, "schema": field}
                for name, field in schema["properties"].items())
        elif model is not None:
            operation["requestBody"] = {"required": True,
                                        "content": {"application/json": {"schema": _schema(model, components)}}}
        paths.setdefault(path, {})[method.lower()] = operation
    return {"openapi": "3.1.0",
            "info": {"title": "Cloud clinic API", "version": "1.0",
                     "description": "Sessions are cookies; state-changing requests send X-CSRF-Token."},
            "paths": paths, "components": {"schemas": components}}
