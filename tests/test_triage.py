"""Unit and property tests of the triage engine (server/triage/engine.py): NEWS2, validation, rendering,
questionnaire, and the safety properties (more findings never mean less urgency)."""
from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from server import triage
from server.triage import texts as triage_data

API_SYMPTOMS = (
    "fever cough sore_throat runny_nose loss_of_smell_taste shortness_of_breath severe_breathing_difficulty "
    "chest_pain palpitations headache worst_headache face_droop arm_weakness speech_difficulty confusion seizure "
    "fainting dizziness abdominal_pain diarrhea vomiting vomiting_blood severe_bleeding rash itching "
    "lip_tongue_swelling urinary_pain back_pain joint_pain eye_pain vision_loss ear_pain toothache fatigue anxiety "
    "low_mood suicidal_thoughts insomnia vaginal_bleeding minor_injury burn chronic_followup repeat_prescription"
).split()
API_CHRONIC = "hypertension diabetes copd asthma heart_disease kidney_disease immunosuppressed".split()
API_DEPARTMENTS = "internal fever pediatrics dermatology obstetrics psychology surgery ent ophthalmology".split()
INPUT_FIELDS = ("age_years sex pregnant symptoms duration_days pain_score temperature_c spo2 resp_rate heart_rate "
                "systolic_bp consciousness epi chronic free_text on_oxygen").split()

RANK = {"self_care": 0, "online_consult": 1, "emergency": 2}


def assess(answers: dict) -> triage.Assessment:
    return triage.assess(triage.parse_input(answers))


def assert_not_less_urgent(after: triage.Assessment, before: triage.Assessment) -> None:
    """`after` is at least as urgent as `before` in disposition and level."""
    assert RANK[after.disposition] >= RANK[before.disposition], (before, after)
    assert after.level <= before.level, (before, after)


# ------------------------------------------------------------------------------------------------
# NEWS2, every band edge of the CLINICAL.md table

@pytest.mark.parametrize("value, points", [
    (0, 3), (8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3), (60, 3)])
def test_news2_resp_rate(value: float, points: int) -> None:
    assert triage.news2_resp_rate(value) == points


@pytest.mark.parametrize("value, points", [
    (50, 3), (91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0)])
def test_news2_spo2(value: float, points: int) -> None:
    assert triage.news2_spo2(value) == points


@pytest.mark.parametrize("value, points", [
    (40, 3), (90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0), (220, 3), (300, 3)])
def test_news2_systolic_bp(value: float, points: int) -> None:
    assert triage.news2_systolic_bp(value) == points


@pytest.mark.parametrize("value, points", [
    (20, 3), (40, 3), (41, 1), (50, 1), (51, 0), (90, 0), (91, 1), (110, 1), (111, 2), (130, 2), (131, 3), (250, 3)])
def test_news2_pulse(value: float, points: int) -> None:
    assert triage.news2_pulse(value) == points


@pytest.mark.parametrize("value, points", [
    (30.0, 3), (35.0, 3), (35.1, 1), (36.0, 1), (36.1, 0), (38.0, 0), (38.1, 1), (39.0, 1), (39.1, 2), (42.0, 2)])
def test_news2_temperature(value: float, points: int) -> None:
    assert triage.news2_temperature(value) == points


@pytest.mark.parametrize("level, confusion, points", [
    ("alert", False, 0), ("voice", False, 3), ("pain", False, 3), ("unresponsive", False, 3), ("alert", True, 3),
    (None, True, 3)])
def test_news2_consciousness(level: str | None, confusion: bool, points: int) -> None:
    assert triage.news2_consciousness(level, confusion) == points


def test_news2_oxygen() -> None:
    assert triage.news2_oxygen(True) == 2
    assert triage.news2_oxygen(False) == 0


