"""The rules on what the person reports: each symptom's level or red flag (raised by risk factors),
the red flags and urgent patterns that need two answers together (chest pain with a risk feature,
anaphylaxis, a febrile infant, pregnancy, a hypertensive crisis, ...), the fever-clinic screen and
the regulatory notes. Each rule returns its hits; `decision` takes the most urgent."""
from __future__ import annotations

from server.triage import texts as data
from server.triage.answers import TriageInput
from server.triage.constants import (
    CHRONIC_LABELS,
    FEBRILE_INFANT_AGE,
    GUARDIAN_AGE,
    RESPIRATORY_SYMPTOMS,
    RISK_FACTOR_SYMPTOMS,
    SYMPTOM_LABELS,
    SYMPTOM_RULES,
)
from server.triage.findings import Case, Finding, Hit, join_words, make_finding


def _raise_for_risk(case: Case, concept: str, level: int) -> tuple[int, tuple[str, ...]]:
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
        clinical = CHRONIC_LABELS[factor]
        patient = {"zh": f"您患有{clinical['zh']}", "en": f"your long-term condition ({clinical['en']})"}
    labels = join_words(SYMPTOM_LABELS.get(c, data.FEATURE_WORDS["measured_fever"]) for c in concepts)
    return make_finding(f"risk_{factor}", "risk_factor", factor=patient, name=clinical, labels=labels)


def symptom_hits(case: Case) -> list[Hit]:
    """Each reported symptom: a red flag by itself, or a complaint at its level (raised by risk factors)."""
    hits: list[Hit] = []
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
                hits.append(Hit(level, make_finding(red_flag, label=join_words(SYMPTOM_LABELS[c] for c in same)), True, dept))
            continue
        level, factors = _raise_for_risk(case, code, level)
        for factor in factors:
            raised.setdefault(factor, []).append(code)
            raised_level[factor] = min(raised_level.get(factor, 5), level)
        hits.append(Hit(level, make_finding(f"symptom_{code}", label=SYMPTOM_LABELS[code], level=level), False, dept))
    if case.measured_fever:
        level, factors = _raise_for_risk(case, "fever", 4)
        for factor in factors:
            raised.setdefault(factor, []).append("measured_fever")
            raised_level[factor] = min(raised_level.get(factor, 5), level)
        hits.append(Hit(level, make_finding("raised_temperature", value=case.inp.temperature_c), False, "internal"))
    for factor, concepts in raised.items():
        hits.append(Hit(raised_level[factor], _risk_finding(factor, concepts)))
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


def _chest_pain_hits(case: Case) -> list[Hit]:
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
    detail.extend(CHRONIC_LABELS[c] for c in ("heart_disease", "hypertension", "diabetes", "kidney_disease")
                  if c in case.chronic)
    detail.extend(SYMPTOM_LABELS[s] for s in ("shortness_of_breath", "severe_breathing_difficulty",
                                                "palpitations", "fainting", "sweating") if case.has(s))
    if case.adult and _abnormal_adult_vitals_for_chest_pain(case.inp):
        detail.append(data.FEATURE_WORDS["abnormal_vitals"])
    if not detail:
        level, dept, _ = SYMPTOM_RULES["chest_pain"]
        return [Hit(level, make_finding("symptom_chest_pain"), False, dept)]
    return [Hit(2, make_finding("chest_pain_risk", detail=join_words(detail)), True, "internal")]


def _pregnancy_hits(case: Case) -> list[Hit]:
    """Bleeding, abdominal pain and pre-eclampsia signs in pregnancy."""
    inp, hits = case.inp, []
    if not case.pregnant:
        return hits
    if case.has("vaginal_bleeding"):
        hits.append(Hit(2, make_finding("pregnancy_bleeding"), True, "obstetrics"))
    if case.has("abdominal_pain"):
        hits.append(Hit(2, make_finding("pregnancy_abdominal_pain"), False, "obstetrics"))
        if inp.pain_score is not None and inp.pain_score >= 7:
            hits.append(Hit(2, make_finding("pregnancy_severe_abdominal_pain"), True, "obstetrics"))
    if inp.systolic_bp is not None and inp.systolic_bp >= 160 and case.has(
            "headache", "worst_headache", "vision_loss", "abdominal_pain", "confusion", "seizure"):
        hits.append(Hit(2, make_finding("pre_eclampsia_signs", value=inp.systolic_bp), True, "obstetrics"))
    return hits


