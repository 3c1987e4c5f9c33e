"""SQL for prescriptions and the pharmacy's review queue."""

COLUMNS = """p.id, p.consultation_id, p.doctor_id, p.status, p.items, p.warnings, p.created_at, p.reviewed_by,
    p.reviewed_at, p.reason, d.name AS doctor_name, d.licence_number AS doctor_licence, d.title AS doctor_title,
    r.name AS reviewer_name, r.licence_number AS reviewer_licence"""
FROM = """FROM prescriptions p JOIN users d ON d.id = p.doctor_id LEFT JOIN users r ON r.id = p.reviewed_by"""

INSERT_PRESCRIPTION = """
INSERT INTO prescriptions (consultation_id, doctor_id, items, warnings) VALUES ($1, $2, $3, $4) RETURNING id"""

PRESCRIPTION = f"SELECT {COLUMNS} {FROM} WHERE p.id = $1"
PRESCRIPTION_FOR_UPDATE = "SELECT id, consultation_id, doctor_id, status FROM prescriptions WHERE id = $1 FOR UPDATE"
OF_CONSULTATION = f"SELECT {COLUMNS} {FROM} WHERE p.consultation_id = $1 ORDER BY p.id"
APPROVED_OF_CONSULTATION = f"SELECT {COLUMNS} {FROM} WHERE p.consultation_id = $1 AND p.status = 'approved' ORDER BY p.id"

REVIEW = """
UPDATE prescriptions SET status = $2, reason = $3, reviewed_by = $4, reviewed_at = now()
WHERE id = $1 AND status = 'pending_review' RETURNING id"""

# The review queue: oldest first, with who is treated, the diagnosis followed up and what they take.
PENDING = f"""
SELECT {COLUMNS}, c.patient_id, a.dependant_id AS for_dependant_id, u.name AS holder_name, dep.name AS dependant_name,
       coalesce(dep.birth_date, u.birth_date) AS birth_date, coalesce(dep.sex, u.sex) AS sex,
       cc.prior_diagnosis, cc.current_medicines, cc.allergies
{FROM}
JOIN consultations c ON c.id = p.consultation_id
JOIN queue_entries e ON e.id = c.entry_id
JOIN assessments a ON a.id = e.assessment_id
JOIN users u ON u.id = c.patient_id
LEFT JOIN triage_dependants dep ON dep.id = a.dependant_id
LEFT JOIN consultation_care cc ON cc.consultation_id = c.id
WHERE p.status = 'pending_review'
ORDER BY p.created_at, p.id
LIMIT $1"""

# Approved prescriptions of every consultation of one account (the holder's and their dependants'), for the export.
APPROVED_OF_PATIENT = f"""
SELECT {COLUMNS} {FROM} JOIN consultations c ON c.id = p.consultation_id
WHERE c.patient_id = $1 AND p.status = 'approved' ORDER BY p.id"""
