"""What the rules produce: a `Finding` (one rule that fired, worded for the patient and the doctor in
zh and en), a rule's `Hit` (its level, red flag and department), the `Assessment`, and the `Case`
(the answers plus what the rules derive from them)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from server.triage import texts as data
from server.triage.answers import TriageInput
from server.triage.constants import CHRONIC_CODES, FEVER_THRESHOLD_C, LANGS, OLDER_AGE, child_hypotension_limit
from server.triage.news2 import NEWS2_MIN_AGE


@dataclass(frozen=True)
class Finding:
    """One rule that fired, worded for the patient (plain) and the doctor (clinical), in zh and en."""

    code: str
    patient: Mapping[str, str]
    clinical: Mapping[str, str]

    def text(self, lang: str = "en", audience: str = "patient") -> str:
        """The wording in one language for one audience."""
        lang = lang if lang in LANGS else "en"
        return (self.clinical if is_clinical(audience) else self.patient)[lang]

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
class Hit:
    """A rule's contribution: the level it asks for, whether it is a red flag, and its department."""

    level: int
    finding: Finding
    emergency: bool = False
    department: str | None = None


def is_clinical(audience: str) -> bool:
    return audience in ("clinical", "clinician", "doctor")


def _fmt(value: object) -> str:
    """Numbers as people write them: 38.5, 120 (not 120.0)."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.1f}".rstrip("0").rstrip(".")
    return str(value)


def make_finding(code: str, template_code: str | None = None, **params: object) -> Finding:
    """Build a finding from its wording in triage.texts (`template_code` if shared); dict params are per language."""
    template = data.FINDINGS.get(template_code or code) or data.FINDINGS["symptom"]

    def fill(text: str, lang: str) -> str:
        return text.format(**{k: v[lang] if isinstance(v, Mapping) else _fmt(v) for k, v in params.items()})

    return Finding(code,
                   {lang: fill(template["patient"][lang], lang) for lang in LANGS},
                   {lang: fill(template["clinical"][lang], lang) for lang in LANGS})


def join_words(words: Iterable[Mapping[str, str]]) -> dict[str, str]:
    """Join per-language words into one per-language list."""
    words = list(words)
    return {"zh": "、".join(w["zh"] for w in words), "en": ", ".join(w["en"] for w in words)}


@dataclass(frozen=True)
class Case:
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
        return sbp <= 90 if self.adult else sbp < child_hypotension_limit(self.age)
