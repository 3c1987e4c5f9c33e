"""Triage engine of the cloud clinic: questionnaire, validation, scoring, red flags and routing.

Pure functions, no I/O. The rules are the project's own, written in the spirit of the published
systems (ESI, CTAS, the Manchester Triage System, China's 2011 《急诊病人病情分级指导原则》) and
of NEWS2 (Royal College of Physicians, 2017), whose table is reproduced in docs/CLINICAL.md.
The licensed charts are cited, not copied.

Design: `assess` is a maximum over independent rule contributions ("hits"). Every rule fires on a
condition that can only become true as a case gets worse (a symptom added, a vital sign moving
further from normal, a risk factor added), and the result takes the most urgent hit. So adding a
symptom or worsening a measurement can never make a case less urgent. The one downward step,
self-care, is a conjunction ("every answer is minor"), so anything added can only take it away.
Free text is stored but never scored. Missing measurements are treated like normal ones.

Decisions worth knowing (each is also commented where it is made):
- Chest pain is an emergency with any risk feature (age >= 35, heart disease, hypertension,
  diabetes, kidney disease, breathlessness, palpitations, fainting, sweating, abnormal adult vital
  signs); without any, it stays online at level 2 (seen within 15 minutes).
- NEWS2 (SpO2 scale 1) for adults 16+ who are not pregnant. Children under 16 use age-band
  thresholds; pregnant adults use MEOWS-style obstetric triggers. SpO2 <= 93 %, altered
  consciousness and the red-flag symptoms apply at every age. Marking a case pregnant moves it
  from NEWS2 to obstetric thresholds, so it is the one answer not guaranteed monotone (pregnancy
  always blocks self-care and raises several complaints instead).
- Pediatrics under 14 (China's 儿科 age); self-care only for adults 16-64 with no chronic
  condition, no pregnancy, no exposure, at most 7 days, and one minor complaint (a cold's
  runny/blocked nose, sore throat and cough count as one).
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from server.triage import charts, flow
from server.triage import texts as data

# NEWS2 lives in its own module; its functions stay part of this engine's public interface.
from server.triage.news2 import (  # noqa: F401
    NEWS2_MIN_AGE,
    news2,
    news2_applies,
    news2_components,
    news2_consciousness,
    news2_oxygen,
    news2_pulse,
    news2_resp_rate,
    news2_spo2,
    news2_systolic_bp,
    news2_temperature,
)

# 2026-12.1: complaint-first charts (server/triage/charts.py). 2026-11.1: the checkbox form, whose
# bodies still validate and are assessed by the same rules as then.
QUESTIONNAIRE_VERSION = "2026-12.1"
LEGACY_VERSION = "2026-11.1"
FOR_WHOM = ("self", "child", "parent", "other")
LANGS = ("zh", "en")
DISPOSITIONS = ("emergency", "online_consult", "self_care")

# Target time to be seen, by level. The five levels and the times are CTAS's (1 immediate,
# 2 <= 15, 3 <= 30, 4 <= 60, 5 <= 120 min). For comparison: Manchester red 0 / orange 10 /
# yellow 60 / green 120 / blue 240; China 2011 (four levels) 1 immediate, 2 < 10, 3 < 30,
# 4 may wait; ESI gives no times but its "danger zone" vital signs (adult HR > 100, RR > 20,
# SpO2 < 92 %) move a patient up to level 2.
TARGET_WAIT_MINUTES: dict[int, int] = {1: 0, 2: 15, 3: 30, 4: 60, 5: 120}

DEPARTMENTS: dict[str, dict[str, str]] = {code: dict(names) for code, names in data.DEPARTMENT_NAMES.items()}

SYMPTOM_CODES: tuple[str, ...] = tuple(code for code, *_ in data.SYMPTOMS)
CHRONIC_CODES: tuple[str, ...] = tuple(code for code, *_ in data.CHRONIC_CONDITIONS)
_SYMPTOM_LABELS = {code: {"zh": zh, "en": en} for code, _, zh, en in data.SYMPTOMS}
_CHRONIC_LABELS = {code: {"zh": zh, "en": en} for code, zh, en in data.CHRONIC_CONDITIONS}

# Symptom code -> (level when reported on its own, department, red-flag finding or None).
# A red-flag symptom sends the patient to emergency by itself (CLINICAL.md's list); levels of the
# others follow CTAS/ESI complaint urgency: e.g. shortness of breath and palpitations 3, pain-type
# complaints 4, chronic, administrative and cold symptoms 5.
SYMPTOM_RULES: dict[str, tuple[int, str, str | None]] = {
    "fever": (4, "internal", None),
    "chills": (4, "internal", None),
    "fatigue": (5, "internal", None),
    "sweating": (4, "internal", None),
    "weight_loss": (4, "internal", None),
    "dizziness": (4, "internal", None),
    "fainting": (3, "internal", None),
    "cough": (5, "internal", None),
    "sore_throat": (5, "ent", None),
    "runny_nose": (5, "ent", None),
    "nasal_congestion": (5, "ent", None),
    "loss_of_smell_taste": (4, "internal", None),
    "shortness_of_breath": (3, "internal", None),
    "severe_breathing_difficulty": (1, "internal", "severe_breathing_difficulty"),  # ESI 1: severe distress
    "wheezing": (3, "internal", None),
    "coughing_blood": (2, "internal", None),
    # Chest pain alone is urgent (ESI treats it as high risk) but, without risk features, online.
    "chest_pain": (2, "internal", None),
    "palpitations": (3, "internal", None),
    "leg_swelling": (3, "internal", None),
    "headache": (4, "internal", None),
    "worst_headache": (2, "internal", "thunderclap_headache"),
    "face_droop": (2, "internal", "stroke_signs"),  # FAST: any one sign is enough
    "arm_weakness": (2, "internal", "stroke_signs"),
    "speech_difficulty": (2, "internal", "stroke_signs"),
    "one_sided_numbness": (2, "internal", "stroke_signs"),  # BE-FAST extension
    "confusion": (2, "internal", "confusion"),
    "seizure": (2, "internal", "seizure"),
    "stiff_neck": (3, "internal", None),
    "abdominal_pain": (4, "internal", None),
    "nausea": (5, "internal", None),
    "vomiting": (4, "internal", None),
    "diarrhea": (4, "internal", None),
    "constipation": (5, "internal", None),
    "heartburn": (5, "internal", None),
    "vomiting_blood": (2, "internal", "vomiting_blood"),
    "black_stool": (2, "internal", None),
    "jaundice": (3, "internal", None),
    "severe_bleeding": (1, "surgery", "severe_bleeding"),  # ESI 1 / Manchester red: exsanguinating haemorrhage
    "minor_injury": (5, "surgery", None),
    "burn": (4, "surgery", None),
    "head_injury": (3, "surgery", None),
    "animal_bite": (3, "surgery", None),  # rabies post-exposure care is time-sensitive in China
    "rash": (4, "dermatology", None),
    "itching": (5, "dermatology", None),
    "lip_tongue_swelling": (2, "internal", None),  # angio-oedema: urgent even without breathing trouble
    "acne": (5, "dermatology", None),
    "urinary_pain": (4, "internal", None),
    "frequent_urination": (5, "internal", None),
    "blood_in_urine": (4, "urology", None),
    "cannot_urinate": (2, "urology", None),  # acute retention
    "testicular_pain": (2, "urology", "testicular_torsion_risk"),
    "back_pain": (4, "orthopedics", None),
    "neck_pain": (5, "orthopedics", None),
    "joint_pain": (4, "orthopedics", None),
    "muscle_pain": (5, "orthopedics", None),
    "ear_pain": (4, "ent", None),
    "hearing_loss": (3, "ent", None),  # sudden sensorineural loss: treat within days
    "nosebleed": (4, "ent", None),
    "toothache": (4, "stomatology", None),
    "mouth_ulcer": (5, "stomatology", None),
    "eye_pain": (3, "ophthalmology", None),  # acute glaucoma, keratitis
    "red_eye": (4, "ophthalmology", None),
    "vision_loss": (2, "ophthalmology", "sudden_vision_loss"),  # retinal artery occlusion is a stroke
    "vaginal_bleeding": (3, "obstetrics", None),
    "vaginal_discharge": (4, "obstetrics", None),
    "menstrual_pain": (4, "obstetrics", None),
    "missed_period": (5, "obstetrics", None),
    "pregnancy_question": (5, "obstetrics", None),
    "contraception_question": (4, "obstetrics", None),  # emergency contraception is time-limited
    "breast_lump": (4, "surgery", None),
    "poor_feeding": (3, "pediatrics", None),  # NICE NG143 amber
    "reduced_urine": (3, "internal", None),  # NICE NG143 amber: dehydration
    "excessive_crying": (3, "pediatrics", None),
    "anxiety": (4, "psychology", None),
    "low_mood": (4, "psychology", None),
    "insomnia": (5, "psychology", None),
    "suicidal_thoughts": (2, "psychology", "suicide_risk"),
    "self_harm": (2, "psychology", "suicide_risk"),
    "chronic_followup": (5, "internal", None),
    "repeat_prescription": (5, "internal", None),
    "test_results": (5, "internal", None),
    "medication_question": (5, "internal", None),
}

# Risk factors raise the urgency of the complaints they make more dangerous by one level
# (never below level 2, never into emergency on their own). ESI and CTAS both use age and
# comorbidity as modifiers; the pairs below follow the usual clinical reasoning, e.g. fever in the
# elderly or the immunosuppressed, breathlessness in COPD or asthma, vomiting in diabetes (DKA).
RISK_FACTOR_SYMPTOMS: dict[str, frozenset[str]] = {
    "older_age": frozenset({"fever", "chills", "cough", "shortness_of_breath", "wheezing", "abdominal_pain",
                            "vomiting", "diarrhea", "dizziness", "fainting", "headache", "palpitations",
                            "head_injury", "minor_injury", "urinary_pain", "reduced_urine", "leg_swelling",
                            "fatigue"}),
    "infant": frozenset({"fever", "cough", "vomiting", "diarrhea", "rash", "shortness_of_breath", "wheezing",
                         "poor_feeding", "reduced_urine", "excessive_crying", "burn"}),
    "pregnancy": frozenset({"abdominal_pain", "fever", "headache", "vomiting", "dizziness", "fainting",
                            "shortness_of_breath", "itching", "leg_swelling", "urinary_pain", "vaginal_discharge",
                            "minor_injury"}),
    "hypertension": frozenset({"headache", "dizziness", "nosebleed", "palpitations"}),
    "diabetes": frozenset({"fever", "vomiting", "abdominal_pain", "urinary_pain", "minor_injury", "burn",
                           "fatigue", "reduced_urine", "dizziness"}),
    "copd": frozenset({"cough", "shortness_of_breath", "wheezing", "fever"}),
    "asthma": frozenset({"cough", "shortness_of_breath", "wheezing"}),
    "heart_disease": frozenset({"shortness_of_breath", "palpitations", "dizziness", "fainting", "leg_swelling",
                                "fatigue"}),
    "kidney_disease": frozenset({"vomiting", "diarrhea", "reduced_urine", "leg_swelling", "shortness_of_breath",
                                 "urinary_pain", "fever"}),
    "immunosuppressed": frozenset({"fever", "chills", "cough", "sore_throat", "diarrhea", "urinary_pain", "rash",
                                   "shortness_of_breath"}),
}

# Fever-clinic screen (CLINICAL.md): fever or these respiratory symptoms with any epi flag.
RESPIRATORY_SYMPTOMS = frozenset({"cough", "sore_throat", "runny_nose", "nasal_congestion", "loss_of_smell_taste",
                                  "shortness_of_breath", "severe_breathing_difficulty", "wheezing"})
FEVER_THRESHOLD_C = 37.3

# Self-care only for these minor complaints, alone (a cold's symptoms together count as one).
SELF_CARE_COMPLAINTS: tuple[frozenset[str], ...] = (
    frozenset({"runny_nose", "nasal_congestion", "sore_throat", "cough"}),
    frozenset({"itching"}), frozenset({"acne"}), frozenset({"mouth_ulcer"}), frozenset({"minor_injury"}),
    frozenset({"muscle_pain"}), frozenset({"constipation"}),
)
SELF_CARE_MAX_DAYS = 7
SELF_CARE_AGES = (16, 65)  # adults under 65 only

# China: 儿科 sees children under 14 (不满14周岁). NEWS2 is for adults 16+, so 14-15 year olds are
# routed like adults but measured against the oldest child band.
PEDIATRIC_AGE = 14
GUARDIAN_AGE = 6  # 互联网诊疗管理办法（试行）2018: a child under 6 only with a guardian present
OLDER_AGE = 65
FEBRILE_INFANT_AGE = 0.25  # under 3 months

# When a child or pregnant woman's lead complaint belongs to one of these, that department sees
# them (they see all ages; pregnancy is noted); otherwise pediatrics / obstetrics.
_PEDIATRIC_EXCEPTIONS = frozenset({"psychology", "ophthalmology", "stomatology", "surgery", "orthopedics"})
_PREGNANCY_EXCEPTIONS = frozenset({"psychology", "ophthalmology", "stomatology", "ent"})
# Tie-break between equally urgent complaints: the more specific department first, but internal
# medicine ahead of ENT/dermatology so that e.g. cough + sore throat or fever + rash go to internal.
_DEPARTMENT_ORDER = ("obstetrics", "psychology", "ophthalmology", "stomatology", "urology", "internal", "ent",
                     "dermatology", "orthopedics", "surgery", "pediatrics")

_CONSCIOUSNESS_ORDER = ("alert", "voice", "pain", "unresponsive")


# ------------------------------------------------------------------------------------------------
# Input


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
    "consciousness": _CONSCIOUSNESS_ORDER,
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


# ------------------------------------------------------------------------------------------------
# Findings and results


@dataclass(frozen=True)
class Finding:
    """One rule that fired, worded for the patient (plain) and the doctor (clinical), in zh and en."""

    code: str
    patient: Mapping[str, str]
    clinical: Mapping[str, str]

    def text(self, lang: str = "en", audience: str = "patient") -> str:
        """The wording in one language for one audience."""
        lang = lang if lang in LANGS else "en"
        return (self.clinical if _is_clinical(audience) else self.patient)[lang]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form with both wordings."""
        return {"code": self.code, "patient": dict(self.patient), "clinical": dict(self.clinical)}