def test_news2_aggregate_over_given_parameters_only() -> None:
    inp = triage.parse_input({"age_years": 40, "symptoms": [], "resp_rate": 22, "spo2": 95, "on_oxygen": True})
    assert triage.news2_components(inp) == {"resp_rate": 2, "spo2": 1, "on_oxygen": 2}
    assert triage.news2(inp) == 5
    assert triage.assess(inp).news2 == 5


def test_news2_confusion_symptom_counts_as_consciousness() -> None:
    inp = triage.parse_input({"age_years": 70, "symptoms": ["confusion"], "temperature_c": 36.5})
    assert triage.news2(inp) == 3


def test_news2_not_for_children_pregnancy_or_nothing_measured() -> None:
    vitals = {"resp_rate": 26, "heart_rate": 120}
    assert triage.news2(triage.parse_input({"age_years": 15.9, "symptoms": [], **vitals})) is None
    assert triage.news2(triage.parse_input({"age_years": 30, "pregnant": True, "symptoms": [], **vitals})) is None
    assert triage.news2(triage.parse_input({"age_years": 30, "symptoms": ["cough"]})) is None
    assert triage.news2(triage.parse_input({"age_years": 16, "symptoms": [], **vitals})) == 5


def test_news2_all_normal_is_zero_and_self_care_stays() -> None:
    result = assess({"age_years": 30, "symptoms": ["runny_nose"], **triage.normal_vitals(30)})
    assert result.news2 == 0
    assert result.disposition == "self_care"


# ------------------------------------------------------------------------------------------------
# parse_input


def error_of(raw: object) -> triage.TriageInputError:
    with pytest.raises(triage.TriageInputError) as info:
        triage.parse_input(raw)
    assert isinstance(info.value, ValueError)
    assert info.value.message and re.fullmatch(r"[a-z_]+", info.value.code)
    return info.value


@pytest.mark.parametrize("raw, field, code", [
    ([], "answers", "invalid_type"),
    ("age 30", "answers", "invalid_type"),
    ({"symptoms": []}, "age_years", "required"),
    ({"age_years": None, "symptoms": []}, "age_years", "required"),
    ({"age_years": 30}, "symptoms", "required"),
    ({"age_years": 200, "symptoms": []}, "age_years", "out_of_range"),
    ({"age_years": -1, "symptoms": []}, "age_years", "out_of_range"),
    ({"age_years": True, "symptoms": []}, "age_years", "invalid_type"),
    ({"age_years": "30", "symptoms": []}, "age_years", "invalid_type"),
    ({"age_years": float("nan"), "symptoms": []}, "age_years", "invalid_type"),
    ({"age_years": 10 ** 400, "symptoms": []}, "age_years", "out_of_range"),
    ({"age_years": 30, "symptoms": ["cough", "sneezing_fits"]}, "symptoms", "unknown_symptom"),
    ({"age_years": 30, "symptoms": "cough"}, "symptoms", "invalid_type"),
    ({"age_years": 30, "symptoms": [1]}, "symptoms", "invalid_type"),
    ({"age_years": 30, "symptoms": ["cough"] * 201}, "symptoms", "too_long"),
    ({"age_years": 30, "symptoms": [], "spo2": 140}, "spo2", "out_of_range"),
    ({"age_years": 30, "symptoms": [], "spo2": False}, "spo2", "invalid_type"),
    ({"age_years": 30, "symptoms": [], "temperature_c": 29.9}, "temperature_c", "out_of_range"),
    ({"age_years": 30, "symptoms": [], "temperature_c": float("inf")}, "temperature_c", "invalid_type"),
    ({"age_years": 30, "symptoms": [], "resp_rate": 81}, "resp_rate", "out_of_range"),
    ({"age_years": 30, "symptoms": [], "heart_rate": 19}, "heart_rate", "out_of_range"),
    ({"age_years": 30, "symptoms": [], "systolic_bp": 301}, "systolic_bp", "out_of_range"),
    ({"age_years": 30, "symptoms": [], "duration_days": -1}, "duration_days", "out_of_range"),
    ({"age_years": 30, "symptoms": [], "duration_days": 3651}, "duration_days", "out_of_range"),
    ({"age_years": 30, "symptoms": [], "pain_score": 11}, "pain_score", "out_of_range"),
    ({"age_years": 30, "symptoms": [], "pain_score": 6.5}, "pain_score", "invalid_type"),
    ({"age_years": 30, "symptoms": [], "pain_score": True}, "pain_score", "invalid_type"),
    ({"age_years": 30, "symptoms": [], "sex": "f"}, "sex", "invalid_choice"),
    ({"age_years": 30, "symptoms": [], "consciousness": "sleepy"}, "consciousness", "invalid_choice"),
    ({"age_years": 30, "symptoms": [], "pregnant": "yes"}, "pregnant", "invalid_type"),
    ({"age_years": 30, "symptoms": [], "pregnant": 1}, "pregnant", "invalid_type"),
    ({"age_years": 30, "symptoms": [], "on_oxygen": 0}, "on_oxygen", "invalid_type"),
    ({"age_years": 30, "symptoms": [], "epi": True}, "epi", "invalid_type"),
    ({"age_years": 30, "symptoms": [], "epi": {"close_contact": "no"}}, "epi.close_contact", "invalid_type"),
    ({"age_years": 30, "symptoms": [], "epi": {"pets": True}}, "epi.pets", "unknown_field"),
    ({"age_years": 30, "symptoms": [], "chronic": ["gout"]}, "chronic", "unknown_condition"),
    ({"age_years": 30, "symptoms": [], "chronic": "diabetes"}, "chronic", "invalid_type"),
    ({"age_years": 30, "symptoms": [], "free_text": "x" * 2001}, "free_text", "too_long"),
    ({"age_years": 30, "symptoms": [], "free_text": 5}, "free_text", "invalid_type"),
    ({"age_years": 30, "symptoms": [], "weight_kg": 70}, "weight_kg", "unknown_field"),
])
def test_parse_input_rejects(raw: object, field: str, code: str) -> None:
    error = error_of(raw)
    assert (error.field, error.code) == (field, code)


