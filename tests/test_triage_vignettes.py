"""Clinical vignettes for the triage engine: expected disposition, level range and department.

Each row is one short case with a one-line rationale. Levels are 1 (immediate) to 5 (non-urgent);
the range is inclusive. `must_include` lists reason codes the result has to show.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from server import triage


@dataclass(frozen=True)
class Vignette:
    id: str
    answers: dict
    disposition: str
    levels: tuple[int, int]
    department: str
    rationale: str
    must_include: tuple[str, ...] = field(default=())


def v(id: str, answers: dict, disposition: str, levels: tuple[int, int], department: str, rationale: str,
      must_include: tuple[str, ...] = ()) -> Vignette:
    return Vignette(id, answers, disposition, levels, department, rationale, must_include)


E, O, S = "emergency", "online_consult", "self_care"

VIGNETTES = [
    # --- chest pain -----------------------------------------------------------------------------
    v("chest_pain_age_50", {"age_years": 50, "sex": "male", "symptoms": ["chest_pain"]}, E, (1, 2), "internal",
      "Chest pain at 35+ is possible ACS: call 120.", ("chest_pain_risk",)),
    v("chest_pain_young_no_risk", {"age_years": 24, "sex": "female", "symptoms": ["chest_pain"]}, O, (2, 3),
      "internal", "Young, no risk feature, normal answers: urgent online review, not emergency."),
    v("chest_pain_young_breathless", {"age_years": 24, "symptoms": ["chest_pain", "shortness_of_breath"]}, E, (1, 2),
      "internal", "Chest pain with breathlessness at any age: PE/pneumothorax/ACS."),
    v("chest_pain_young_diabetes", {"age_years": 29, "symptoms": ["chest_pain"], "chronic": ["diabetes"]}, E, (1, 2),
      "internal", "Diabetes is a cardiovascular risk factor; ACS may be atypical."),
    v("chest_pain_young_sweating", {"age_years": 30, "symptoms": ["chest_pain", "sweating"]}, E, (1, 2), "internal",
      "Chest pain with cold sweat suggests ACS."),
    v("chest_pain_young_tachycardia", {"age_years": 25, "symptoms": ["chest_pain"], "heart_rate": 118}, E, (1, 2),
      "internal", "Chest pain with tachycardia (ESI danger zone)."),
    # --- stroke ---------------------------------------------------------------------------------
    v("stroke_face_droop", {"age_years": 68, "symptoms": ["face_droop"]}, E, (1, 2), "internal",
      "FAST: face droop alone is enough.", ("stroke_signs",)),
    v("stroke_arm_weakness", {"age_years": 55, "symptoms": ["arm_weakness", "headache"]}, E, (1, 2), "internal",
      "FAST: arm weakness."),
    v("stroke_speech", {"age_years": 45, "symptoms": ["speech_difficulty"]}, E, (1, 2), "internal",
      "FAST: speech difficulty."),
    v("stroke_numbness", {"age_years": 61, "symptoms": ["one_sided_numbness"]}, E, (1, 2), "internal",
      "Sudden one-sided numbness (BE-FAST)."),
    # --- breathing and oxygen -----------------------------------------------------------------------
    v("severe_breathing_difficulty", {"age_years": 40, "symptoms": ["severe_breathing_difficulty"]}, E, (1, 1),
      "internal", "Severe respiratory distress: ESI 1."),
    v("spo2_93_cough", {"age_years": 45, "symptoms": ["cough"], "spo2": 93}, E, (1, 2), "internal",
      "SpO2 <= 93 % is China's severe-pneumonia criterion.", ("low_oxygen",)),
    v("spo2_88", {"age_years": 60, "symptoms": ["cough", "fever"], "spo2": 88}, E, (1, 1), "internal",
      "SpO2 < 90 %: ESI 1."),
    v("resp_rate_30", {"age_years": 40, "symptoms": ["cough"], "resp_rate": 30}, E, (1, 2), "internal",
      "RR >= 30 is China's severe-pneumonia criterion."),
    v("resp_rate_7", {"age_years": 35, "symptoms": ["dizziness"], "resp_rate": 7}, E, (1, 2), "internal",
      "RR <= 8: hypoventilation."),
    v("copd_breathless", {"age_years": 66, "symptoms": ["shortness_of_breath"], "chronic": ["copd"]}, O, (2, 2),
      "internal", "Breathlessness raised one level by COPD (and age).", ("risk_copd",)),
    v("asthma_wheeze", {"age_years": 22, "symptoms": ["wheezing"], "chronic": ["asthma"]}, O, (2, 2), "internal",
      "Wheeze in a known asthmatic: urgent review."),
    # --- NEWS2 bands ------------------------------------------------------------------------------------
    v("news2_high_7", {"age_years": 50, "symptoms": ["fever"], "resp_rate": 22, "heart_rate": 115,
                        "temperature_c": 39.2, "spo2": 95}, E, (1, 2), "internal",
      "NEWS2 2+2+2+1 = 7: high risk, emergency response.", ("news2_high",)),
    v("news2_medium_5", {"age_years": 40, "symptoms": ["fever"], "temperature_c": 38.6, "heart_rate": 105,
                          "resp_rate": 22, "spo2": 95}, O, (2, 2), "internal",
      "NEWS2 1+1+2+1 = 5: urgent response.", ("news2_medium",)),
    v("news2_medium_6", {"age_years": 52, "symptoms": ["cough"], "temperature_c": 38.4, "heart_rate": 112,
                          "resp_rate": 22, "spo2": 95}, O, (2, 2), "internal",
      "NEWS2 1+2+2+1 = 6: still medium, urgent response.", ("news2_medium",)),
    v("news2_single_parameter_3", {"age_years": 48, "symptoms": ["fatigue"], "systolic_bp": 225}, O, (2, 2),
      "internal", "One NEWS2 parameter scoring 3 (SBP >= 220): urgent review.", ("news2_single_parameter",)),
    v("news2_low_1", {"age_years": 30, "symptoms": ["cough"], "heart_rate": 95, "temperature_c": 37.0}, O, (4, 4),
      "internal", "NEWS2 1: low; abnormal pulse rules out self-care.", ("news2_low",)),
    v("news2_low_3", {"age_years": 33, "symptoms": ["cough"], "resp_rate": 21, "heart_rate": 95}, O, (3, 3),
      "internal", "NEWS2 3: low band but worth a prompt look."),
    v("news2_zero_all_normal", {"age_years": 35, "symptoms": ["runny_nose"], "temperature_c": 36.7, "spo2": 98,
                                 "resp_rate": 14, "heart_rate": 70, "systolic_bp": 122, "consciousness": "alert"},
      S, (5, 5), "ent", "All vitals normal, minor cold symptom: self-care."),
    # --- danger vital signs -----------------------------------------------------------------------------
    v("heart_rate_135", {"age_years": 38, "symptoms": ["palpitations"], "heart_rate": 135}, E, (1, 2), "internal",
      "HR > 130 in an adult."),
    v("heart_rate_38", {"age_years": 72, "symptoms": ["dizziness"], "heart_rate": 38}, E, (1, 2), "internal",
      "HR < 40: symptomatic bradycardia."),
    v("systolic_85", {"age_years": 50, "symptoms": ["dizziness"], "systolic_bp": 85}, E, (1, 2), "internal",
      "SBP <= 90: shock range."),
    v("hypertensive_emergency", {"age_years": 58, "symptoms": ["shortness_of_breath"], "systolic_bp": 200}, E, (1, 2),
      "internal", "SBP >= 180 with breathlessness: possible end-organ damage."),
    v("very_high_bp_headache", {"age_years": 58, "symptoms": ["headache"], "systolic_bp": 185,
                                 "chronic": ["hypertension"]}, O, (2, 2), "internal",
      "SBP >= 180 with headache but no end-organ sign: urgent online review."),
    v("hypothermia_elderly", {"age_years": 82, "symptoms": ["fatigue"], "temperature_c": 34.6}, O, (2, 2), "internal",
      "Temperature <= 35 C: NEWS2 3, urgent."),
    # --- consciousness, neuro ---------------------------------------------------------------------------
    v("responds_to_voice", {"age_years": 79, "symptoms": ["fever"], "consciousness": "voice"}, E, (1, 2), "internal",
      "Not alert (AVPU V)."),
    v("unresponsive", {"age_years": 30, "symptoms": [], "consciousness": "unresponsive"}, E, (1, 1), "internal",
      "Unresponsive: immediate."),
    v("new_confusion_elderly", {"age_years": 84, "symptoms": ["confusion", "fever"]}, E, (1, 2), "internal",
      "New confusion (NEWS2 C = 3), possible sepsis."),
    v("seizure", {"age_years": 27, "symptoms": ["seizure"]}, E, (1, 2), "internal", "Seizure: emergency."),
    v("thunderclap_headache", {"age_years": 42, "symptoms": ["worst_headache"]}, E, (1, 2), "internal",
      "Worst headache of life: SAH until proven otherwise."),
    v("meningitis_signs", {"age_years": 19, "symptoms": ["fever", "stiff_neck", "headache"]}, E, (1, 2), "internal",
      "Fever with neck stiffness."),
    v("head_injury_vomiting", {"age_years": 33, "symptoms": ["head_injury", "vomiting"]}, E, (1, 2), "surgery",
      "Vomiting after head injury: CT indication."),
    v("sudden_vision_loss", {"age_years": 66, "symptoms": ["vision_loss"]}, E, (1, 2), "ophthalmology",
      "Sudden visual loss: retinal artery occlusion is a stroke."),
    # --- bleeding, allergy ----------------------------------------------------------------------------------
    v("severe_bleeding", {"age_years": 35, "symptoms": ["severe_bleeding"]}, E, (1, 1), "surgery",
      "Uncontrolled bleeding: immediate."),
    v("vomiting_blood", {"age_years": 57, "symptoms": ["vomiting_blood"]}, E, (1, 2), "internal",
      "Haematemesis: upper GI bleed."),
    v("black_stool_dizzy", {"age_years": 64, "symptoms": ["black_stool", "dizziness"]}, E, (1, 2), "internal",
      "Melaena with presyncope: significant bleed."),
    v("black_stool_alone", {"age_years": 44, "symptoms": ["black_stool"]}, O, (2, 2), "internal",
      "Melaena without instability: urgent online review."),
    v("anaphylaxis", {"age_years": 26, "symptoms": ["lip_tongue_swelling", "shortness_of_breath"]}, E, (1, 1),
      "internal", "Angio-oedema with breathing difficulty: anaphylaxis.", ("anaphylaxis",)),
    v("anaphylaxis_hypotension", {"age_years": 31, "symptoms": ["lip_tongue_swelling", "rash"], "systolic_bp": 84},
      E, (1, 1), "internal", "Angio-oedema with hypotension."),
    v("lip_swelling_alone", {"age_years": 26, "symptoms": ["lip_tongue_swelling"]}, O, (2, 2), "internal",
      "Angio-oedema alone: urgent but online."),
    v("lip_swelling_with_rash", {"age_years": 26, "symptoms": ["lip_tongue_swelling", "rash", "itching"]}, O, (2, 2),
      "internal", "Urticaria with lip swelling, no airway sign: urgent online."),
    # --- mental health -----------------------------------------------------------------------------------
    v("suicidal_thoughts", {"age_years": 34, "symptoms": ["suicidal_thoughts", "low_mood"]}, E, (1, 2), "psychology",
      "Suicidal ideation: emergency plus crisis line 12356.", ("suicide_risk",)),
    v("self_harm_teen", {"age_years": 15, "symptoms": ["self_harm"]}, E, (1, 2), "psychology",
      "Self-harm: emergency, crisis line."),
    v("anxiety", {"age_years": 29, "symptoms": ["anxiety"]}, O, (4, 4), "psychology", "Anxiety: less urgent online."),
    v("low_mood_insomnia", {"age_years": 41, "symptoms": ["low_mood", "insomnia"]}, O, (4, 4), "psychology",
      "Low mood with poor sleep: psychology."),
    v("insomnia_alone", {"age_years": 50, "symptoms": ["insomnia"], "duration_days": 30}, O, (5, 5), "psychology",
      "Chronic insomnia: non-urgent online."),
    v("anxiety_with_palpitations", {"age_years": 27, "symptoms": ["anxiety", "palpitations"]}, O, (3, 3), "internal",
      "Palpitations need a cardiac look first."),
    # --- children ------------------------------------------------------------------------------------------
    v("febrile_infant_reported", {"age_years": 0.1, "symptoms": ["fever"]}, E, (1, 2), "pediatrics",
      "Fever under 3 months (parent's report counts).", ("febrile_infant", "guardian_required")),
    v("febrile_infant_measured", {"age_years": 0.15, "symptoms": ["poor_feeding"], "temperature_c": 38.1}, E, (1, 2),
      "pediatrics", "38.0 C or more under 3 months: NICE red."),
    v("young_infant_low_grade", {"age_years": 0.2, "symptoms": ["cough"], "temperature_c": 37.5}, O, (2, 3),
      "pediatrics", "37.5 C at 2 months: below the 38.0 line but raised by infancy."),
    v("infant_5_months_39", {"age_years": 0.4, "symptoms": ["fever"], "temperature_c": 39.2}, O, (2, 2), "pediatrics",
      "3-6 months with >= 39 C: NICE, urgent."),
    v("infant_diarrhoea_vomiting", {"age_years": 0.7, "symptoms": ["diarrhea", "vomiting"]}, O, (3, 3), "pediatrics",
      "Gastroenteritis in a baby: dehydration risk raises urgency."),
    v("infant_low_spo2_borderline", {"age_years": 0.5, "symptoms": ["cough"], "spo2": 95}, O, (3, 3), "pediatrics",
      "SpO2 <= 95 % in a child: NICE amber."),
    v("toddler_fever", {"age_years": 2, "symptoms": ["fever"], "temperature_c": 38.5}, O, (3, 4), "pediatrics",
      "Febrile toddler with no amber feature.", ("guardian_required",)),
    v("toddler_fever_tachycardia", {"age_years": 4, "symptoms": ["fever"], "temperature_c": 39.0,
                                     "heart_rate": 150}, O, (3, 3), "pediatrics", "HR above the 2-5 y range: amber."),
    v("toddler_rash_fever", {"age_years": 3, "symptoms": ["rash", "fever"]}, O, (3, 4), "pediatrics",
      "Fever with rash in a child: pediatrics."),
    v("child_fast_breathing_red", {"age_years": 7, "symptoms": ["fever", "cough"], "resp_rate": 45}, E, (1, 2),
      "pediatrics", "RR 45 at 7 years is above the danger line (40)."),
    v("child_hypotension", {"age_years": 6, "symptoms": ["vomiting"], "systolic_bp": 75}, E, (1, 2), "pediatrics",
      "SBP < 70 + 2 x age (82): PALS hypotension."),
    v("school_age_sore_throat", {"age_years": 8, "symptoms": ["sore_throat"]}, O, (4, 5), "pediatrics",
      "Children are not offered self-care by questionnaire."),
    v("school_age_ear_pain", {"age_years": 10, "symptoms": ["ear_pain"]}, O, (4, 4), "pediatrics",
      "Otitis in a child: pediatrics."),
    v("child_eye_pain", {"age_years": 9, "symptoms": ["eye_pain"]}, O, (3, 3), "ophthalmology",
      "Eye complaints go to ophthalmology at any age."),
    v("child_toothache", {"age_years": 12, "symptoms": ["toothache"]}, O, (4, 4), "stomatology",
      "Dental pain goes to the dental department at any age."),
    v("child_anxiety", {"age_years": 13, "symptoms": ["anxiety"]}, O, (4, 4), "psychology",
      "Mental health sees children too."),
    v("child_minor_injury", {"age_years": 4, "symptoms": ["minor_injury"]}, O, (5, 5), "surgery",
      "Minor injury in a child: surgery, online, guardian present.", ("guardian_required",)),
    v("teen_testicular_pain", {"age_years": 15, "sex": "male", "symptoms": ["testicular_pain"]}, E, (1, 2), "urology",
      "Sudden testicular pain: torsion until proven otherwise."),
    # --- pregnancy ---------------------------------------------------------------------------------------------
    v("pregnancy_bleeding", {"age_years": 28, "sex": "female", "pregnant": True, "symptoms": ["vaginal_bleeding"]},
      E, (1, 2), "obstetrics", "Bleeding in pregnancy.", ("pregnancy_bleeding",)),
    v("pregnancy_severe_abdominal_pain", {"age_years": 31, "sex": "female", "pregnant": True,
                                           "symptoms": ["abdominal_pain"], "pain_score": 8}, E, (1, 2), "obstetrics",
      "Severe abdominal pain in pregnancy: ectopic, abruption."),
    v("pregnancy_mild_abdominal_pain", {"age_years": 31, "sex": "female", "pregnant": True,
                                         "symptoms": ["abdominal_pain"], "pain_score": 3}, O, (2, 2), "obstetrics",
      "Any abdominal pain in pregnancy gets urgent review."),
    v("pregnancy_pre_eclampsia", {"age_years": 34, "sex": "female", "pregnant": True, "symptoms": ["headache"],
                                   "systolic_bp": 165}, E, (1, 2), "obstetrics",
      "SBP >= 160 with headache in pregnancy: severe pre-eclampsia."),
    v("pregnancy_sepsis_signs", {"age_years": 26, "sex": "female", "pregnant": True, "symptoms": ["fever"],
                                  "temperature_c": 38.3, "heart_rate": 124}, E, (1, 2), "obstetrics",
      "Two obstetric red triggers (fever, tachycardia): maternal sepsis."),
    v("pregnancy_cough", {"age_years": 30, "sex": "female", "pregnant": True, "symptoms": ["cough"]}, O, (4, 5),
      "obstetrics", "Pregnancy: no self-care pathway, obstetrics queue."),
    v("pregnancy_toothache", {"age_years": 30, "sex": "female", "pregnant": True, "symptoms": ["toothache"]},
      O, (3, 4), "stomatology", "Dental pain in pregnancy: dental department."),
    v("non_pregnant_vaginal_bleeding", {"age_years": 45, "sex": "female", "symptoms": ["vaginal_bleeding"]},
      O, (3, 3), "obstetrics", "Abnormal uterine bleeding: women's health, urgent."),
    # --- elderly ---------------------------------------------------------------------------------------------
    v("elderly_fever", {"age_years": 75, "symptoms": ["fever"]}, O, (3, 3), "internal",
      "Fever at 65+ is raised one level.", ("risk_older_age",)),
    v("elderly_dizziness", {"age_years": 80, "symptoms": ["dizziness"]}, O, (3, 3), "internal",
      "Dizziness at 65+ is raised one level."),
    v("elderly_runny_nose", {"age_years": 70, "symptoms": ["runny_nose"]}, O, (5, 5), "ent",
      "Minor complaint but 65+: no self-care.", ("older_age_review",)),
    v("elderly_sepsis_news2", {"age_years": 70, "symptoms": ["fever"], "temperature_c": 38.5, "heart_rate": 115,
                                "resp_rate": 23, "spo2": 95}, O, (2, 2), "internal", "NEWS2 6: urgent response."),
    # --- fever clinic ----------------------------------------------------------------------------------------
    v("fever_close_contact", {"age_years": 35, "symptoms": ["fever"], "epi": {"close_contact": True}}, O, (3, 3),
      "fever", "Fever + contact: fever clinic.", ("fever_clinic_screen",)),
    v("fever_travel_risk_area", {"age_years": 35, "symptoms": ["fever", "cough"],
                                  "epi": {"travel_risk_area": True}}, O, (3, 3), "fever",
      "Fever + travel: fever clinic."),
    v("cough_cluster", {"age_years": 22, "symptoms": ["cough"], "epi": {"cluster": True, "close_contact": False}},
      O, (3, 3), "fever", "Respiratory symptom + cluster: fever clinic."),
    v("measured_temp_contact", {"age_years": 40, "symptoms": ["headache"], "temperature_c": 37.5,
                                 "epi": {"close_contact": True}}, O, (3, 3), "fever",
      "37.3 C or more with exposure, even without a fever symptom ticked."),
    v("sore_throat_contact", {"age_years": 28, "symptoms": ["sore_throat"], "epi": {"close_contact": True}}, O, (3, 3),
      "fever", "Sore throat with exposure: fever clinic, never ENT."),
    v("child_fever_cluster", {"age_years": 6, "symptoms": ["fever"], "epi": {"cluster": True}}, O, (3, 3), "fever",
      "Children with exposure also go to the fever clinic."),
    v("fever_contact_emergency", {"age_years": 50, "symptoms": ["fever", "severe_breathing_difficulty"],
                                   "epi": {"close_contact": True}}, E, (1, 1), "fever",
      "Red flag wins the disposition; the fever clinic is still flagged for infection control."),
    v("fever_no_exposure", {"age_years": 35, "symptoms": ["fever"], "temperature_c": 38.2,
                             "epi": {"close_contact": False, "travel_risk_area": False, "cluster": False}}, O, (4, 4),
      "internal", "Fever without exposure: internal medicine."),
    v("fever_sore_throat_no_exposure", {"age_years": 24, "symptoms": ["fever", "sore_throat"]}, O, (4, 4), "internal",
      "Fever with sore throat, no exposure: internal."),
    v("itching_with_exposure", {"age_years": 30, "symptoms": ["itching"], "epi": {"close_contact": True}}, O, (5, 5),
      "dermatology", "Exposure without fever or respiratory symptoms: no fever clinic, but no self-care.",
      ("exposure_reported",)),
    # --- minor complaints ---------------------------------------------------------------------------------------
    v("runny_nose", {"age_years": 30, "symptoms": ["runny_nose"], "duration_days": 2}, S, (5, 5), "ent",
      "Common cold symptom alone, adult, short: self-care.", ("self_care_suitable",)),
    v("common_cold", {"age_years": 30, "symptoms": ["runny_nose", "sore_throat", "cough"], "duration_days": 3}, S,
      (5, 5), "internal", "Uncomplicated cold: self-care."),
    v("runny_nose_persisting", {"age_years": 30, "symptoms": ["runny_nose"], "duration_days": 12}, O, (5, 5), "ent",
      "More than 7 days: see a doctor.", ("symptoms_persisting",)),
    v("runny_nose_copd", {"age_years": 58, "symptoms": ["runny_nose"], "chronic": ["copd"]}, O, (5, 5), "ent",
      "Chronic lung disease: no self-care.", ("chronic_condition_review",)),
    v("acne", {"age_years": 19, "symptoms": ["acne"]}, S, (5, 5), "dermatology", "Acne: self-care advice."),
    v("minor_injury_adult", {"age_years": 36, "symptoms": ["minor_injury"], "pain_score": 2}, S, (5, 5), "surgery",
      "Small cut or bruise with mild pain: self-care."),
    v("sore_throat_moderate_pain", {"age_years": 25, "symptoms": ["sore_throat"], "pain_score": 5}, O, (3, 3), "ent",
      "Moderate pain (CTAS 4-6 = level 3)."),
    v("back_pain_severe", {"age_years": 40, "symptoms": ["back_pain"], "pain_score": 8}, O, (2, 2), "orthopedics",
      "Pain >= 7 is at least level 2 (China 2011)."),
    v("rash_itching", {"age_years": 33, "symptoms": ["rash", "itching"]}, O, (4, 4), "dermatology",
      "Rash: dermatology."),
    v("urinary_pain", {"age_years": 29, "sex": "female", "symptoms": ["urinary_pain"]}, O, (4, 4), "internal",
      "Simple cystitis: internal medicine."),
    v("blood_in_urine", {"age_years": 62, "sex": "male", "symptoms": ["blood_in_urine"]}, O, (4, 4), "urology",
      "Haematuria: urology."),
    v("joint_pain", {"age_years": 47, "symptoms": ["joint_pain"]}, O, (4, 4), "orthopedics",
      "Joint pain: orthopedics."),
    v("burn", {"age_years": 27, "symptoms": ["burn"]}, O, (4, 4), "surgery", "Minor burn: surgery online."),
    v("ear_pain_adult", {"age_years": 31, "symptoms": ["ear_pain"]}, O, (4, 4), "ent", "Earache: ENT."),
    v("eye_pain_adult", {"age_years": 56, "symptoms": ["eye_pain", "headache"]}, O, (3, 3), "ophthalmology",
      "Painful eye with headache: exclude acute glaucoma."),
    v("toothache_adult", {"age_years": 38, "symptoms": ["toothache"]}, O, (4, 4), "stomatology", "Toothache: dental."),
    v("vaginal_discharge", {"age_years": 27, "sex": "female", "symptoms": ["vaginal_discharge"]}, O, (4, 4),
      "obstetrics", "Women's health: obstetrics and gynecology."),
    v("fainting_alone_young", {"age_years": 22, "symptoms": ["fainting"]}, O, (3, 3), "internal",
      "Simple faint in a young adult: urgent, online."),
    v("fainting_with_palpitations", {"age_years": 20, "symptoms": ["fainting", "palpitations"]}, E, (1, 2), "internal",
      "Syncope with palpitations: arrhythmia."),
    v("fainting_heart_disease", {"age_years": 50, "symptoms": ["fainting"], "chronic": ["heart_disease"]}, E, (1, 2),
      "internal", "Syncope in known heart disease."),
    v("leg_swelling_breathless", {"age_years": 45, "symptoms": ["leg_swelling", "shortness_of_breath"]}, O, (2, 2),
      "internal", "Possible DVT/PE: urgent review."),
    # --- chronic care and prescriptions ---------------------------------------------------------------------
    v("chronic_followup_hypertension", {"age_years": 60, "symptoms": ["chronic_followup"],
                                         "chronic": ["hypertension"], "systolic_bp": 138}, O, (5, 5), "internal",
      "Stable follow-up: non-urgent online.", ("prescription_followup_only",)),
    v("repeat_prescription_diabetes", {"age_years": 55, "symptoms": ["repeat_prescription"],
                                        "chronic": ["diabetes"]}, O, (5, 5), "internal",
      "Repeat prescription (复诊) for a diagnosed chronic disease."),
    v("diabetes_vomiting", {"age_years": 44, "symptoms": ["vomiting"], "chronic": ["diabetes"]}, O, (3, 3), "internal",
      "Vomiting in diabetes: DKA risk raises urgency.", ("risk_diabetes",)),
    v("immunosuppressed_fever", {"age_years": 52, "symptoms": ["fever"], "chronic": ["immunosuppressed"]}, O, (2, 2),
      "internal", "Possible neutropenic sepsis.", ("fever_immunosuppressed",)),
    v("no_symptoms_no_risk", {"age_years": 40, "symptoms": []}, S, (5, 5), "internal",
      "Nothing reported: nothing to queue for."),
    v("no_symptoms_chronic", {"age_years": 40, "symptoms": [], "chronic": ["kidney_disease"]}, O, (5, 5), "internal",
      "A chronic condition alone: doctor review, not self-care."),
]


def test_enough_vignettes() -> None:
    assert len(VIGNETTES) >= 70
    assert len({vig.id for vig in VIGNETTES}) == len(VIGNETTES)


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[vig.id for vig in VIGNETTES])
def test_vignette(vignette: Vignette) -> None:
    result = triage.assess(triage.parse_input(vignette.answers))
    summary = (f"{vignette.id}: got {result.disposition} L{result.level} {result.department} "
               f"{[f.code for f in result.reasons]} -- expected because: {vignette.rationale}")
    assert result.disposition == vignette.disposition, summary
    low, high = vignette.levels
    assert low <= result.level <= high, summary
    assert result.department == vignette.department, summary
    codes = {f.code for f in result.reasons}
    for code in vignette.must_include:
        assert code in codes, summary
    assert result.department in triage.DEPARTMENTS
    assert (result.disposition == "emergency") == bool(result.red_flags), summary
