"""What the doctor sees of a patient before and during a call: the patient's own words and the banner.

The banner (age, sex, allergies, current medicines, first visit or follow-up, guardian) stays on
the call screen; the words (free text, symptoms, long-term conditions, how long) are shown in the
queue and beside the call, in the doctor's language. Allergies, current medicines, the confirmed
visit type and the guardian's presence are what the doctor records in the follow-up-care panel
(consultation_care); until that is recorded the banner says "not recorded" and derives the visit
type from earlier consultations and the guardian rule from the age.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache

from server import triage
from server.triage.engine import GUARDIAN_AGE


@lru_cache(maxsize=2)
def _names(lang: str) -> dict[str, str]:
    questionnaire = triage.questionnaire()
    return {item["code"]: item["label"][lang] for item in questionnaire["symptoms"] + questionnaire["chronic_conditions"]}


def patient_words(answers: dict | None, lang: str) -> dict:
    """What the patient wrote and chose, in `lang`: own words, symptoms, conditions, duration in days."""
    answers = answers or {}
    names = _names("zh" if lang == "zh" else "en")
    return {"free_text": answers.get("free_text") or "",
            "symptoms": [names.get(code, code) for code in answers.get("symptoms") or []],
            "chronic": [names.get(code, code) for code in answers.get("chronic") or []],
            "duration_days": answers.get("duration_days")}


def age_years(answers: dict | None, birth_date: date | None) -> float | None:
    """The age the patient gave in the questionnaire, else the one from their date of birth."""
    if answers and answers.get("age_years") is not None:
        return answers["age_years"]
    if birth_date is None:
        return None
    today = date.today()
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def banner(row, lang: str) -> dict:
    """The patient banner of the doctor's call screen, from a consultation row."""
    age = age_years(row["answers"], row["patient_birth_date"])
    care = {key: row[key] for key in ("allergies", "current_medicines", "visit", "guardian_present") if key in row.keys()}
    return {"age_years": age, "sex": row["patient_sex"],
            "allergies": list(care.get("allergies") or []), "current_medicines": list(care.get("current_medicines") or []),
            "first_visit": care["visit"] == "first" if care.get("visit") else row["earlier_visits"] == 0,
            # 互联网诊疗管理办法（试行）2018: a child under 6 is seen online only with a guardian present.
            "guardian_required": age is not None and age < GUARDIAN_AGE,
            "guardian_present": care.get("guardian_present"),
            "words": patient_words(row["answers"], lang)}