def test_unknown_symptom_message_names_the_code() -> None:
    assert "sneezing_fits" in error_of({"age_years": 30, "symptoms": ["sneezing_fits"]}).message


def test_parse_input_accepts_edges_and_normalises() -> None:
    inp = triage.parse_input({
        "age_years": 0, "symptoms": ["cough", "fever", "cough"], "pain_score": 10.0, "free_text": "x" * 2000,
        "temperature_c": 45, "spo2": 50, "resp_rate": 0, "heart_rate": 250, "systolic_bp": 40, "duration_days": 0,
        "epi": {"close_contact": True, "cluster": None}, "chronic": ["copd", "copd"], "sex": None})
    assert inp.symptoms == ("cough", "fever")
    assert inp.pain_score == 10 and isinstance(inp.pain_score, int)
    assert inp.chronic == ("copd",)
    assert inp.epi == triage.Epi(close_contact=True)
    assert inp.sex is None


def test_to_dict_has_only_given_fields_and_round_trips() -> None:
    raw = {"age_years": 41.5, "symptoms": ["headache"], "epi": {"travel_risk_area": False}, "free_text": "since Monday"}
    inp = triage.parse_input(raw)
    assert inp.to_dict() == raw
    assert triage.parse_input(inp.to_dict()) == inp
    json.dumps(inp.to_dict())


def test_empty_symptom_list_is_allowed() -> None:
    assert triage.parse_input({"age_years": 30, "symptoms": []}).symptoms == ()


# ------------------------------------------------------------------------------------------------
# render and the patient instruction


