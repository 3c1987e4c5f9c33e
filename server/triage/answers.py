"""The triage answers: `TriageInput` (API.md) and `parse_input`, which validates decoded JSON into it
or raises `TriageInputError` naming the field and a stable reason code."""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from server.triage import charts, flow
from server.triage.constants import CHRONIC_CODES, CONSCIOUSNESS_ORDER, FOR_WHOM, SYMPTOM_CODES


class TriageInputError(ValueError):
    """Invalid triage answers: `field` names the answer, `code` is a stable snake_case reason."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Epi:
    """Epidemiological history within 14 days (CLINICAL.md, fever-clinic screening)."""

    close_contact: bool | None = None
    travel_risk_area: bool | None = None
    cluster: bool | None = None

    def flags(self) -> tuple[str, ...]:
        """The names of the flags answered yes."""
        return tuple(f.name for f in fields(self) if getattr(self, f.name) is True)

    def to_dict(self) -> dict[str, bool]:
        """Only the flags that were answered."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


@dataclass(frozen=True)
class TriageInput:
    """Validated triage answers (API.md TriageInput); None means not answered."""

    age_years: float
    symptoms: tuple[str, ...]
    sex: str | None = None
    pregnant: bool | None = None
    duration_days: float | None = None
    pain_score: int | None = None
    temperature_c: float | None = None
    spo2: float | None = None
    resp_rate: float | None = None
    heart_rate: float | None = None
    systolic_bp: float | None = None
    consciousness: str | None = None
    epi: Epi | None = None
    chronic: tuple[str, ...] | None = None
    free_text: str | None = None
    on_oxygen: bool | None = None
    # 2026-12.1: the presentations picked (1-3) and the answers to their questions (id, yes/no/unsure).
    presentations: tuple[str, ...] | None = None
    discriminators: tuple[tuple[str, str], ...] | None = None
    for_whom: str | None = None

    def answer_map(self) -> dict[str, str]:
        """The discriminator answers as a mapping."""
        return dict(self.discriminators or ())

    def to_dict(self) -> dict[str, Any]:
        """The answers as given (JSON-ready), without the unanswered fields: what is stored."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            if isinstance(value, Epi):
                value = value.to_dict()
            elif f.name == "discriminators":
                value = dict(value)
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out


_NUMBER_RANGES: dict[str, tuple[float, float]] = {
    "age_years": (0, 120),
    "duration_days": (0, 3650),
    "temperature_c": (30, 45),
    "spo2": (50, 100),
    "resp_rate": (0, 80),
    "heart_rate": (20, 250),
    "systolic_bp": (40, 300),
}
_CHOICES: dict[str, tuple[str, ...]] = {
    "sex": ("female", "male", "other"),
    "consciousness": CONSCIOUSNESS_ORDER,
    "for_whom": FOR_WHOM,
}
_BOOLEANS = ("pregnant", "on_oxygen")
_FIELDS = frozenset(f.name for f in fields(TriageInput))
_MAX_LIST = 200
MAX_FREE_TEXT = 2000


def _shown(value: object) -> str:
    """A short, safe rendering of a bad value for an error message."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _field_name(key: object) -> str:
    """An unknown key as an error's field name (bounded length)."""
    return key if isinstance(key, str) and len(key) <= 60 else _shown(key)


def _number(raw: object, name: str) -> float:
    """A finite number within the field's range (booleans are not numbers)."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise TriageInputError(name, "invalid_type", f"{name} must be a number.")
    if isinstance(raw, float) and not math.isfinite(raw):
        raise TriageInputError(name, "invalid_type", f"{name} must be a finite number.")
    low, high = _NUMBER_RANGES[name]
    if not low <= raw <= high:
        raise TriageInputError(name, "out_of_range", f"{name} must be between {low} and {high}.")
    return raw


def _pain(raw: object) -> int:
    """A whole number from 0 to 10."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or (
            isinstance(raw, float) and not (math.isfinite(raw) and raw.is_integer())):
        raise TriageInputError("pain_score", "invalid_type", "pain_score must be a whole number from 0 to 10.")
    if not 0 <= raw <= 10:
        raise TriageInputError("pain_score", "out_of_range", "pain_score must be between 0 and 10.")
    return int(raw)


def _codes(raw: object, name: str, known: Iterable[str], unknown_code: str, what: str) -> tuple[str, ...]:
    """A list of known codes, duplicates removed, order kept."""
    if not isinstance(raw, (list, tuple)):
        raise TriageInputError(name, "invalid_type", f"{name} must be a list of codes.")
    if len(raw) > _MAX_LIST:
        raise TriageInputError(name, "too_long", f"{name} has more than {_MAX_LIST} items.")
    known_set = frozenset(known)
    out: list[str] = []
    for item in raw:
        if not isinstance(item, str):
            raise TriageInputError(name, "invalid_type", f"{name} must contain only code strings.")
        if item not in known_set:
            raise TriageInputError(name, unknown_code, f"Unknown {what} code {_shown(item)}.")
        if item not in out:
            out.append(item)
    return tuple(out)


