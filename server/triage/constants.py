"""The triage rules' numbers and tables: questionnaire versions, levels and their target waits,
departments, each symptom's level and red flag, the risk factors that raise a complaint, the
self-care limits, the age limits, and the children's age-band thresholds. Pure data, no I/O;
the reasoning behind each value is commented where it is set (docs/CLINICAL.md gives the sources)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.triage import texts as data
from server.triage.news2 import NEWS2_MIN_AGE

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
SYMPTOM_LABELS = {code: {"zh": zh, "en": en} for code, _, zh, en in data.SYMPTOMS}
CHRONIC_LABELS = {code: {"zh": zh, "en": en} for code, zh, en in data.CHRONIC_CONDITIONS}

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
PEDIATRIC_EXCEPTIONS = frozenset({"psychology", "ophthalmology", "stomatology", "surgery", "orthopedics"})
PREGNANCY_EXCEPTIONS = frozenset({"psychology", "ophthalmology", "stomatology", "ent"})
# Tie-break between equally urgent complaints: the more specific department first, but internal
# medicine ahead of ENT/dermatology so that e.g. cough + sore throat or fever + rash go to internal.
DEPARTMENT_ORDER = ("obstetrics", "psychology", "ophthalmology", "stomatology", "urology", "internal", "ent",
                     "dermatology", "orthopedics", "surgery", "pediatrics")

CONSCIOUSNESS_ORDER = ("alert", "voice", "pain", "unresponsive")


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


def child_band(age: float) -> _ChildBand:
    return next(band for band in _CHILD_BANDS if age < band.below_age)


def child_hypotension_limit(age: float) -> float:
    """Systolic below this is hypotension (PALS)."""
    if age < 1:
        return 70
    return 70 + 2 * min(age, 10)


def normal_vitals(age_years: float) -> dict[str, Any]:
    """Normal resting values for the age, inside every threshold the engine uses (for forms and tests)."""
    if age_years < NEWS2_MIN_AGE:
        band = child_band(age_years)
        rr, hr, sbp = band.normal_rr, band.normal_hr, band.normal_sbp
    else:
        rr, hr, sbp = 16, 75, 120
    return {"temperature_c": 36.8, "spo2": 98, "resp_rate": rr, "heart_rate": hr, "systolic_bp": sbp,
            "consciousness": "alert", "on_oxygen": False, "pain_score": 0}