def test_render_emergency_in_both_languages() -> None:
    result = assess({"age_years": 60, "symptoms": ["chest_pain"]})
    en, zh = triage.render(result, "en"), triage.render(result, "zh")
    assert set(en) == {"level", "disposition", "department", "red_flags", "reasons", "target_wait_minutes",
                       "questionnaire_version", "instruction", "timeframe", "presentations", "call",
                       "emergency_advice"}
    assert en["call"] == "tel:120" and en["timeframe"] == "now" and en["emergency_advice"]
    assert en["instruction"] == ("Call 120 now or go to the nearest emergency department. "
                                 "Do not wait for an online consultation.")
    assert zh["instruction"] == "请立即拨打120或前往最近的急诊科，不要等待线上问诊。"
    assert en["red_flags"][0]["code"] == zh["red_flags"][0]["code"] == "chest_pain_risk"
    assert re.search(r"[\u4e00-\u9fff]", zh["red_flags"][0]["text"])
    assert not re.search(r"[\u4e00-\u9fff]", en["red_flags"][0]["text"])
    assert en["target_wait_minutes"] == triage.TARGET_WAIT_MINUTES[en["level"]]
    json.dumps(zh, ensure_ascii=False)


def test_render_suicidal_gives_crisis_line() -> None:
    result = assess({"age_years": 22, "symptoms": ["suicidal_thoughts"]})
    for lang in ("en", "zh"):
        rendered = triage.render(result, lang)
        assert "12356" in rendered["instruction"] and "120" in rendered["instruction"]
        assert any("12356" in flag["text"] for flag in rendered["red_flags"])
    assert "12356" not in triage.render(assess({"age_years": 22, "symptoms": ["seizure"]}))["instruction"]


def test_render_online_names_the_queue_and_falls_back_to_english() -> None:
    result = assess({"age_years": 30, "symptoms": ["rash"]})
    assert "Dermatology queue" in triage.render(result, "fr")["instruction"]
    assert "皮肤科" in triage.render(result, "zh")["instruction"]


def test_render_self_care_advice() -> None:
    rendered = triage.render(assess({"age_years": 30, "symptoms": ["runny_nose"]}), "en")
    assert rendered["disposition"] == "self_care"
    assert "7 days" in rendered["instruction"] and "120" in rendered["instruction"]


def test_render_audience_switches_wording() -> None:
    result = assess({"age_years": 50, "symptoms": ["fever"], "resp_rate": 22, "heart_rate": 115,
                     "temperature_c": 39.2, "spo2": 95})
    patient = triage.render(result, "en", audience="patient")
    clinical = triage.render(result, "en", audience="clinical")
    assert patient["reasons"][0]["code"] == clinical["reasons"][0]["code"] == "news2_high"
    assert "NEWS2 7" in clinical["reasons"][0]["text"]
    assert "NEWS2" not in patient["reasons"][0]["text"]
    assert "NEWS2 7" in triage.render(result, "zh", audience="clinical")["reasons"][0]["text"]


def test_guardian_note_for_children_under_6() -> None:
    rendered = triage.render(assess({"age_years": 5.9, "symptoms": ["cough"]}), "en")
    assert "guardian" in rendered["instruction"]
    six = triage.render(assess({"age_years": 6, "symptoms": ["cough"]}))
    assert "guardian_required" not in {r["code"] for r in six["reasons"]}


def test_assess_dict_and_assessment_to_dict() -> None:
    rendered = triage.assess_dict({"age_years": 30, "symptoms": ["ear_pain"]}, lang="zh")
    assert rendered["department"] == "ent" and "耳鼻喉科" in rendered["instruction"]
    stored = assess({"age_years": 30, "symptoms": ["ear_pain"]}).to_dict()
    assert stored["reasons"][0]["patient"]["zh"] and stored["reasons"][0]["clinical"]["en"]
    json.dumps(stored)


# ------------------------------------------------------------------------------------------------
# questionnaire, departments, constants


