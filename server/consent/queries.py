"""SQL for consents: an append-only log, the latest row per purpose is in force."""

INSERT_CONSENT = """
INSERT INTO consents (user_id, purpose, version, granted, ip) VALUES ($1, $2, $3, $4, $5)
RETURNING purpose, version, granted, at"""

CURRENT_CONSENTS = """
SELECT DISTINCT ON (purpose) purpose, version, granted, at FROM consents
WHERE user_id = $1 ORDER BY purpose, id DESC"""

GRANTED = "SELECT consent_granted_since($1, $2) IS NOT NULL"

HISTORY = "SELECT purpose, version, granted, at FROM consents WHERE user_id = $1 ORDER BY id"

# ---- the person's export: every query keyed by the caller's own id ----------------------------
EXPORT_ACCOUNT = "SELECT id, role, name, phone, email, birth_date, sex, created_at FROM users WHERE id = $1"
EXPORT_ASSESSMENTS = """
SELECT id, dependant_id AS for_dependant_id, questionnaire_version, answers, level, disposition, department, created_at
FROM assessments WHERE patient_id = $1 ORDER BY id"""
EXPORT_QUEUE_ENTRIES = """
SELECT id, assessment_id, department, level, status, enqueued_at, consultation_id
FROM queue_entries WHERE patient_id = $1 ORDER BY id"""
EXPORT_CONSULTATIONS = """
SELECT c.id, a.dependant_id AS for_dependant_id, c.status, c.department, c.started_at, c.ended_at, c.notes, c.diagnosis,
       c.disposition, c.advice, c.rating, c.rating_comment, c.end_reason, d.name AS doctor_name
FROM consultations c JOIN queue_entries e ON e.id = c.entry_id JOIN assessments a ON a.id = e.assessment_id
JOIN users d ON d.id = c.doctor_id
WHERE c.patient_id = $1 ORDER BY c.id"""
EXPORT_MESSAGES = "SELECT id, from_role, text, sent_at FROM messages WHERE consultation_id = $1 ORDER BY id"
EXPORT_ATTACHMENTS = """
SELECT id, uploader_role, filename, content_type, size_bytes, sha256, created_at
FROM attachments WHERE consultation_id = $1 ORDER BY id"""
EXPORT_SCREENINGS = "SELECT id, assessment_id, result, screened_at, valid_until FROM screenings WHERE patient_id = $1 ORDER BY id"
EXPORT_ENROLLMENTS = """
SELECT e.id, o.name AS organisation, e.employee_ref, e.bound_at
FROM enrollments e JOIN organisations o ON o.id = e.organisation_id WHERE e.patient_id = $1 ORDER BY e.id"""
