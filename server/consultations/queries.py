"""SQL for consultations, chat messages, call quality and room presence."""

CONSULT_COLUMNS = """c.id, c.entry_id, c.patient_id, c.doctor_id, c.department, c.status, c.started_at, c.ended_at,
    c.notes, c.diagnosis, c.disposition, c.advice, c.rating, c.rating_comment"""

CONSULTATION = f"""
SELECT {CONSULT_COLUMNS}, p.name AS patient_name, d.name AS doctor_name,
       a.result AS triage, e.precheck, a.answers, p.birth_date AS patient_birth_date, p.sex AS patient_sex,
       d.title AS doctor_title, c.patient_notified_at,
       cc.allergies, cc.current_medicines, cc.visit, cc.guardian_present,
       (SELECT count(*) FROM consultations earlier WHERE earlier.patient_id = c.patient_id AND earlier.status = 'ended'
            AND earlier.started_at < c.started_at) AS earlier_visits
FROM consultations c
JOIN users p ON p.id = c.patient_id
JOIN users d ON d.id = c.doctor_id
JOIN queue_entries e ON e.id = c.entry_id
JOIN assessments a ON a.id = e.assessment_id
LEFT JOIN consultation_care cc ON cc.consultation_id = c.id  -- what the doctor recorded (server/visits)
WHERE c.id = $1"""

MEMBERSHIP = "SELECT patient_id, doctor_id, status FROM consultations WHERE id = $1"

OPEN_CONSULT_OF_USER = """
SELECT id, status FROM consultations WHERE (patient_id = $1 OR doctor_id = $1) AND status <> 'ended'
ORDER BY started_at DESC LIMIT 1"""

END_CONSULTATION = f"""
UPDATE consultations c SET status = 'ended', ended_at = now(), notes = $2, diagnosis = $3, disposition = $4,
    advice = $5
WHERE c.id = $1 AND c.status <> 'ended'
RETURNING {CONSULT_COLUMNS}"""

RATE = "UPDATE consultations SET rating = $2, rating_comment = $3 WHERE id = $1 AND status = 'ended' RETURNING id"

# Stored only while the consultation is open and the sender's session is live (a socket may outlive
# both by a moment); a resend with the same client id stores nothing new.
INSERT_MESSAGE = """
INSERT INTO messages (consultation_id, sender_id, from_role, text, client_id)
SELECT $1, $2, $3, $4, $6
WHERE EXISTS (SELECT 1 FROM consultations WHERE id = $1 AND status <> 'ended')
  AND ($5::bytea IS NULL OR EXISTS (SELECT 1 FROM sessions WHERE token_hash = $5 AND expires_at > now()))
ON CONFLICT (consultation_id, sender_id, client_id) WHERE client_id IS NOT NULL DO NOTHING
RETURNING id, consultation_id, from_role, text, sent_at, client_id"""
MESSAGE_BY_CLIENT_ID = """
SELECT id, consultation_id, from_role, text, sent_at, client_id FROM messages
WHERE consultation_id = $1 AND sender_id = $2 AND client_id = $3"""
SESSION_LIVE = "SELECT 1 FROM sessions WHERE token_hash = $1 AND expires_at > now()"
MESSAGES = "SELECT id, consultation_id, from_role, text, sent_at, client_id FROM messages WHERE consultation_id = $1 ORDER BY id"

INSERT_QUALITY = """
INSERT INTO call_quality (consultation_id, user_id, role, rtt_ms, packet_loss_pct, jitter_ms, bitrate_kbps,
                          frame_width, frames_decoded)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"""
LATEST_QUALITY = """
SELECT DISTINCT ON (role) role, reported_at, rtt_ms, packet_loss_pct, jitter_ms, bitrate_kbps, frame_width,
       frames_decoded
FROM call_quality WHERE consultation_id = $1 ORDER BY role, reported_at DESC"""

# One member's consultations, newest first, with the other member's name.
PATIENT_HISTORY = f"""
SELECT {CONSULT_COLUMNS}, c.end_reason, d.name AS other_name
FROM consultations c JOIN users d ON d.id = c.doctor_id
WHERE c.patient_id = $1 ORDER BY c.started_at DESC LIMIT $2"""
DOCTOR_HISTORY = f"""
SELECT {CONSULT_COLUMNS}, c.end_reason, p.name AS other_name
FROM consultations c JOIN users p ON p.id = c.patient_id
WHERE c.doctor_id = $1 ORDER BY c.started_at DESC LIMIT $2"""

# A member (re)joined: forget when they left, resume an interrupted call, mark the patient seen.
MEMBER_JOINED = """
UPDATE consultations SET member_left_at = member_left_at - $2::text,
    status = CASE WHEN status = 'interrupted' THEN 'active' ELSE status END
WHERE id = $1 AND status <> 'ended'"""
PATIENT_ARRIVED = "UPDATE queue_entries SET status = 'in_consult', updated_at = now() WHERE consultation_id = $1 AND status = 'called'"

END_WITHOUT_RECORD = """
UPDATE consultations SET status = 'ended', ended_at = now(), end_reason = $2
WHERE id = $1 AND status <> 'ended' RETURNING id, entry_id, patient_id, doctor_id, department"""
SET_END_REASON = "UPDATE consultations SET end_reason = $2 WHERE id = $1"

# Members gone longer than the grace period. A gone patient interrupts the consultation (the doctor
# may call them back or end it); a gone doctor ends it and the patient returns to the queue front.
MARK_MEMBER_LEFT = """
UPDATE consultations SET member_left_at = member_left_at || jsonb_build_object($2::text, now())
WHERE id = $1 AND status <> 'ended' AND NOT member_left_at ? $2::text"""
PATIENTS_GONE = """
UPDATE consultations SET status = 'interrupted', interrupted_at = now(), interruptions = interruptions + 1
WHERE status = 'active' AND (member_left_at ->> 'patient')::timestamptz < now() - make_interval(secs => $1)
RETURNING id, patient_id, doctor_id"""
DOCTORS_GONE = """
SELECT id, entry_id, patient_id, doctor_id, department FROM consultations
WHERE status <> 'ended' AND (member_left_at ->> 'doctor')::timestamptz < now() - make_interval(secs => $1)
FOR UPDATE SKIP LOCKED"""

REACH_STATE = """
SELECT c.status, c.doctor_id, p.phone FROM consultations c JOIN users p ON p.id = c.patient_id WHERE c.id = $1"""
# Once per opening of the room: a recall (called back) may notify again after a minute.
MARK_PATIENT_NOTIFIED = """
UPDATE consultations SET patient_notified_at = now()
WHERE id = $1 AND (patient_notified_at IS NULL OR patient_notified_at < now() - interval '1 minute')
RETURNING patient_notified_at"""
