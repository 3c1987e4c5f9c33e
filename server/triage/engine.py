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


The engine is split by concern; this module is its public face (`from server import triage` re-exports it):
`constants` (versions, levels, tables, thresholds), `answers` (TriageInput, parse_input), `findings`
(Finding, Hit, Assessment, Case), `red_flags` and `vitals` (the rules), `decision` (assess) and
`explain` (render, the questionnaire); NEWS2 is `news2`.
"""
from __future__ import annotations

# The public interface, as before the split (importers use `engine.X` and `triage.X`).
from server.triage.answers import MAX_FREE_TEXT, Epi, TriageInput, TriageInputError, parse_input  # noqa: F401
from server.triage.constants import (  # noqa: F401
    CHRONIC_CODES,
    DEPARTMENTS,
    DISPOSITIONS,
    FEBRILE_INFANT_AGE,
    FEVER_THRESHOLD_C,
    FOR_WHOM,
    GUARDIAN_AGE,
    LANGS,
    LEGACY_VERSION,
    OLDER_AGE,
    PEDIATRIC_AGE,
    QUESTIONNAIRE_VERSION,
    RESPIRATORY_SYMPTOMS,
    RISK_FACTOR_SYMPTOMS,
    SELF_CARE_AGES,
    SELF_CARE_COMPLAINTS,
    SELF_CARE_MAX_DAYS,
    SYMPTOM_CODES,
    SYMPTOM_RULES,
    TARGET_WAIT_MINUTES,
    normal_vitals,
)
from server.triage.decision import NO_SELF_CARE_FROM, NO_SELF_CARE_UNDER, assess  # noqa: F401
from server.triage.explain import assess_dict, build_questionnaire, render, timeframe  # noqa: F401
from server.triage.findings import Assessment, Finding  # noqa: F401
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
