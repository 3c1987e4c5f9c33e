"""FHIR R4 export of a consultation: a transaction Bundle a hospital's FHIR server loads as records.

`bundle.bundle` builds it from plain rows (no I/O); `questionnaire.resource` is the triage
Questionnaire the QuestionnaireResponse answers, served at GET /api/fhir/Questionnaire/{id};
`medication` reads the doctor's dose and frequency into a structured Dosage. Identifiers come from
the public base URL (setting PUBLIC_BASE_URL). docs/FHIR.md describes the mapping.
"""