def test_questionnaire_has_every_api_code_with_both_labels() -> None:
    q = triage.questionnaire()
    json.dumps(q)
    assert q["version"] == triage.QUESTIONNAIRE_VERSION
    symptoms = {s["code"]: s for s in q["symptoms"]}
    assert set(API_SYMPTOMS) <= set(symptoms)
    groups = {g["code"] for g in q["symptom_groups"]}
    for s in q["symptoms"]:
        assert s["group"] in groups
        assert s["label"]["zh"].strip() and s["label"]["en"].strip()
    assert [c["code"] for c in q["chronic_conditions"]] == API_CHRONIC
    for item in q["chronic_conditions"] + q["departments"] + q["symptom_groups"]:
        assert item["label"]["zh"].strip() and item["label"]["en"].strip()
    assert len(symptoms) == len(q["symptoms"])


def test_questionnaire_questions_cover_every_input_field() -> None:
    questions = triage.questionnaire()["questions"]
    ids = {question["id"] for question in questions}
    expected = (set(INPUT_FIELDS) - {"epi"}) | {"epi.close_contact", "epi.travel_risk_area", "epi.cluster"}
    assert ids == expected
    for question in questions:
        assert question["field"] == question["id"]
        assert question["label"]["zh"] and question["label"]["en"]
        assert isinstance(question["required"], bool)
        if question["type"] in ("number", "integer"):
            assert question["min"] < question["max"]
        if question["type"] in ("choice", "boolean"):
            assert all(o["label"]["zh"] and o["label"]["en"] for o in question["options"])
    required = {q["id"] for q in questions if q["required"]}
    assert required == {"age_years", "symptoms"}


def test_questionnaire_versions_and_copies() -> None:
    assert triage.QUESTIONNAIRE_VERSION in triage.QUESTIONNAIRES
    for version in triage.QUESTIONNAIRES:
        assert triage.questionnaire(version)["version"] == version
    with pytest.raises(KeyError):
        triage.questionnaire("1999-01.0")
    mine = triage.questionnaire()
    mine["symptoms"].clear()
    assert triage.questionnaire()["symptoms"]
    assert triage.questionnaire(None) == triage.questionnaire(triage.QUESTIONNAIRE_VERSION)


def test_every_symptom_has_a_rule_and_every_routed_department_exists() -> None:
    assert set(triage.SYMPTOM_RULES) == set(triage.SYMPTOM_CODES)
    assert set(API_DEPARTMENTS) <= set(triage.DEPARTMENTS)
    for level, department, red_flag in triage.SYMPTOM_RULES.values():
        assert 1 <= level <= 5 and department in triage.DEPARTMENTS
        assert red_flag is None or red_flag in triage_data.FINDINGS
    for symptoms in triage.RISK_FACTOR_SYMPTOMS.values():
        assert symptoms <= set(triage.SYMPTOM_CODES)
    assert set(triage.RISK_FACTOR_SYMPTOMS) == {"older_age", "infant", "pregnancy", *API_CHRONIC}
    for names in triage.DEPARTMENTS.values():
        assert names["zh"] and names["en"]


def test_every_finding_text_exists_in_both_languages_and_audiences() -> None:
    for code, wording in triage_data.FINDINGS.items():
        for audience in ("patient", "clinical"):
            assert wording[audience]["zh"].strip() and wording[audience]["en"].strip(), code
    for code, text in triage_data.INSTRUCTIONS.items():
        assert text["zh"] and text["en"], code


def test_target_wait_minutes_follow_ctas() -> None:
    assert triage.TARGET_WAIT_MINUTES == {1: 0, 2: 15, 3: 30, 4: 60, 5: 120}


def test_normal_vitals_trigger_nothing_at_any_age() -> None:
    for age in (0, 0.1, 0.3, 0.9, 1, 1.5, 3, 6, 11, 13, 15.5, 16, 40, 90, 120):
        result = assess({"age_years": age, "symptoms": [], **triage.normal_vitals(age)})
        assert result.level == 5, (age, [f.code for f in result.reasons])


# ------------------------------------------------------------------------------------------------
# Hypothesis: safety properties

