"""Shapes and size limits of the messages clients send over Socket.IO; one place checks them all."""
from __future__ import annotations

from server.web.errors import AppError
from server.web.validation import CONTROL_RE, LINE_CONTROL_RE, parse_id

SIGNAL_KINDS = ("offer", "answer", "candidate", "hangup", "restart")
# An SDP offer with several tracks is a few KB; 64 KB leaves room and still refuses abuse.
MAX_SDP_BYTES = 64 * 1024
MAX_CANDIDATE_BYTES = 2 * 1024
MAX_CHAT_CHARS = 2000
MAX_CLIENT_ID = 64


class BadMessage(AppError):
    """A client message of the wrong shape or size; its code and message go back in the ack (AppError.ack)."""

    status = 422

    def __init__(self, code: str, message: str, **params):
        too_large = code == "too_large"
        super().__init__(None if too_large else message, code=code,
                         text="error.message_too_large" if too_large else None, params=params)


def consultation_id(payload) -> int:
    """The positive integer consultation id of a payload."""
    if not isinstance(payload, dict):
        raise BadMessage("bad_payload", "The payload must be an object.")
    try:
        return parse_id(payload.get("consultation_id"))
    except ValueError:
        raise BadMessage("bad_consultation_id", "consultation_id is missing or not an id.") from None


def _candidate_size(data) -> int:
    """Bytes of an RTCIceCandidate's fields (flat: strings, numbers, null); -1 for any other shape."""
    size = 0
    for key, value in data.items():
        if not isinstance(key, str) or not (value is None or isinstance(value, (str, int, float))):
            return -1
        size += len(key) + (len(value) if isinstance(value, str) else 8)
    return size


def signal(payload, id_of=consultation_id) -> tuple[int, str, object]:
    """(consultation id, kind, data) of a `signal` message, shape- and size-checked by kind; `id_of`
    reads the id of another kind of call (a home call's `call_id`).

    Sizes are read off the fields themselves (no re-serialising every relayed message: it cost
    about 8 % of the server's CPU under load).
    """
    cid = id_of(payload)
    kind = payload.get("kind")
    if kind not in SIGNAL_KINDS:
        raise BadMessage("bad_kind", f"kind must be one of {', '.join(SIGNAL_KINDS)}.")
    data = payload.get("data")
    if kind in ("offer", "answer"):
        if not (isinstance(data, dict) and isinstance(data.get("sdp"), str) and data.get("type") == kind
                and 0 <= _candidate_size({k: v for k, v in data.items() if k != "sdp"}) <= 256):
            raise BadMessage("bad_data", f"An {kind} carries {{type: '{kind}', sdp}}.")
        if len(data["sdp"]) > MAX_SDP_BYTES:
            raise BadMessage("too_large", "", max=f"{MAX_SDP_BYTES // 1024} KB")
    elif kind == "candidate":
        if data is not None and not isinstance(data, dict):
            raise BadMessage("bad_data", "A candidate carries an RTCIceCandidate object or null.")
        size = _candidate_size(data) if data is not None else 0
        if size < 0:
            raise BadMessage("bad_data", "A candidate carries an RTCIceCandidate object or null.")
        if size > MAX_CANDIDATE_BYTES:
            raise BadMessage("too_large", "", max=f"{MAX_CANDIDATE_BYTES // 1024} KB")
    elif data is not None and not (isinstance(data, dict) and len(data) <= 4 and _candidate_size(data) <= 256):
        raise BadMessage("bad_data", f"A {kind} carries no data, or a small flat object.")
    return cid, kind, data


def chat(payload) -> tuple[int, str, str | None]:
    """(consultation id, text, the client's message id or None) of a `chat` message."""
    cid = consultation_id(payload)
    text = payload.get("text")
    if not isinstance(text, str) or not text.strip():
        raise BadMessage("bad_text", "text must be a non-empty string.")
    if len(text) > MAX_CHAT_CHARS:
        raise BadMessage("too_large", "", max=MAX_CHAT_CHARS)
    if CONTROL_RE.search(text):
        raise BadMessage("bad_text", "text contains a control character (such as NUL).")
    client_id = payload.get("client_id")
    if client_id is not None and not (isinstance(client_id, str) and 0 < len(client_id) <= MAX_CLIENT_ID
                                      and not LINE_CONTROL_RE.search(client_id)):
        raise BadMessage("bad_client_id", f"client_id is a string of at most {MAX_CLIENT_ID} characters.")
    return cid, text.strip(), client_id


CALL_ROLES = ("patient", "doctor", "guest")


def signal_target(payload: dict, from_role: str) -> str | None:
    """Whom a signal is for: `to` when given (a guest's own connections with each member), else None
    (the other member of the patient-doctor pair)."""
    to = payload.get("to")
    if to is None:
        if from_role == "guest":
            raise BadMessage("bad_target", "A guest's signal names the member it is for (to: patient or doctor).")
        return None
    if to not in CALL_ROLES or to == from_role:
        raise BadMessage("bad_target", "to must be another member of the call: patient, doctor or guest.")
    return to
