"""SQL for a consultation's visit type, guardian and the person being seen."""

# Who is seen in a consultation: the account holder or one of their dependants, their ages as known,
# and what the doctor has recorded so far.
SUBJECT = """
SELECT c.id, c.patient_id, c.doctor_id, c.status, a.dependant_id AS for_dependant_id,
       (a.answers->>'age_years')::numeric AS answered_age,
       u.birth_date AS holder_birth_date, u.name AS holder_name,
       dep.birth_date AS dependant_birth_date, dep.name AS dependant_name, dep.relation AS dependant_relation,
       doc.licence_number AS doctor_licence,
       cc.visit, cc.prior_diagnosis, cc.visit_confirmed_by, cc.visit_confirmed_at, cc.current_medicines,
       cc.allergies, cc.guardian_present, cc.guardian_name, cc.guardian_relation, cc.guardian_recorded_at
FROM consultations c
JOIN queue_entries e ON e.id = c.entry_id
JOIN assessments a ON a.id = e.assessment_id
JOIN users u ON u.id = c.patient_id
JOIN users doc ON doc.id = c.doctor_id
LEFT JOIN triage_dependants dep ON dep.id = a.dependant_id
LEFT JOIN consultation_care cc ON cc.consultation_id = c.id
WHERE c.id = $1"""

SET_VISIT = """
INSERT INTO consultation_care (consultation_id, visit, prior_diagnosis, visit_confirmed_by, visit_confirmed_at,
                               current_medicines, allergies)
VALUES ($1, $2, $3, $4, now(), $5, $6)
ON CONFLICT (consultation_id) DO UPDATE
    SET visit = EXCLUDED.visit, prior_diagnosis = EXCLUDED.prior_diagnosis,
        visit_confirmed_by = EXCLUDED.visit_confirmed_by, visit_confirmed_at = EXCLUDED.visit_confirmed_at,
        current_medicines = EXCLUDED.current_medicines, allergies = EXCLUDED.allergies"""

SET_GUARDIAN = """
INSERT INTO consultation_care (consultation_id, guardian_present, guardian_name, guardian_relation,
                               guardian_recorded_by, guardian_recorded_at)
VALUES ($1, $2, $3, $4, $5, now())
ON CONFLICT (consultation_id) DO UPDATE
    SET guardian_present = EXCLUDED.guardian_present, guardian_name = EXCLUDED.guardian_name,
        guardian_relation = EXCLUDED.guardian_relation, guardian_recorded_by = EXCLUDED.guardian_recorded_by,
        guardian_recorded_at = EXCLUDED.guardian_recorded_at"""

# Medicines a pharmacist approved for the same person that are still being taken.
RUNNING_PRESCRIPTIONS = """
SELECT p.items FROM prescriptions p
JOIN consultations c ON c.id = p.consultation_id JOIN queue_entries e ON e.id = c.entry_id
JOIN assessments a ON a.id = e.assessment_id
WHERE c.patient_id = $1 AND a.dependant_id IS NOT DISTINCT FROM $2 AND p.status = 'approved'
  AND p.reviewed_at > now() - interval '90 days'"""