@dataclass(frozen=True)
class Assessment:
    """The triage result: level 1 (most urgent) to 5, disposition, department and why."""

    level: int
    disposition: str
    department: str
    red_flags: tuple[Finding, ...]
    reasons: tuple[Finding, ...]
    target_wait_minutes: int
    news2: int | None
    questionnaire_version: str
    presentations: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form with every wording (for storage or audit)."""
        return {
            "level": self.level, "disposition": self.disposition, "department": self.department,
            "red_flags": [f.to_dict() for f in self.red_flags], "reasons": [f.to_dict() for f in self.reasons],
            "target_wait_minutes": self.target_wait_minutes, "news2": self.news2,
            "questionnaire_version": self.questionnaire_version, "presentations": list(self.presentations),
        }


@dataclass(frozen=True)
class _Hit:
    """A rule's contribution: the level it asks for, whether it is a red flag, and its department."""

    level: int
    finding: Finding
    emergency: bool = False
    department: str | None = None


def _is_clinical(audience: str) -> bool:
    return audience in ("clinical", "clinician", "doctor")


def _fmt(value: object) -> str:
    """Numbers as people write them: 38.5, 120 (not 120.0)."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.1f}".rstrip("0").rstrip(".")
    return str(value)


def _finding(code: str, template_code: str | None = None, **params: object) -> Finding:
    """Build a finding from its wording in triage.texts (`template_code` if shared); dict params are per language."""
    template = data.FINDINGS.get(template_code or code) or data.FINDINGS["symptom"]

    def fill(text: str, lang: str) -> str:
        return text.format(**{k: v[lang] if isinstance(v, Mapping) else _fmt(v) for k, v in params.items()})

    return Finding(code,
                   {lang: fill(template["patient"][lang], lang) for lang in LANGS},
                   {lang: fill(template["clinical"][lang], lang) for lang in LANGS})


def _join(words: Iterable[Mapping[str, str]]) -> dict[str, str]:
    """Join per-language words into one per-language list."""
    words = list(words)
    return {"zh": "、".join(w["zh"] for w in words), "en": ", ".join(w["en"] for w in words)}


# ------------------------------------------------------------------------------------------------
# Age-appropriate thresholds for children (under 16). Our own bands in the spirit of the APLS
# normal ranges and the NICE NG143 (fever in under 5s) traffic light: "amber" above the age's upper
# normal (level 3), "red" at a danger value (emergency). Hypotension uses the PALS formula
# systolic < 70 + 2 x age (years 1-10), < 70 under 1, < 90 from 10.


@dataclass(frozen=True)
class _ChildBand:
    below_age: float
    rr_amber: int  # RR above this: amber
    rr_red: int  # RR above this: red
    rr_low: int  # RR at or below this: red
    hr_amber: int  # HR above this: amber
    hr_red: int  # HR above this: red
    hr_low: int  # HR below this: red
    normal_rr: int
    normal_hr: int
    normal_sbp: int


_CHILD_BANDS = (
    _ChildBand(1, 50, 60, 20, 160, 180, 90, 40, 130, 85),
    _ChildBand(2, 40, 50, 15, 150, 170, 80, 30, 120, 90),
    _ChildBand(5, 40, 50, 15, 140, 160, 70, 28, 105, 95),
    _ChildBand(12, 30, 40, 10, 130, 150, 55, 22, 90, 105),
    _ChildBand(16, 24, 29, 8, 110, 130, 40, 16, 75, 115),
)


def _child_band(age: float) -> _ChildBand:
    return next(band for band in _CHILD_BANDS if age < band.below_age)


def _child_hypotension_limit(age: float) -> float:
    """Systolic below this is hypotension (PALS)."""
    if age < 1:
        return 70
    return 70 + 2 * min(age, 10)


def normal_vitals(age_years: float) -> dict[str, Any]:
    """Normal resting values for the age, inside every threshold the engine uses (for forms and tests)."""
    if age_years < NEWS2_MIN_AGE:
        band = _child_band(age_years)
        rr, hr, sbp = band.normal_rr, band.normal_hr, band.normal_sbp
    else:
        rr, hr, sbp = 16, 75, 120
    return {"temperature_c": 36.8, "spo2": 98, "resp_rate": rr, "heart_rate": hr, "systolic_bp": sbp,
            "consciousness": "alert", "on_oxygen": False, "pain_score": 0}


# ------------------------------------------------------------------------------------------------
# Rules


@dataclass(frozen=True)
class _Case:
    """The answers plus what the rules derive from them."""

    inp: TriageInput
    symptoms: frozenset[str]
    chronic: frozenset[str]
    epi_flags: tuple[str, ...]

    @property
    def age(self) -> float:
        return self.inp.age_years

    @property
    def adult(self) -> bool:
        return self.inp.age_years >= NEWS2_MIN_AGE

    @property
    def pregnant(self) -> bool:
        return self.inp.pregnant is True

    @property
    def measured_fever(self) -> bool:
        return self.inp.temperature_c is not None and self.inp.temperature_c >= FEVER_THRESHOLD_C

    @property
    def has_fever(self) -> bool:
        return "fever" in self.symptoms or self.measured_fever

    def has(self, *codes: str) -> bool:
        return any(code in self.symptoms for code in codes)

    def risk_factors(self) -> tuple[str, ...]:
        """Active risk factors, in a fixed order."""
        active = []
        if self.age >= OLDER_AGE:
            active.append("older_age")
        if self.age < 1:
            active.append("infant")
        if self.pregnant:
            active.append("pregnancy")
        active.extend(code for code in CHRONIC_CODES if code in self.chronic)
        return tuple(active)

    def hypotensive(self) -> bool:
        sbp = self.inp.systolic_bp
        if sbp is None:
            return False
        return sbp <= 90 if self.adult else sbp < _child_hypotension_limit(self.age)


def _raise_for_risk(case: _Case, concept: str, level: int) -> tuple[int, tuple[str, ...]]:
    """One level more urgent (not below 2) when a risk factor makes this complaint more dangerous."""
    factors = tuple(f for f in case.risk_factors() if concept in RISK_FACTOR_SYMPTOMS[f])
    if factors and level > 2:
        return level - 1, factors
    return level, ()


def _risk_finding(factor: str, concepts: list[str]) -> Finding:
    """Finding `risk_<factor>`: which complaints the factor made more urgent."""
    if factor in data.RISK_FACTOR_NAMES:
        patient, clinical = data.RISK_FACTOR_NAMES[factor]["patient"], data.RISK_FACTOR_NAMES[factor]["clinical"]
    else:
        clinical = _CHRONIC_LABELS[factor]
        patient = {"zh": f"您患有{clinical['zh']}", "en": f"your long-term condition ({clinical['en']})"}
    labels = _join(_SYMPTOM_LABELS.get(c, data.FEATURE_WORDS["measured_fever"]) for c in concepts)
    return _finding(f"risk_{factor}", "risk_factor", factor=patient, name=clinical, labels=labels)


def _symptom_hits(case: _Case) -> list[_Hit]:
    """Each reported symptom: a red flag by itself, or a complaint at its level (raised by risk factors)."""
    hits: list[_Hit] = []
    raised: dict[str, list[str]] = {}
    raised_level: dict[str, int] = {}
    red_done: set[str] = set()
    for code in case.inp.symptoms:
        if code == "chest_pain":
            continue  # _chest_pain_hits decides between the emergency and the urgent online wording
        level, dept, red_flag = SYMPTOM_RULES[code]
        if red_flag:
            if red_flag not in red_done:
                red_done.add(red_flag)
                same = [c for c in case.inp.symptoms if SYMPTOM_RULES[c][2] == red_flag]
                hits.append(_Hit(level, _finding(red_flag, label=_join(_SYMPTOM_LABELS[c] for c in same)), True, dept))
            continue
        level, factors = _raise_for_risk(case, code, level)
        for factor in factors:
            raised.setdefault(factor, []).append(code)
            raised_level[factor] = min(raised_level.get(factor, 5), level)
        hits.append(_Hit(level, _finding(f"symptom_{code}", label=_SYMPTOM_LABELS[code], level=level), False, dept))
    if case.measured_fever:
        level, factors = _raise_for_risk(case, "fever", 4)
        for factor in factors:
            raised.setdefault(factor, []).append("measured_fever")
            raised_level[factor] = min(raised_level.get(factor, 5), level)
        hits.append(_Hit(level, _finding("raised_temperature", value=case.inp.temperature_c), False, "internal"))
    for factor, concepts in raised.items():
        hits.append(_Hit(raised_level[factor], _risk_finding(factor, concepts)))
    return hits


def _abnormal_adult_vitals_for_chest_pain(inp: TriageInput) -> bool:
    """ESI 'danger zone'-style vital signs that make chest pain high risk (adults)."""
    checks = (
        inp.heart_rate is not None and (inp.heart_rate > 110 or inp.heart_rate <= 50),
        inp.spo2 is not None and inp.spo2 <= 95,
        inp.systolic_bp is not None and inp.systolic_bp <= 100,
        inp.resp_rate is not None and inp.resp_rate > 20,
    )
    return any(checks)


def _chest_pain_hits(case: _Case) -> list[_Hit]:
    """Chest pain with any risk feature is an emergency (suspected ACS/PE/dissection).

    Risk features: age >= 35, a cardiovascular risk condition, an associated symptom (breathlessness,
    palpitations, fainting, sweating), or abnormal adult vital signs. Without any of them the
    symptom rule keeps it at level 2 online: young chest pain is mostly musculoskeletal, but
    still seen within 15 minutes.
    """
    if not case.has("chest_pain"):
        return []
    detail = []
    if case.age >= 35:
        detail.append(data.FEATURE_WORDS["age_35"])
    detail.extend(_CHRONIC_LABELS[c] for c in ("heart_disease", "hypertension", "diabetes", "kidney_disease")
                  if c in case.chronic)
    detail.extend(_SYMPTOM_LABELS[s] for s in ("shortness_of_breath", "severe_breathing_difficulty",
                                                "palpitations", "fainting", "sweating") if case.has(s))
    if case.adult and _abnormal_adult_vitals_for_chest_pain(case.inp):
        detail.append(data.FEATURE_WORDS["abnormal_vitals"])
    if not detail:
        level, dept, _ = SYMPTOM_RULES["chest_pain"]
        return [_Hit(level, _finding("symptom_chest_pain"), False, dept)]
    return [_Hit(2, _finding("chest_pain_risk", detail=_join(detail)), True, "internal")]


def _pregnancy_hits(case: _Case) -> list[_Hit]:
    """Bleeding, abdominal pain and pre-eclampsia signs in pregnancy."""
    inp, hits = case.inp, []
    if not case.pregnant:
        return hits
    if case.has("vaginal_bleeding"):
        hits.append(_Hit(2, _finding("pregnancy_bleeding"), True, "obstetrics"))
    if case.has("abdominal_pain"):
        hits.append(_Hit(2, _finding("pregnancy_abdominal_pain"), False, "obstetrics"))
        if inp.pain_score is not None and inp.pain_score >= 7:
            hits.append(_Hit(2, _finding("pregnancy_severe_abdominal_pain"), True, "obstetrics"))
    if inp.systolic_bp is not None and inp.systolic_bp >= 160 and case.has(
            "headache", "worst_headache", "vision_loss", "abdominal_pain", "confusion", "seizure"):
        hits.append(_Hit(2, _finding("pre_eclampsia_signs", value=inp.systolic_bp), True, "obstetrics"))
    return hits


def _blood_pressure_hits(case: _Case) -> list[_Hit]:
    """ACC/AHA: systolic >= 180 is the hypertensive-crisis range; end-organ symptoms make it an emergency."""
    sbp = case.inp.systolic_bp
    if not case.adult or sbp is None or sbp < 180:
        return []
    if case.has("chest_pain", "shortness_of_breath", "severe_breathing_difficulty", "vision_loss", "confusion",
                "face_droop", "arm_weakness", "speech_difficulty", "one_sided_numbness", "seizure", "worst_headache"):
        return [_Hit(2, _finding("hypertensive_emergency", value=sbp), True, "internal")]
    level = 2 if case.has("headache", "dizziness", "nosebleed") else 3
    return [_Hit(level, _finding("very_high_blood_pressure", value=sbp), False, "internal")]


def _combination_hits(case: _Case) -> list[_Hit]:
    """Red flags and urgent patterns that need two answers together."""
    inp, hits = case.inp, []
    hits += _chest_pain_hits(case)
    if case.has("fainting") and (case.has("chest_pain", "palpitations") or "heart_disease" in case.chronic):
        hits.append(_Hit(2, _finding("fainting_cardiac"), True, "internal"))
    # Anaphylaxis (World Allergy Organization criteria): skin/mucosa plus breathing or circulation.
    if case.has("lip_tongue_swelling") and (
            case.has("shortness_of_breath", "severe_breathing_difficulty", "wheezing", "fainting")
            or case.hypotensive()):
        hits.append(_Hit(1, _finding("anaphylaxis"), True, "internal"))
    # Febrile infant under 3 months: NICE NG143 red; a parent's report of fever counts.
    if case.age < FEBRILE_INFANT_AGE and (case.has("fever") or (
            inp.temperature_c is not None and inp.temperature_c >= 38.0)):
        hits.append(_Hit(2, _finding("febrile_infant"), True, "pediatrics"))
    hits += _pregnancy_hits(case)
    if case.has("stiff_neck") and case.has_fever:
        hits.append(_Hit(2, _finding("meningitis_signs"), True, "internal"))
    if case.has("head_injury") and case.has("vomiting"):
        hits.append(_Hit(2, _finding("head_injury_vomiting"), True, "surgery"))
    if case.has("black_stool") and (case.has("dizziness", "fainting") or case.hypotensive()):
        hits.append(_Hit(2, _finding("gi_bleed_shock"), True, "internal"))
    if case.has("leg_swelling") and case.has("shortness_of_breath"):
        hits.append(_Hit(2, _finding("possible_clot"), False, "internal"))
    if "immunosuppressed" in case.chronic and case.has_fever:
        hits.append(_Hit(2, _finding("fever_immunosuppressed"), False, "internal"))
    return hits + _blood_pressure_hits(case)


def _fever_clinic_hits(case: _Case) -> list[_Hit]:
    """Fever or respiratory symptoms with any epi flag: the fever clinic, never a general queue."""
    respiratory = [s for s in case.inp.symptoms if s in RESPIRATORY_SYMPTOMS]
    if not case.epi_flags or not (case.has_fever or respiratory):
        return []
    detail = []
    if "fever" in case.symptoms:
        detail.append(_SYMPTOM_LABELS["fever"])
    if case.measured_fever:
        detail.append(data.FEATURE_WORDS["measured_fever"])
    detail.extend(_SYMPTOM_LABELS[s] for s in respiratory)
    epi = _join(data.EPI_NAMES[f] for f in case.epi_flags)
    # Level 3: infection control needs prompt handling even when the illness itself is mild.
    return [_Hit(3, _finding("fever_clinic_screen", detail=_join(detail), epi=epi), False, "fever")]


def _vital(level: int, finding: Finding, emergency: bool = False) -> _Hit:
    """A measurement's hit: real physiological derangement (level 1-3) belongs to internal medicine."""
    return _Hit(level, finding, emergency, "internal" if level <= 3 else None)