def _blood_pressure_hits(case: Case) -> list[Hit]:
    """ACC/AHA: systolic >= 180 is the hypertensive-crisis range; end-organ symptoms make it an emergency."""
    sbp = case.inp.systolic_bp
    if not case.adult or sbp is None or sbp < 180:
        return []
    if case.has("chest_pain", "shortness_of_breath", "severe_breathing_difficulty", "vision_loss", "confusion",
                "face_droop", "arm_weakness", "speech_difficulty", "one_sided_numbness", "seizure", "worst_headache"):
        return [Hit(2, make_finding("hypertensive_emergency", value=sbp), True, "internal")]
    level = 2 if case.has("headache", "dizziness", "nosebleed") else 3
    return [Hit(level, make_finding("very_high_blood_pressure", value=sbp), False, "internal")]


def combination_hits(case: Case) -> list[Hit]:
    """Red flags and urgent patterns that need two answers together."""
    inp, hits = case.inp, []
    hits += _chest_pain_hits(case)
    if case.has("fainting") and (case.has("chest_pain", "palpitations") or "heart_disease" in case.chronic):
        hits.append(Hit(2, make_finding("fainting_cardiac"), True, "internal"))
    # Anaphylaxis (World Allergy Organization criteria): skin/mucosa plus breathing or circulation.
    if case.has("lip_tongue_swelling") and (
            case.has("shortness_of_breath", "severe_breathing_difficulty", "wheezing", "fainting")
            or case.hypotensive()):
        hits.append(Hit(1, make_finding("anaphylaxis"), True, "internal"))
    # Febrile infant under 3 months: NICE NG143 red; a parent's report of fever counts.
    if case.age < FEBRILE_INFANT_AGE and (case.has("fever") or (
            inp.temperature_c is not None and inp.temperature_c >= 38.0)):
        hits.append(Hit(2, make_finding("febrile_infant"), True, "pediatrics"))
    hits += _pregnancy_hits(case)
    if case.has("stiff_neck") and case.has_fever:
        hits.append(Hit(2, make_finding("meningitis_signs"), True, "internal"))
    if case.has("head_injury") and case.has("vomiting"):
        hits.append(Hit(2, make_finding("head_injury_vomiting"), True, "surgery"))
    if case.has("black_stool") and (case.has("dizziness", "fainting") or case.hypotensive()):
        hits.append(Hit(2, make_finding("gi_bleed_shock"), True, "internal"))
    if case.has("leg_swelling") and case.has("shortness_of_breath"):
        hits.append(Hit(2, make_finding("possible_clot"), False, "internal"))
    if "immunosuppressed" in case.chronic and case.has_fever:
        hits.append(Hit(2, make_finding("fever_immunosuppressed"), False, "internal"))
    return hits + _blood_pressure_hits(case)


def fever_clinic_hits(case: Case) -> list[Hit]:
    """Fever or respiratory symptoms with any epi flag: the fever clinic, never a general queue."""
    respiratory = [s for s in case.inp.symptoms if s in RESPIRATORY_SYMPTOMS]
    if not case.epi_flags or not (case.has_fever or respiratory):
        return []
    detail = []
    if "fever" in case.symptoms:
        detail.append(SYMPTOM_LABELS["fever"])
    if case.measured_fever:
        detail.append(data.FEATURE_WORDS["measured_fever"])
    detail.extend(SYMPTOM_LABELS[s] for s in respiratory)
    epi = join_words(data.EPI_NAMES[f] for f in case.epi_flags)
    # Level 3: infection control needs prompt handling even when the illness itself is mild.
    return [Hit(3, make_finding("fever_clinic_screen", detail=join_words(detail), epi=epi), False, "fever")]


def note_hits(case: Case) -> list[Hit]:
    """Regulatory notes that do not change urgency."""
    hits = []
    if case.age < GUARDIAN_AGE:
        hits.append(Hit(5, make_finding("guardian_required")))
    if case.has("repeat_prescription", "chronic_followup"):
        hits.append(Hit(5, make_finding("prescription_followup_only")))
    return hits