def _epi(raw: object) -> Epi:
    """The three optional epi booleans."""
    if not isinstance(raw, Mapping):
        raise TriageInputError("epi", "invalid_type", "epi must be an object.")
    names = [f.name for f in fields(Epi)]
    for key in raw:
        if key not in names:
            name = f"epi.{_field_name(key)}"
            raise TriageInputError(name, "unknown_field", f"Unknown field {name}.")
    values: dict[str, bool] = {}
    for name in names:
        value = raw.get(name)
        if value is None:
            continue
        if not isinstance(value, bool):
            raise TriageInputError(f"epi.{name}", "invalid_type", f"epi.{name} must be true or false.")
        values[name] = value
    return Epi(**values)


def _discriminator_answers(raw: object) -> tuple[tuple[str, str], ...]:
    """{question id: "yes" | "no" | "unsure"} for known questions, as sorted pairs."""
    if not isinstance(raw, Mapping):
        raise TriageInputError("discriminators", "invalid_type", "discriminators must be an object.")
    if len(raw) > _MAX_LIST:
        raise TriageInputError("discriminators", "too_long", f"discriminators has more than {_MAX_LIST} answers.")
    out = []
    for key, value in raw.items():
        name = f"discriminators.{_field_name(key)}"
        if key not in flow.QUESTION_IDS:
            raise TriageInputError(name, "unknown_question", f"Unknown question {_shown(key)}.")
        if value not in flow.ANSWERS:
            raise TriageInputError(name, "invalid_choice", f"{name} must be one of: {', '.join(flow.ANSWERS)}.")
        out.append((key, value))
    return tuple(sorted(out))


def _choice(value: object, name: str) -> str:
    if not isinstance(value, str) or value not in _CHOICES[name]:
        raise TriageInputError(name, "invalid_choice", f"{name} must be one of: {', '.join(_CHOICES[name])}.")
    return value


def _boolean(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise TriageInputError(name, "invalid_type", f"{name} must be true or false.")
    return value


def _free_text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise TriageInputError(name, "invalid_type", "free_text must be text.")
    if len(value) > MAX_FREE_TEXT:
        raise TriageInputError(name, "too_long", f"free_text must be at most {MAX_FREE_TEXT} characters.")
    return value


def _presentations(value: object, name: str) -> tuple[str, ...]:
    codes = _codes(value, name, charts.CHARTS, "unknown_presentation", "presentation")
    if not 1 <= len(codes) <= flow.MAX_PRESENTATIONS:
        raise TriageInputError(name, "out_of_range", f"presentations must name 1 to {flow.MAX_PRESENTATIONS} presentations.")
    return codes


_PARSERS = {
    "pain_score": lambda value, _name: _pain(value),
    "epi": lambda value, _name: _epi(value),
    "chronic": lambda value, name: _codes(value, name, CHRONIC_CODES, "unknown_condition", "chronic condition"),
    "presentations": _presentations,
    "discriminators": lambda value, _name: _discriminator_answers(value),
    "free_text": _free_text,
}


def _parser(name: str):
    """The validator of one field: numbers by range, choices, booleans, or its own."""
    if name in _NUMBER_RANGES:
        return _number
    if name in _CHOICES:
        return _choice
    if name in _BOOLEANS:
        return _boolean
    return _PARSERS[name]


def parse_input(raw: object) -> TriageInput:
    """Validate raw answers (decoded JSON) into a TriageInput, or raise TriageInputError naming the field."""
    if not isinstance(raw, Mapping):
        raise TriageInputError("answers", "invalid_type", "answers must be an object.")
    for key in raw:
        if key not in _FIELDS:
            name = _field_name(key)
            raise TriageInputError(name, "unknown_field", f"Unknown field {name}.")
    # symptoms is required by the 2026-11.1 form; a 2026-12.1 body may name presentations instead.
    for required in ("age_years",) + (() if raw.get("presentations") is not None else ("symptoms",)):
        if raw.get(required) is None:
            raise TriageInputError(required, "required", f"{required} is required.")

    values: dict[str, Any] = {
        "age_years": _number(raw["age_years"], "age_years"),
        "symptoms": _codes(raw["symptoms"] if raw.get("symptoms") is not None else [], "symptoms", SYMPTOM_CODES,
                           "unknown_symptom", "symptom"),
    }
    for name, value in raw.items():
        if value is not None and name not in values:
            values[name] = _parser(name)(value, name)
    return TriageInput(**values)