def _general_vital_hits(case: _Case) -> list[_Hit]:
    """Measurements that matter at every age: consciousness, oxygen, pain, temperature extremes."""
    inp, hits = case.inp, []
    if inp.consciousness is not None and inp.consciousness != "alert":
        level = 2 if inp.consciousness == "voice" else 1  # AVPU P/U: ESI 1 (unresponsive)
        names = dict(zip(_CONSCIOUSNESS_ORDER, data.CONSCIOUSNESS_OPTIONS))
        _, zh, en = names[inp.consciousness]
        hits.append(_vital(level, _finding("reduced_consciousness", value={"zh": zh, "en": en}), True))
    if inp.spo2 is not None:
        if inp.spo2 <= 93:  # China severe COVID-19 criterion; < 90 ESI level 1
            hits.append(_vital(1 if inp.spo2 < 90 else 2, _finding("low_oxygen", value=inp.spo2), True))
        elif inp.spo2 <= 95 and not news2_applies(inp):  # adults: NEWS2 scores it instead
            hits.append(_vital(3, _finding("oxygen_borderline", value=inp.spo2)))
    if inp.pain_score is not None:
        if inp.pain_score >= 7:  # China 2011: pain >= 7 is at least level 2 (CTAS: severe pain, level 2)
            hits.append(_Hit(2, _finding("severe_pain", value=inp.pain_score)))
        elif inp.pain_score >= 4:  # CTAS: moderate pain, level 3
            hits.append(_Hit(3, _finding("moderate_pain", value=inp.pain_score)))
    hits += _temperature_hits(case)
    if inp.on_oxygen and not news2_applies(inp):
        hits.append(_vital(3, _finding("on_oxygen_support")))
    return hits


