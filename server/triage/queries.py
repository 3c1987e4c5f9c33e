"""SQL for triage assessments."""

INSERT_ASSESSMENT = """
INSERT INTO assessments (patient_id, questionnaire_version, answers, level, disposition, department, result)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id, patient_id, questionnaire_version, answers, level, disposition, department, result, created_at"""

ASSESSMENT = """
SELECT id, patient_id, questionnaire_version, answers, level, disposition, department, result, created_at,
       dependant_id
FROM assessments WHERE id = $1"""

INSERT_ASSESSMENT_FOR = """
INSERT INTO assessments (patient_id, questionnaire_version, answers, level, disposition, department, result, dependant_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING id, patient_id, questionnaire_version, answers, level, disposition, department, result, created_at"""

SIGNOFFS = """
SELECT s.version, s.content_hash, s.signed_at, s.note, u.name AS signed_by_name, s.signed_by
FROM triage_signoffs s JOIN users u ON u.id = s.signed_by ORDER BY s.signed_at"""

INSERT_SIGNOFF = """
INSERT INTO triage_signoffs (version, content_hash, signed_by, note) VALUES ($1, $2, $3, $4)
ON CONFLICT (version, content_hash) DO NOTHING
RETURNING version, content_hash, signed_by, signed_at, note"""

# Patients told to go to emergency in the last hours, in one department, with the follow-up outcome.
RECENT_EMERGENCIES = """
SELECT a.id, a.created_at, a.level, a.result, a.answers, u.name, u.phone, d.name AS dependant_name,
       o.outcome, o.note AS outcome_note, o.recorded_at
FROM assessments a
JOIN users u ON u.id = a.patient_id
LEFT JOIN triage_dependants d ON d.id = a.dependant_id
LEFT JOIN triage_emergency_outcomes o ON o.assessment_id = a.id
WHERE a.disposition = 'emergency' AND a.department = $1 AND a.created_at > now() - make_interval(hours => $2)
ORDER BY a.created_at DESC
LIMIT 200"""

EMERGENCY_ASSESSMENT = """
SELECT id, department FROM assessments WHERE id = $1 AND disposition = 'emergency'"""

UPSERT_OUTCOME = """
INSERT INTO triage_emergency_outcomes (assessment_id, doctor_id, outcome, note) VALUES ($1, $2, $3, $4)
ON CONFLICT (assessment_id) DO UPDATE SET doctor_id = $2, outcome = $3, note = $4, recorded_at = now()
RETURNING assessment_id, outcome, note, recorded_at"""

CONSULTATION_ASSESSMENT = """
SELECT c.id, c.doctor_id, q.assessment_id FROM consultations c JOIN queue_entries q ON q.id = c.entry_id
WHERE c.id = $1"""

UPSERT_FEEDBACK = """
INSERT INTO triage_feedback (consultation_id, assessment_id, doctor_id, rating) VALUES ($1, $2, $3, $4)
ON CONFLICT (consultation_id) DO UPDATE SET rating = $4, created_at = now()
RETURNING consultation_id, rating"""

# Week by week, per presentation (the 2026-11.1 checkbox form counts as 'checkbox_form') and version.
FEEDBACK_REPORT = """
SELECT to_char(date_trunc('week', f.created_at), 'IYYY-"W"IW') AS week, a.questionnaire_version AS version,
       coalesce(p.code, 'checkbox_form') AS presentation,
       count(*) FILTER (WHERE f.rating = 'too_low') AS too_low,
       count(*) FILTER (WHERE f.rating = 'right') AS right,
       count(*) FILTER (WHERE f.rating = 'too_high') AS too_high
FROM triage_feedback f
JOIN assessments a ON a.id = f.assessment_id
LEFT JOIN LATERAL jsonb_array_elements_text(a.answers -> 'presentations') AS p(code) ON true
WHERE f.created_at > now() - make_interval(weeks => $1)
GROUP BY 1, 2, 3 ORDER BY 1 DESC, 2, 3"""

ASSESSMENT_DEPENDANT = """SELECT dependant_id FROM assessments WHERE id = $1"""

PROFILE = """SELECT birth_date, sex FROM users WHERE id = $1"""
