"""What the patient and the doctor read: the result rendered in one language for one audience (what
to do now, when, the red flags and reasons, care advice and its safety net), and the 2026-11.1
questionnaire as the tables define it."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.triage import flow
from server.triage import texts as data
from server.triage.answers import parse_input
from server.triage.constants import DEPARTMENTS, LANGS
from server.triage.decision import assess
from server.triage.findings import Assessment, is_clinical


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
    audience = "clinical" if is_clinical(audience) else "patient"
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