def _temperature_hits(case: _Case) -> list[_Hit]:
    """Temperature extremes at any age, and the infants' own thresholds (NICE NG143)."""
    t, hits = case.inp.temperature_c, []
    if t is None:
        return hits
    if t >= 41.0:
        hits.append(_vital(2, _finding("hyperpyrexia", value=t)))
    elif t >= 40.0:
        hits.append(_vital(3, _finding("high_fever", value=t)))
    if t <= 35.0:
        hits.append(_vital(2, _finding("hypothermia", value=t)))
    if case.age < FEBRILE_INFANT_AGE and t <= 36.0:  # NICE NG143: low temperature in young infants
        hits.append(_vital(2, _finding("young_infant_low_temperature", value=t)))
    if FEBRILE_INFANT_AGE <= case.age < 0.5 and t >= 39.0:  # NICE NG143: 3-6 months >= 39 C
        hits.append(_vital(2, _finding("infant_high_fever", value=t)))
    return hits


def _adult_vital_hits(case: _Case) -> list[_Hit]:
    """Adults (16+, pregnant or not): single danger values that end the online path."""
    if not case.adult:
        return []
    inp, hits = case.inp, []
    if inp.resp_rate is not None:
        if inp.resp_rate >= 30:  # China severe COVID-19 criterion
            hits.append(_vital(2, _finding("very_fast_breathing", value=inp.resp_rate), True))
        elif inp.resp_rate <= 8:  # NEWS2 3; hypoventilation (e.g. opioid toxicity)
            hits.append(_vital(2, _finding("very_slow_breathing", value=inp.resp_rate), True))
    if inp.heart_rate is not None:
        if inp.heart_rate > 130:
            hits.append(_vital(2, _finding("very_fast_heart_rate", value=inp.heart_rate), True))
        elif inp.heart_rate < 40:
            hits.append(_vital(2, _finding("very_slow_heart_rate", value=inp.heart_rate), True))
    if inp.systolic_bp is not None and inp.systolic_bp <= 90:  # shock range; NEWS2 3
        hits.append(_vital(2, _finding("low_blood_pressure", value=inp.systolic_bp), True))
    return hits


