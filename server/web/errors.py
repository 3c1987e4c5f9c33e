"""Domain errors with a status and a stable code, and the one place their message is put into the
client's language (`localised`), for HTTP answers (web/middleware.py) and Socket.IO acks alike.

The wording lives in the text tables (web/error_texts.py and each domain's texts.py) as (zh, en):
`text` names the entry, else `error.<code>`; `params` fill its {placeholders} (a (zh, en) pair
where the value itself depends on the language). An English message
given where the error is raised says more than the code's entry: English clients get it, Chinese
clients the code's wording, prefixed by the field for a 422.
"""
from __future__ import annotations

from server.web import i18n


class AppError(Exception):
    """A failure the client can act on: HTTP status, snake_case code, message, offending field."""

    status = 400
    code = "bad_request"
    message = ""  # English wording when no other is found: the text tables normally have it

    def __init__(self, message: str | None = None, *, field: str | None = None, code: str | None = None,
                 status: int | None = None, text: str | None = None, params: dict | None = None):
        if code:
            self.code = code
        if status:
            self.status = status
        self.field, self.text, self.params, self.explicit = field, text, params or {}, message
        self.message = self.localised("en")
        super().__init__(self.message)

    def localised(self, lang: str) -> str:
        """The message in `lang` (zh or en): the one translation point."""
        pair = i18n.TEXTS.get(self.text or f"error.{self.code}")
        if pair is None:
            return self.explicit or type(self).message or self.code
        if lang == "en" and self.explicit and not self.text:
            return self.explicit
        index = 0 if lang == "zh" else 1
        params = {k: v[index] if isinstance(v, tuple) else v for k, v in self.params.items()}  # (zh, en) values
        message = pair[index].format(**params)
        # A Chinese reader gets the field's Chinese name, never its code; a field without one is left out.
        name = i18n.field_name(self.field, lang) if lang == "zh" and not self.text and self.status == 422 else None
        if name and not message.startswith(name):
            message = f"{name}：{message}"
        return message

    def to_dict(self, lang: str = "en") -> dict:
        """The JSON error body of API.md, in the client's language."""
        return {"error": {"code": self.code, "message": self.localised(lang), "field": self.field}}

    def ack(self, lang: str = "en") -> dict:
        """A failed Socket.IO acknowledgement."""
        return {"ok": False, "error": {"code": self.code, "message": self.localised(lang)}}


class ValidationFailed(AppError):
    status, code = 422, "validation_failed"


class BadJson(AppError):
    status, code = 400, "bad_json"


class NotSignedIn(AppError):
    status, code = 401, "not_signed_in"


class Forbidden(AppError):
    status, code = 403, "forbidden"


class CsrfFailed(AppError):
    status, code = 403, "csrf_failed"


class NotFound(AppError):
    status, code = 404, "not_found"


class Conflict(AppError):
    status, code = 409, "conflict"


class PatientAlreadyQueued(Conflict):
    code = "already_queued"


class EmergencyNotQueueable(AppError):
    status, code = 422, "emergency_not_queueable"


class NobodyWaiting(NotFound):
    code = "nobody_waiting"


class ConsultNotFound(NotFound):
    code = "consultation_not_found"


class TooLarge(AppError):
    status, code = 413, "too_large"


class UnsupportedMediaType(AppError):
    status, code = 415, "unsupported_media_type"


class OriginRefused(AppError):
    status, code = 403, "origin_refused"


class ServiceBusy(AppError):
    """Too much work queued right now; the answer carries Retry-After."""

    status, code = 503, "busy"
    retry_after = 2


class DatabaseUnavailable(AppError):
    """The database cannot be reached (restart, failover): nothing was changed; retry shortly."""

    status, code, message = 503, "unavailable", "The clinic's records are briefly unavailable; please try again in a moment."
    retry_after = 5


class TooManyRequests(AppError):
    """A rate limit is reached; `retry_after` says when to try again."""

    status, code, message = 429, "rate_limited", "Too many attempts; please wait and try again."

    def __init__(self, retry_after: int, message: str | None = None, *, field: str | None = None):
        super().__init__(message, field=field)
        self.retry_after = max(1, int(retry_after))
