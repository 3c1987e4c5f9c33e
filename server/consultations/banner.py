"""What the doctor sees of a patient before and during a call: the patient's own words and the banner.

The banner (age, sex, allergies, first visit or follow-up, guardian needed) stays on the call
screen; the words (free text, symptoms, long-term conditions, how long) are shown in the queue and
beside the call, in the doctor's language.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache

from server import triage


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
    return {"age_years": age, "sex": row["patient_sex"], "allergies": row["patient_allergies"] or "",
            "first_visit": row["earlier_visits"] == 0,
            # 互联网诊疗管理办法（试行）2018: a child under 6 is seen online only with a guardian present.
            "guardian_required": age is not None and age < triage.GUARDIAN_AGE,
            "words": patient_words(row["answers"], lang)}