def _news2_hits(case: _Case) -> list[_Hit]:
    """NEWS2 bands (RCP 2017): >= 7 emergency, 5-6 or any single 3 urgent (level 2), 3-4 level 3, 1-2 level 4."""
    if not news2_applies(case.inp):
        return []
    parts = news2_components(case.inp)
    if not parts:
        return []
    score = sum(parts.values())
    hits = []
    if score >= 7:
        hits.append(_vital(2, _finding("news2_high", score=score), True))
    elif score >= 5:
        hits.append(_vital(2, _finding("news2_medium", score=score)))
    else:
        hits.append(_vital(3 if score >= 3 else 4 if score >= 1 else 5, _finding("news2_low", score=score)))
    threes = [name for name, points in parts.items() if points == 3]
    if threes:
        hits.append(_vital(2, _finding("news2_single_parameter",
                                     param=_join(data.NEWS2_PARAMETER_NAMES[n] for n in threes))))
    return hits


def _child_vital_hits(case: _Case) -> list[_Hit]:
    """Children under 16: age-band thresholds instead of NEWS2 (see _CHILD_BANDS)."""
    if case.adult:
        return []
    inp, band, hits = case.inp, _child_band(case.age), []
    if inp.resp_rate is not None:
        if inp.resp_rate > band.rr_red:
            hits.append(_vital(2, _finding("child_very_fast_breathing", value=inp.resp_rate,
                                           limit=band.rr_red + 1), True))
        elif inp.resp_rate > band.rr_amber:
            hits.append(_vital(3, _finding("child_fast_breathing", value=inp.resp_rate, limit=band.rr_amber)))
        elif inp.resp_rate <= band.rr_low:
            hits.append(_vital(2, _finding("child_slow_breathing", value=inp.resp_rate, limit=band.rr_low), True))
    if inp.heart_rate is not None:
        if inp.heart_rate > band.hr_red:
            hits.append(_vital(2, _finding("child_very_fast_heart_rate", value=inp.heart_rate, limit=band.hr_red + 1),
                             True))
        elif inp.heart_rate > band.hr_amber:
            hits.append(_vital(3, _finding("child_fast_heart_rate", value=inp.heart_rate, limit=band.hr_amber)))
        elif inp.heart_rate < band.hr_low:
            hits.append(_vital(2, _finding("child_slow_heart_rate", value=inp.heart_rate, limit=band.hr_low), True))
    if inp.systolic_bp is not None and inp.systolic_bp < _child_hypotension_limit(case.age):
        hits.append(_vital(2, _finding("child_low_blood_pressure", value=inp.systolic_bp,
                                     limit=_child_hypotension_limit(case.age)), True))
    return hits