SYMPTOMS = st.sampled_from(triage.SYMPTOM_CODES)
MINOR = st.sampled_from(["runny_nose", "sore_throat", "cough", "itching", "acne", "minor_injury", "heartburn"])
AGES = st.one_of(
    st.sampled_from([0, 0.1, 0.24, 0.25, 0.49, 0.5, 0.99, 1, 2, 4.9, 5, 5.9, 6, 11.9, 12, 13.9, 14, 15.9, 16, 34.9,
                     35, 64.9, 65, 120]),
    st.floats(min_value=0, max_value=120, allow_nan=False),
)


def near_and_full(low: float, high: float, near_low: float, near_high: float, integers: bool = False):
    """Values mostly near normal (to reach the minor branches) and sometimes anywhere in range."""
    if integers:
        return st.one_of(st.integers(int(near_low), int(near_high)), st.integers(int(low), int(high)))
    return st.one_of(st.floats(near_low, near_high).map(lambda x: round(x, 1)), st.floats(low, high))


OPTIONAL = {
    "sex": st.sampled_from(["female", "male", "other"]),
    "pregnant": st.booleans(),
    "duration_days": st.one_of(st.integers(0, 14), st.floats(0, 3650)),
    "pain_score": st.integers(0, 10),
    "temperature_c": near_and_full(30, 45, 35.5, 39.5),
    "spo2": near_and_full(50, 100, 90, 100, integers=True),
    "resp_rate": near_and_full(0, 80, 10, 30, integers=True),
    "heart_rate": near_and_full(20, 250, 45, 150, integers=True),
    "systolic_bp": near_and_full(40, 300, 85, 190, integers=True),
    "consciousness": st.sampled_from(["alert", "alert", "alert", "voice", "pain", "unresponsive"]),
    "on_oxygen": st.booleans(),
    "epi": st.fixed_dictionaries({}, optional={name: st.booleans()
                                               for name in ("close_contact", "travel_risk_area", "cluster")}),
    "chronic": st.lists(st.sampled_from(triage.CHRONIC_CODES), max_size=3, unique=True),
    "free_text": st.text(max_size=50),
}
ANSWERS = st.fixed_dictionaries(
    {"age_years": AGES,
     "symptoms": st.one_of(st.lists(MINOR, max_size=3, unique=True), st.lists(SYMPTOMS, max_size=5, unique=True))},
    optional=OPTIONAL,
)
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

VITAL_LIMITS = {"temperature_c": (30, 45), "spo2": (50, 100), "resp_rate": (0, 80), "heart_rate": (20, 250),
                "systolic_bp": (40, 300)}
CONSCIOUSNESS = ("alert", "voice", "pain", "unresponsive")


@PROPERTY
@given(ANSWERS, SYMPTOMS)
def test_adding_a_symptom_never_lowers_urgency(answers: dict, extra: str) -> None:
    assume(extra not in answers["symptoms"])
    before = assess(answers)
    after = assess({**answers, "symptoms": [*answers["symptoms"], extra]})
    assert_not_less_urgent(after, before)


@PROPERTY
@given(ANSWERS, st.sampled_from([*VITAL_LIMITS, "pain_score", "consciousness"]), st.data())
def test_worsening_a_vital_sign_never_lowers_urgency(answers: dict, name: str, data: st.DataObject) -> None:
    """Further from normal (the engine's own normal for the age), or missing -> abnormal."""
    normal = triage.normal_vitals(answers["age_years"])[name]
    current = answers.get(name)
    if name == "consciousness":
        start = CONSCIOUSNESS.index(current or "alert")
        worse = data.draw(st.sampled_from(CONSCIOUSNESS[start:]))
    elif name == "pain_score":
        worse = data.draw(st.integers(current or 0, 10))
    else:
        low, high = VITAL_LIMITS[name]
        base = normal if current is None else current
        upward = name != "spo2" and (base > normal or (base == normal and data.draw(st.booleans())))
        worse = data.draw(st.floats(base, high) if upward else st.floats(low, base))
    before = assess(answers)
    after = assess({**answers, name: worse})
    assert_not_less_urgent(after, before)


