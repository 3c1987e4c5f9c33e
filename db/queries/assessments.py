"""SQL for triage assessments."""

INSERT_ASSESSMENT = """
INSERT INTO assessments (patient_id, questionnaire_version, answers, level, disposition, department, result,
                         dependant_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING id, patient_id, questionnaire_version, answers, level, disposition, department, result, created_at,
          dependant_id"""

ASSESSMENT = """
SELECT id, patient_id, questionnaire_version, answers, level, disposition, department, result, created_at,
       dependant_id
FROM assessments WHERE id = $1"""

ASSESSMENT_DEPENDANT = """SELECT dependant_id FROM assessments WHERE id = $1"""