def _obstetric_triggers(inp: TriageInput) -> dict[str, str]:
    """Per parameter 'red' or 'amber', in the spirit of the Modified Early Obstetric Warning Score
    (MEOWS; CEMACH 'Saving Mothers' Lives' 2007, Singh et al. 2012): pregnancy shifts normal ranges,
    so NEWS2 is not used."""
    bands = {
        # parameter: (value, red_high, amber_high, amber_low, red_low); None = no such band
        "resp_rate": (inp.resp_rate, 30, 21, None, 10),
        "heart_rate": (inp.heart_rate, 120, 100, 50, 40),
        "systolic_bp": (inp.systolic_bp, 160, 150, 100, 90),
        "temperature_c": (inp.temperature_c, 38.0, 37.5, 36.0, 35.0),
        "spo2": (inp.spo2, None, None, 95, 94),
    }
    out: dict[str, str] = {}
    for name, (value, red_high, amber_high, amber_low, red_low) in bands.items():
        if value is None:
            continue
        if (red_high is not None and value >= red_high) or (red_low is not None and value <= red_low):
            out[name] = "red"
        elif (amber_high is not None and value >= amber_high) or (amber_low is not None and value <= amber_low):
            out[name] = "amber"
    if inp.consciousness not in (None, "alert"):
        out["consciousness"] = "red"
    return out


def _obstetric_hits(case: _Case) -> list[_Hit]:
    """Pregnancy: 2 red triggers or 3 of any colour: emergency; 1 red or 2 triggers: level 2; 1 amber: level 3.

    Only from 16: the obstetric ranges assume adult physiology; a pregnant child keeps the child bands.
    """
    if not (case.pregnant and case.adult):
        return []
    triggers = _obstetric_triggers(case.inp)
    if not triggers:
        return []
    reds = sum(1 for colour in triggers.values() if colour == "red")
    count = len(triggers)
    detail = _join(data.NEWS2_PARAMETER_NAMES[name] for name in triggers)
    if reds >= 2 or count >= 3:
        return [_Hit(2, _finding("obstetric_warning_emergency", detail=detail), True, "obstetrics")]
    return [_Hit(2 if reds or count >= 2 else 3, _finding("obstetric_warning", detail=detail), False, "obstetrics")]


def _note_hits(case: _Case) -> list[_Hit]:
    """Regulatory notes that do not change urgency."""
    hits = []
    if case.age < GUARDIAN_AGE:
        hits.append(_Hit(5, _finding("guardian_required")))
    if case.has("repeat_prescription", "chronic_followup"):
        hits.append(_Hit(5, _finding("prescription_followup_only")))
    return hits