@PROPERTY
@given(ANSWERS, st.text(max_size=2000))
def test_free_text_never_changes_the_result(answers: dict, text: str) -> None:
    before = assess({k: v for k, v in answers.items() if k != "free_text"})
    after = assess({**answers, "free_text": text})
    assert (after.level, after.disposition, after.department) == (before.level, before.disposition, before.department)


@PROPERTY
@given(ANSWERS)
def test_missing_answers_are_never_less_urgent_than_normal_ones(answers: dict) -> None:
    normal = {**triage.normal_vitals(answers["age_years"]), "duration_days": 1, "pregnant": False, "chronic": [],
              "epi": {"close_contact": False, "travel_risk_area": False, "cluster": False}}
    missing = assess(answers)
    filled = assess({**normal, **answers})
    assert_not_less_urgent(missing, filled)
    for name, value in normal.items():  # one at a time, too
        if name not in answers:
            assert_not_less_urgent(missing, assess({**answers, name: value}))


@PROPERTY
@given(ANSWERS, st.sampled_from(triage.CHRONIC_CODES),
       st.sampled_from(["close_contact", "travel_risk_area", "cluster"]))
def test_adding_a_risk_factor_or_exposure_never_lowers_urgency(answers: dict, condition: str, flag: str) -> None:
    before = assess(answers)
    chronic = list(dict.fromkeys([*answers.get("chronic", []), condition]))
    assert_not_less_urgent(assess({**answers, "chronic": chronic}), before)
    assert_not_less_urgent(assess({**answers, "epi": {**answers.get("epi", {}), flag: True}}), before)


@PROPERTY
@given(ANSWERS)
def test_result_invariants(answers: dict) -> None:
    inp = triage.parse_input(answers)
    result = triage.assess(inp)
    assert 1 <= result.level <= 5
    assert result.disposition in triage.DISPOSITIONS
    assert result.department in triage.DEPARTMENTS
    assert result.reasons, "every result says why"
    assert (result.disposition == "emergency") == bool(result.red_flags)
    assert {f.code for f in result.red_flags} <= {f.code for f in result.reasons}
    if result.disposition == "emergency":
        assert result.level <= 2
    if result.disposition == "self_care":
        assert result.level == 5 and 16 <= inp.age_years < 65 and not inp.chronic and not inp.pregnant
    assert result.target_wait_minutes == triage.TARGET_WAIT_MINUTES[result.level]
    assert result.questionnaire_version == triage.QUESTIONNAIRE_VERSION
    fever_or_respiratory = ("fever" in inp.symptoms or set(inp.symptoms) & triage.RESPIRATORY_SYMPTOMS
                            or (inp.temperature_c or 0) >= 37.3)
    if fever_or_respiratory and inp.epi and inp.epi.flags():
        assert result.department == "fever"
    for lang in ("zh", "en"):
        for audience in ("patient", "clinical"):
            rendered = triage.render(result, lang, audience)
            json.dumps(rendered, ensure_ascii=False)
            assert rendered["instruction"]
            for item in rendered["reasons"] + rendered["red_flags"]:
                assert item["text"] and not re.search(r"\{\w+\}", item["text"]), item
    assert triage.parse_input(inp.to_dict()) == inp


@PROPERTY
@given(ANSWERS)
def test_emergency_instruction_always_says_call_120(answers: dict) -> None:
    result = assess(answers)
    if result.disposition == "emergency":
        assert "120" in triage.render(result, "en")["instruction"]
        assert "120" in triage.render(result, "zh")["instruction"]


def test_dataclasses_are_frozen() -> None:
    inp = triage.parse_input({"age_years": 30, "symptoms": ["cough"]})
    with pytest.raises(Exception):
        inp.age_years = 3  # type: ignore[misc]
    assert replace(inp, age_years=3).age_years == 3
    with pytest.raises(Exception):
        triage.assess(inp).level = 1  # type: ignore[misc]
