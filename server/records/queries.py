"""SQL for the consultation record: drafts, the record as ended, amendments, attachments, history, the FHIR export."""

RECORD_COLUMNS = """consultation_id, soap, diagnoses, medications, notes, diagnosis, disposition, advice, revision,
    updated_by, updated_at, finalised_at"""

RECORD = f"SELECT {RECORD_COLUMNS} FROM consultation_records WHERE consultation_id = $1"
LOCK_CONSULTATION = "SELECT id FROM consultations WHERE id = $1 FOR UPDATE"
RECORD_FOR_UPDATE = f"SELECT {RECORD_COLUMNS} FROM consultation_records WHERE consultation_id = $1 FOR UPDATE"

# The draft is replaced whole on every save; a finalised row is never touched (the trigger agrees).
SAVE_DRAFT = f"""
INSERT INTO consultation_records AS r (consultation_id, soap, diagnoses, medications, notes, diagnosis,
                                       disposition, advice, updated_by)
SELECT $1::bigint, $2::jsonb, $3::jsonb, $4::jsonb, $5::text, $6::text, $7::text, $8::text, $9::bigint
FROM consultations WHERE id = $1 AND status <> 'ended'
ON CONFLICT (consultation_id) DO UPDATE SET soap = EXCLUDED.soap, diagnoses = EXCLUDED.diagnoses,
    medications = EXCLUDED.medications, notes = EXCLUDED.notes, diagnosis = EXCLUDED.diagnosis,
    disposition = EXCLUDED.disposition, advice = EXCLUDED.advice, updated_by = EXCLUDED.updated_by,
    revision = r.revision + 1, updated_at = now()
WHERE r.finalised_at IS NULL
RETURNING {RECORD_COLUMNS}"""

FINALISE = f"""
INSERT INTO consultation_records AS r (consultation_id, soap, diagnoses, medications, notes, diagnosis,
                                       disposition, advice, updated_by, finalised_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
ON CONFLICT (consultation_id) DO UPDATE SET soap = EXCLUDED.soap, diagnoses = EXCLUDED.diagnoses,
    medications = EXCLUDED.medications, notes = EXCLUDED.notes, diagnosis = EXCLUDED.diagnosis,
    disposition = EXCLUDED.disposition, advice = EXCLUDED.advice, updated_by = EXCLUDED.updated_by,
    revision = r.revision + 1, updated_at = now(), finalised_at = now()
WHERE r.finalised_at IS NULL
RETURNING {RECORD_COLUMNS}"""

AMENDMENT_COLUMNS = """a.id, a.consultation_id, a.field, a.old_value, a.new_value, a.reason, a.author_id,
    u.name AS author_name, a.at"""
AMENDMENTS = f"""
SELECT {AMENDMENT_COLUMNS} FROM record_amendments a JOIN users u ON u.id = a.author_id
WHERE a.consultation_id = $1 ORDER BY a.id"""
INSERT_AMENDMENT = """
INSERT INTO record_amendments (consultation_id, field, old_value, new_value, reason, author_id)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"""
AMENDMENT = f"SELECT {AMENDMENT_COLUMNS} FROM record_amendments a JOIN users u ON u.id = a.author_id WHERE a.id = $1"

# The patient's consultations that started before `before`, newest first, with their record.
PATIENT_CONSULTATIONS = """
SELECT c.id, c.status, c.department, c.started_at, c.ended_at, c.notes AS c_notes, c.diagnosis AS c_diagnosis,
       c.disposition AS c_disposition, c.advice AS c_advice, d.name AS doctor_name,
       r.soap, r.diagnoses, r.medications, r.notes, r.diagnosis, r.disposition, r.advice, r.finalised_at
FROM consultations c
JOIN users d ON d.id = c.doctor_id
LEFT JOIN consultation_records r ON r.consultation_id = c.id AND r.finalised_at IS NOT NULL
WHERE c.patient_id = $1 AND c.started_at < $2 AND c.status = 'ended'
  AND (r.finalised_at IS NOT NULL OR c.diagnosis IS NOT NULL)  -- not the ones ended without a record
ORDER BY c.started_at DESC LIMIT $3"""
AMENDMENTS_OF_MANY = f"""
SELECT {AMENDMENT_COLUMNS} FROM record_amendments a JOIN users u ON u.id = a.author_id
WHERE a.consultation_id = ANY($1::bigint[]) ORDER BY a.id"""
OPEN_CONSULT_OF_DOCTOR_WITH = """
SELECT id, started_at FROM consultations
WHERE doctor_id = $1 AND patient_id = $2 AND status <> 'ended' ORDER BY started_at DESC LIMIT 1"""

PATIENT = "SELECT id, name, birth_date, sex, phone, email FROM users WHERE id = $1"
DOCTOR = "SELECT id, name, department, email FROM users WHERE id = $1"
ASSESSMENT_OF_CONSULTATION = """
SELECT a.id, a.questionnaire_version, a.answers, a.level, a.disposition, a.department, a.created_at,
       e.enqueued_at
FROM consultations c JOIN queue_entries e ON e.id = c.entry_id JOIN assessments a ON a.id = e.assessment_id
WHERE c.id = $1"""
DEPARTMENT = "SELECT code, name_zh, name_en FROM departments WHERE code = $1"

ATTACHMENT_COLUMNS = "id, consultation_id, uploader_id, uploader_role, filename, content_type, size_bytes, sha256, created_at"
INSERT_ATTACHMENT = f"""
INSERT INTO attachments (consultation_id, uploader_id, uploader_role, filename, content_type, size_bytes, sha256,
                         content)
SELECT $1::bigint, $2::bigint, $3::text, $4::text, $5::text, $6::int, $7::text, $8::bytea
FROM consultations WHERE id = $1 AND status <> 'ended'
RETURNING {ATTACHMENT_COLUMNS}"""
ATTACHMENTS = f"SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE consultation_id = $1 ORDER BY id"
ATTACHMENTS_WITH_CONTENT = f"SELECT {ATTACHMENT_COLUMNS}, content FROM attachments WHERE consultation_id = $1 ORDER BY id"
ATTACHMENT = f"SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE id = $1"
ATTACHMENT_CONTENT = "SELECT content FROM attachments WHERE id = $1"