_RULES = (_symptom_hits, _combination_hits, _fever_clinic_hits, _general_vital_hits, _adult_vital_hits,
          _news2_hits, _child_vital_hits, _obstetric_hits, _note_hits)


def _self_care_blockers(case: _Case) -> list[Finding]:
    """Why an otherwise minor complaint still needs a doctor (each one alone is enough)."""
    blockers = []
    low, high = SELF_CARE_AGES
    if case.age < low:
        blockers.append(_finding("child_needs_doctor"))
    if case.age >= high:
        blockers.append(_finding("older_age_review"))
    if case.pregnant:
        blockers.append(_finding("pregnancy_review"))
    if case.chronic:
        blockers.append(_finding("chronic_condition_review"))
    if case.epi_flags:
        blockers.append(_finding("exposure_reported"))
    if case.inp.duration_days is not None and case.inp.duration_days > SELF_CARE_MAX_DAYS:
        blockers.append(_finding("symptoms_persisting", value=case.inp.duration_days))
    return blockers


def _department(case: _Case, hits: list[_Hit]) -> str:
    """Fever clinic first; else the department of the most urgent complaint, adjusted for children and pregnancy."""
    if any(h.department == "fever" for h in hits):
        return "fever"
    candidates = [h for h in hits if h.department]
    lead = min(candidates, key=lambda h: (h.level, not h.emergency, _DEPARTMENT_ORDER.index(h.department)),
               default=None)
    department = lead.department if lead else "internal"
    if case.pregnant and department not in _PREGNANCY_EXCEPTIONS:
        return "obstetrics"
    if case.age < PEDIATRIC_AGE and department not in _PEDIATRIC_EXCEPTIONS:
        return "pediatrics"
    if department == "pediatrics":  # a baby's complaint chosen for an older person
        return "internal"
    return department


