"""SQL for triage assessments."""

INSERT_ASSESSMENT = """
INSERT INTO assessments (patient_id, questionnaire_version, answers, level, disposition, department, result)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id, patient_id, questionnaire_version, answers, level, disposition, department, result, created_at"""

ASSESSMENT = """
SELECT id, patient_id, questionnaire_version, answers, level, disposition, department, result, created_at
FROM assessments WHERE id = $1"""
