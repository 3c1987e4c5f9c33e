"""Triage: presentations and discriminators as data, the pure engine, NEWS2 and questionnaire versions.

Other packages import what they need from here (`from server import triage`); the pure modules
(engine and its parts constants, answers, findings, red_flags, vitals, decision, explain; charts, flow,
news2, texts, versions) hold no I/O. `service` stores assessments and
sign-offs, `views` serves the routes, `queries` holds the SQL.
"""
from server.triage.engine import (  # noqa: F401
                                  CHRONIC_CODES,
                                  DEPARTMENTS,
                                  DISPOSITIONS,
                                  FEVER_THRESHOLD_C,
                                  GUARDIAN_AGE,
                                  LEGACY_VERSION,
                                  QUESTIONNAIRE_VERSION,
                                  RESPIRATORY_SYMPTOMS,
                                  RISK_FACTOR_SYMPTOMS,
                                  SELF_CARE_COMPLAINTS,
                                  SYMPTOM_CODES,
                                  SYMPTOM_RULES,
                                  TARGET_WAIT_MINUTES,
                                  Assessment,
                                  Epi,
                                  Finding,
                                  TriageInput,
                                  TriageInputError,
                                  assess,
                                  assess_dict,
                                  normal_vitals,
                                  parse_input,
                                  render,
)
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
from server.triage.versions import PUBLISHED, QUESTIONNAIRES, content_hash, questionnaire  # noqa: F401
