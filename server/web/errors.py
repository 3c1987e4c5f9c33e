"""Domain errors with a status and a stable code; one middleware renders them (see middleware.py)."""
from __future__ import annotations


class AppError(Exception):
    """A failure the client can act on: HTTP status, snake_case code, message, offending field."""

    status = 400
    code = "bad_request"
    message = "The request could not be processed."

    def __init__(self, message: str | None = None, *, field: str | None = None, code: str | None = None,
                 status: int | None = None):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.field = field
        if code:
            self.code = code
        if status:
            self.status = status

    def to_dict(self) -> dict:
        """The JSON error body of API.md."""
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


class ValidationFailed(AppError):
    status, code, message = 422, "validation_failed", "A field is missing or invalid."


class BadJson(AppError):
    status, code, message = 400, "bad_json", "The body must be a JSON object."


class NotSignedIn(AppError):
    status, code, message = 401, "not_signed_in", "Please sign in."


class Forbidden(AppError):
    status, code, message = 403, "forbidden", "You may not do this."


class CsrfFailed(AppError):
    status, code, message = 403, "csrf_failed", "The X-CSRF-Token header is missing or wrong; reload the page."


class NotFound(AppError):
    status, code, message = 404, "not_found", "Not found."


class Conflict(AppError):
    status, code, message = 409, "conflict", "This conflicts with the current state."


class PatientAlreadyQueued(Conflict):
    code, message = "already_queued", "You are already in a queue."


class EmergencyNotQueueable(AppError):
    status, code, message = 422, "emergency_not_queueable", (
        "This assessment needs emergency care: call 120 or go to the nearest emergency department.")


class NobodyWaiting(NotFound):
    code, message = "nobody_waiting", "Nobody is waiting in your department."


class ConsultNotFound(NotFound):
    code, message = "consultation_not_found", "No such consultation."


class TooLarge(AppError):
    status, code, message = 413, "too_large", "The upload is too large."


class UnsupportedMediaType(AppError):
    status, code, message = 415, "unsupported_media_type", "Send the body as application/json."


class OriginRefused(AppError):
    status, code, message = 403, "origin_refused", "This request came from another site."


class ServiceBusy(AppError):
    """Too much work queued right now; the answer carries Retry-After."""

    status, code, message = 503, "busy", "The clinic is busy right now; please try again in a moment."
    retry_after = 2