def _unique(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    seen: set[str] = set()
    out = []
    for finding in findings:
        if finding.code not in seen:
            seen.add(finding.code)
            out.append(finding)
    return tuple(out)


def _person(inp: TriageInput) -> flow.Person:
    return flow.Person(age=inp.age_years, sex=inp.sex, pregnant=inp.pregnant is True,
                       proxy=inp.for_whom not in (None, "self"))


def _discriminator_finding(d: charts.Discriminator) -> Finding:
    """A fired discriminator as a finding: plain why for the patient, clinical meaning and source for the doctor."""
    return Finding(d.id, dict(d.patient), {lang: f"{d.clinical[lang]} [{d.source}]" for lang in LANGS})


# Self-care in the 2026-12.1 flow is never offered alone to these (issue: infants under one and people
# over 75 never get unattended self-care); they see a doctor online today instead.
NO_SELF_CARE_UNDER = 1
NO_SELF_CARE_FROM = 75


def _chart_blockers(inp: TriageInput, case: _Case, chosen: list[charts.Chart]) -> list[Finding]:
    """Why a home-care result still needs a doctor (2026-12.1)."""
    blockers = []
    if case.age < NO_SELF_CARE_UNDER:
        blockers.append(_finding("infant_needs_doctor"))
    if case.age >= NO_SELF_CARE_FROM:
        blockers.append(_finding("older_needs_doctor"))
    if case.pregnant:
        blockers.append(_finding("pregnancy_review"))
    if "immunosuppressed" in case.chronic:
        blockers.append(_finding("chronic_condition_review"))
    if case.epi_flags:
        blockers.append(_finding("exposure_reported"))
    limit = min(chart.self_care_max_days for chart in chosen)
    if inp.duration_days is not None and inp.duration_days > limit:
        blockers.append(_finding("symptoms_persisting_chart", value=inp.duration_days, limit=limit))
    return blockers


def _assess_presentations(inp: TriageInput) -> Assessment:
    """2026-12.1: the charts' discriminators beside every 2026-11.1 rule; self-care where the charts allow it."""
    person = _person(inp)
    codes = list(inp.presentations or ())
    answers = inp.answer_map()
    symptoms = tuple(dict.fromkeys((*inp.symptoms, *flow.reported_symptoms(codes, answers, person))))
    merged = replace(inp, symptoms=symptoms)
    case = _Case(merged, frozenset(symptoms), frozenset(inp.chronic or ()), inp.epi.flags() if inp.epi else ())
    legacy = [hit for rule in _RULES for hit in rule(case)]
    chosen = flow.charts_for(codes)
    fired = flow.fired(codes, answers, person)
    chart_hits = [_Hit(d.level, _discriminator_finding(d), d.emergency, d.department or chart.department)
                  for d, chart in fired]
    hits = legacy + chart_hits
    emergency = any(h.emergency for h in hits)
    home = all(chart.home_care for chart in chosen) and not fired
    # The 2026-11.1 rules still veto home care when they find anything more than routine: a red flag,
    # a level 1-3 finding, or a risk factor that makes the complaint more dangerous.
    vetoed = any(h.emergency or h.level <= 3 or h.finding.code.startswith("risk_") for h in legacy)
    extra: list[Finding] = []
    disposition = "emergency" if emergency else "online_consult"
    if not emergency and home and not vetoed:
        blockers = _chart_blockers(inp, case, chosen)
        if blockers:
            extra.extend(blockers)
            level = min([h.level for h in hits] + [4])
        else:
            disposition, level = "self_care", 5
            extra.append(_finding("self_care_suitable"))
    else:
        # Nothing fired: each chart's own level; a home-care chart not given self-care is seen today.
        defaults = [chart.default_level if not chart.home_care else 4 for chart in chosen]
        level = min([h.level for h in hits] + defaults)
    department = _department(case, [*hits, *(_Hit(c.default_level, _finding("no_urgent_features"), False,
                                                   c.department) for c in chosen)])
    ordered = sorted(hits, key=lambda h: (h.level, not h.emergency))
    reasons = _unique([h.finding for h in ordered] + extra) or (_finding("no_urgent_features"),)
    return Assessment(
        level=level, disposition=disposition, department=department,
        red_flags=_unique(h.finding for h in ordered if h.emergency), reasons=reasons,
        target_wait_minutes=TARGET_WAIT_MINUTES[level], news2=news2(merged),
        questionnaire_version=QUESTIONNAIRE_VERSION, presentations=tuple(codes),
    )


def assess(inp: TriageInput) -> Assessment:
    """Triage validated answers: the most urgent of all rule contributions, with every rule that fired."""
    if inp.presentations:
        return _assess_presentations(inp)
    case = _Case(inp, frozenset(inp.symptoms), frozenset(inp.chronic or ()),
                 inp.epi.flags() if inp.epi else ())
    hits = [hit for rule in _RULES for hit in rule(case)]
    emergency = any(h.emergency for h in hits)
    level = min((h.level for h in hits), default=5)
    department = _department(case, hits)

    disposition = "emergency" if emergency else "online_consult"
    extra: list[Finding] = []
    minor = not case.symptoms or any(case.symptoms <= group for group in SELF_CARE_COMPLAINTS)
    if not emergency and level == 5 and minor:
        blockers = _self_care_blockers(case)
        if blockers:
            extra.extend(blockers)
        else:
            disposition = "self_care"
            extra.append(_finding("self_care_suitable"))

    ordered = sorted(hits, key=lambda h: (h.level, not h.emergency))  # stable: rule order within a level
    reasons = _unique([h.finding for h in ordered] + extra)
    if not reasons:
        reasons = (_finding("no_urgent_features"),)
    return Assessment(
        level=level,
        disposition=disposition,
        department=department,
        red_flags=_unique(h.finding for h in ordered if h.emergency),
        reasons=reasons,
        target_wait_minutes=TARGET_WAIT_MINUTES[level],
        news2=news2(inp),
        questionnaire_version=QUESTIONNAIRE_VERSION,
    )


# ------------------------------------------------------------------------------------------------
# Output


def _instruction(assessment: Assessment, lang: str) -> str:
    """One plain paragraph telling the patient what to do now."""
    texts = data.INSTRUCTIONS
    codes = {f.code for f in assessment.reasons}
    if assessment.disposition == "emergency":
        parts = [texts["emergency"][lang]]
        if "suicide_risk" in codes:
            parts.append(texts["crisis_line"][lang])
    elif assessment.disposition == "self_care":
        parts = [texts["self_care"][lang]]
    else:
        dept = DEPARTMENTS[assessment.department][lang]
        parts = [texts["online_consult"][lang].format(dept=dept)]
        if assessment.level <= 2:
            parts.append(texts["online_urgent"][lang].format(minutes=assessment.target_wait_minutes))
        if assessment.department == "fever":
            parts.append(texts["fever_clinic"][lang])
        if "guardian_required" in codes:
            parts.append(texts["guardian"][lang])
        parts.append(texts["worse_while_waiting"][lang])
    return ("" if lang == "zh" else " ").join(parts)


def timeframe(assessment: Assessment) -> str:
    """When to act: now (call 120), within 15 minutes, within the hour, today, routine, or at home."""
    if assessment.disposition == "emergency":
        return "now"
    if assessment.disposition == "self_care":
        return "self_care"
    return {1: "15_minutes", 2: "15_minutes", 3: "1_hour", 4: "today"}.get(assessment.level, "routine")


def _dispositions_to_act_on(assessment: Assessment, lang: str) -> dict[str, Any]:
    """The fields a patient acts on: what to do until help comes, or care advice with its safety net."""
    out: dict[str, Any] = {"timeframe": timeframe(assessment), "presentations": list(assessment.presentations)}
    if assessment.disposition == "emergency":
        specific = [data.MEANWHILE[f.code][lang] for f in assessment.red_flags if f.code in data.MEANWHILE]
        out["call"] = "tel:120"
        out["emergency_advice"] = list(dict.fromkeys([*specific, *data.MEANWHILE_GENERAL[lang]]))
    elif assessment.disposition == "self_care":
        chosen = flow.charts_for(assessment.presentations)
        out["care_advice"] = list(dict.fromkeys(a for c in chosen for a in c.advice.get(lang, ())))
        out["safety_net"] = list(dict.fromkeys(n for c in chosen for n in c.safety_net.get(lang, ())))
        out["see_doctor_anyway"] = True
        out["reassess_within_hours"] = 24
    return out


def render(assessment: Assessment, lang: str = "en", audience: str = "patient") -> dict[str, Any]:
    """The API's TriageResult (without id) in one language ("zh"/"en") for "patient" or "clinical"."""
    lang = lang if lang in LANGS else "en"
    audience = "clinical" if _is_clinical(audience) else "patient"
    return {
        **_dispositions_to_act_on(assessment, lang),
        "level": assessment.level,
        "disposition": assessment.disposition,
        "department": assessment.department,
        "red_flags": [{"code": f.code, "text": f.text(lang, audience)} for f in assessment.red_flags],
        "reasons": [{"code": f.code, "text": f.text(lang, audience)} for f in assessment.reasons],
        "target_wait_minutes": assessment.target_wait_minutes,
        "questionnaire_version": assessment.questionnaire_version,
        "instruction": _instruction(assessment, lang),
    }


def assess_dict(raw: object, lang: str = "en", audience: str = "patient") -> dict[str, Any]:
    """Parse, assess and render raw answers in one call (raises TriageInputError)."""
    return render(assess(parse_input(raw)), lang, audience)


# ------------------------------------------------------------------------------------------------
# Questionnaire


def _label(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def _question(field: str, kind: str, zh: str, en: str, extra: Mapping[str, Any]) -> dict[str, Any]:
    question: dict[str, Any] = {"id": field, "field": field, "type": kind, "label": _label(zh, en),
                                "required": bool(extra.get("required", False))}
    if kind == "boolean":
        question["options"] = [{"value": True, "label": _label("是", "Yes")},
                               {"value": False, "label": _label("否", "No")}]
    for key, value in extra.items():
        if key == "options":
            question["options"] = [{"value": v, "label": _label(z, e)} for v, z, e in value]
        elif key != "required":
            question[key] = value
    return question


def build_questionnaire(version: str) -> dict[str, Any]:
    """The questionnaire's 2026-11.1 part (questions, symptoms, conditions, departments) as the tables define it."""
    return {
        "version": version,
        "questions": [_question(*q) for q in data.QUESTIONS],
        "symptom_groups": [{"code": code, "label": _label(zh, en)} for code, zh, en in data.SYMPTOM_GROUPS],
        "symptoms": [{"code": code, "group": group, "label": _label(zh, en)} for code, group, zh, en in data.SYMPTOMS],
        "chronic_conditions": [{"code": code, "label": _label(zh, en)} for code, zh, en in data.CHRONIC_CONDITIONS],
        "departments": [{"code": code, "label": dict(names)} for code, names in DEPARTMENTS.items()],
    }
