"""The OpenAPI 3.1 document, generated from the route table and the request models."""
from __future__ import annotations

import re

from server.web.validation import Query, Upload

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": ["string", "null"]}},
        "required": ["code", "message", "field"]}},
}

# Operations that answer FHIR JSON rather than the API's own.
FHIR_RESPONSES = {"consultation_fhir": "A FHIR R4 Bundle (docs/FHIR.md)",
                  "fhir_questionnaire": "A FHIR R4 Questionnaire"}


UPLOAD_SCHEMA = {"type": "object", "required": ["file"],
                 "properties": {"file": {"type": "string", "format": "binary"}}}


def openapi_document(routes: list[tuple]) -> dict:
    """Every /api/ route of the route table with its method, operation id, summary and request body schema."""
    paths: dict = {}
    for method, path, handler, name, model in routes:
        if not path.startswith("/api/") and path != "/healthz":
            continue
        operation = {"operationId": name, "summary": (handler.__doc__ or "").strip().splitlines()[0],
                     "responses": {"default": {"description": "error",
                                               "content": {"application/json": {"schema": ERROR_SCHEMA}}}}}
        names = re.findall(r"{(\w+)}", path)
        if names:
            operation["parameters"] = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
                                       for n in names]
        if model is Upload:
            operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": UPLOAD_SCHEMA}}}
        elif model is not None and issubclass(model, Query):
            schema = model.model_json_schema()
            operation.setdefault("parameters", []).extend(
                {"name": name, "in": "query", "required": False, "schema": field}
                for name, field in schema["properties"].items())
        elif model is not None:
            operation["requestBody"] = {"required": True,
                                        "content": {"application/json": {"schema": model.model_json_schema()}}}
        if name in FHIR_RESPONSES:
            operation["responses"]["200"] = {"description": FHIR_RESPONSES[name],
                                             "content": {"application/fhir+json": {"schema": {"type": "object"}}}}
        paths.setdefault(path, {})[method.lower()] = operation
    return {"openapi": "3.1.0",
            "info": {"title": "Cloud clinic API", "version": "1.0",
                     "description": "Sessions are cookies; state-changing requests send X-CSRF-Token."},
            "paths": paths}
