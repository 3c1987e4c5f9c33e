"""SQL of the video calls into a home (hw_calls, hw_call_presence, hw_call_notes)."""

from server.presence.queries import STALE_AFTER

CALL_COLUMNS = """c.*, u.name AS caller_name, r.name AS resident_user_name, h.resident_name, h.address,
    h.community, h.street_id, h.doctor_id AS home_doctor_id"""
CALL = f"""
SELECT {CALL_COLUMNS} FROM hw_calls c JOIN users u ON u.id = c.caller_id JOIN users r ON r.id = c.resident_user_id
JOIN hw_homes h ON h.id = c.home_id WHERE c.id = $1"""
CALL_FOR_UPDATE = "SELECT * FROM hw_calls WHERE id = $1 FOR UPDATE"

EXPIRE_STALE = """
UPDATE hw_calls SET status = 'ended', ended_at = now(),
       end_reason = CASE WHEN status = 'ringing' THEN 'no_answer' ELSE 'left' END
WHERE status <> 'ended' AND (home_id = $1 OR caller_id = $2 OR resident_user_id = $2)
  AND ((status = 'ringing' AND started_at < now() - make_interval(secs => $3))
    OR (status = 'active' AND EXISTS (
          SELECT 1 FROM jsonb_each_text(member_left_at) m
          WHERE m.value::timestamptz < now() - make_interval(secs => $4))))
RETURNING id, home_id, caller_id, resident_user_id"""

# How long a call may ring unanswered ($3), and how long a member may be gone from a running call
# ($4) before it counts as over: every process's home-watch sweep ends such calls ("no_answer",
# "left"), each once (SKIP LOCKED); a request touching a call of that home or person does too.
STALE_CONDITION = """((c.status = 'ringing' AND c.started_at < now() - make_interval(secs => $1))
    OR (c.status = 'active' AND EXISTS (
          SELECT 1 FROM jsonb_each_text(c.member_left_at) m
          WHERE m.value::timestamptz < now() - make_interval(secs => $2))))"""
SWEEP_STALE = f"""
UPDATE hw_calls SET status = 'ended', ended_at = now(),
       end_reason = CASE WHEN status = 'ringing' THEN 'no_answer' ELSE 'left' END
WHERE id IN (SELECT c.id FROM hw_calls c WHERE c.status <> 'ended' AND {STALE_CONDITION}
             ORDER BY c.id LIMIT 100 FOR UPDATE SKIP LOCKED)
RETURNING id, end_reason"""
FORGET_PRESENCE_OF_CALLS = "DELETE FROM hw_call_presence WHERE call_id = ANY($1::bigint[])"
# Connections held by a process that stopped heartbeating (SIGKILLed, frozen): gone, so their member's
# rejoin limit starts (like server/presence for consultation rooms).
FORGET_DEAD_PRESENCE = f"""
DELETE FROM hw_call_presence WHERE sid IN (
    SELECT p.sid FROM hw_call_presence p
    WHERE NOT EXISTS (SELECT 1 FROM server_instances i WHERE i.id = p.instance_id
                      AND i.heartbeat > now() - {STALE_AFTER})
    FOR UPDATE SKIP LOCKED)
RETURNING call_id, role"""
# The resident withdrew the auto-answer consent while the call rings: the countdown stops at once.
DISARM_AUTO_ANSWER = """
UPDATE hw_calls SET auto_answer = false, auto_answer_at = NULL
WHERE home_id = $1 AND status = 'ringing' AND auto_answer RETURNING id"""

INSERT_CALL = """
INSERT INTO hw_calls (home_id, caller_id, caller_role, resident_user_id, alert_id, auto_answer, auto_answer_at)
VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $6 THEN now() + make_interval(secs => $7) END)
ON CONFLICT (home_id) WHERE status <> 'ended' DO NOTHING RETURNING id"""

ANSWER = """
UPDATE hw_calls SET status = 'active', answered = $2, answered_at = now()
WHERE id = $1 AND status = 'ringing' RETURNING id"""
END_CALL = """
UPDATE hw_calls SET status = 'ended', ended_at = now(), end_reason = $2, ended_by = $3
WHERE id = $1 AND status <> 'ended' RETURNING id"""

OPEN_CALLS_OF_USER = f"""
SELECT {CALL_COLUMNS} FROM hw_calls c JOIN users u ON u.id = c.caller_id JOIN users r ON r.id = c.resident_user_id
JOIN hw_homes h ON h.id = c.home_id
WHERE c.status <> 'ended' AND (c.caller_id = $1 OR c.resident_user_id = $1) ORDER BY c.id"""
CALLS_OF_HOME = f"""
SELECT {CALL_COLUMNS} FROM hw_calls c JOIN users u ON u.id = c.caller_id JOIN users r ON r.id = c.resident_user_id
JOIN hw_homes h ON h.id = c.home_id WHERE c.home_id = $1 ORDER BY c.started_at DESC LIMIT $2"""

CARER_OWNS_OPEN_ALERT = """
SELECT EXISTS (SELECT 1 FROM hw_alerts WHERE home_id = $1 AND owner_id = $2 AND status <> 'closed')"""
ALERT_OF_HOME = "SELECT id, owner_id, status FROM hw_alerts WHERE id = $1 AND home_id = $2"
HOME_CONSENT = "SELECT consent FROM hw_homes WHERE id = $1"
ON_DUTY = "SELECT on_duty FROM hw_staff WHERE user_id = $1"

# --- presence in the call's room (a member may be connected to another process) -----------------
ENTER = """
INSERT INTO hw_call_presence (sid, instance_id, call_id, user_id, role) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (sid) DO UPDATE SET call_id = EXCLUDED.call_id, role = EXCLUDED.role"""
LEAVE_SID = "DELETE FROM hw_call_presence WHERE sid = $1 RETURNING call_id, role"
ROLES_PRESENT = f"""
SELECT DISTINCT p.role FROM hw_call_presence p JOIN server_instances i ON i.id = p.instance_id
WHERE p.call_id = $1 AND i.heartbeat > now() - {STALE_AFTER}"""
FORGET_CALL_PRESENCE = "DELETE FROM hw_call_presence WHERE call_id = $1"
MEMBER_JOINED = "UPDATE hw_calls SET member_left_at = member_left_at - $2::text WHERE id = $1"
MEMBER_LEFT = """
UPDATE hw_calls SET member_left_at = member_left_at || jsonb_build_object($2::text, now())
WHERE id = $1 AND status <> 'ended' AND NOT member_left_at ? $2::text"""

# --- the doctor's notes --------------------------------------------------------------------------
NOTE_COLUMNS = "n.id, n.call_id, n.patient_id, n.author_id, a.name AS author_name, n.text, n.replaces_id, n.reason, n.written_at"
INSERT_NOTE = """
INSERT INTO hw_call_notes (call_id, patient_id, author_id, text, replaces_id, reason)
VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id"""
NOTE = f"SELECT {NOTE_COLUMNS} FROM hw_call_notes n JOIN users a ON a.id = n.author_id WHERE n.id = $1"
NOTES_OF_CALL = f"""
SELECT {NOTE_COLUMNS}, EXISTS (SELECT 1 FROM hw_call_notes later WHERE later.replaces_id = n.id) AS replaced
FROM hw_call_notes n JOIN users a ON a.id = n.author_id WHERE n.call_id = $1 ORDER BY n.id"""
NOTES_OF_CALLS = f"""
SELECT {NOTE_COLUMNS}, EXISTS (SELECT 1 FROM hw_call_notes later WHERE later.replaces_id = n.id) AS replaced
FROM hw_call_notes n JOIN users a ON a.id = n.author_id WHERE n.call_id = ANY($1::bigint[]) ORDER BY n.id"""
# The person's home calls that have a note, newest first, with the current (not replaced) notes:
# what the doctor's record panel shows beside the earlier consultations.
HOME_CALLS_OF_PATIENT = """
SELECT c.id, c.started_at, c.ended_at, c.caller_role, u.name AS caller_name
FROM hw_calls c JOIN users u ON u.id = c.caller_id
WHERE c.resident_user_id = $1 AND EXISTS (SELECT 1 FROM hw_call_notes n WHERE n.call_id = c.id)
ORDER BY c.started_at DESC LIMIT $2"""

# --- alerts closed by a video call ---------------------------------------------------------------
RESOLVE_ALERT = """
UPDATE hw_alerts SET status = 'closed', outcome = 'video_call', note = $3, resolved_at = now(), closed_at = now(),
       next_step_at = NULL
WHERE id = $1 AND owner_id = $2 AND status IN ('acknowledged', 'en_route', 'on_site') RETURNING *"""

# --- the FHIR export -----------------------------------------------------------------------------
ALERT_KIND = "SELECT kind FROM hw_alerts WHERE id = $1"
PATIENT = "SELECT id, name, birth_date, sex FROM users WHERE id = $1"
PRACTITIONER = "SELECT id, name, title, department FROM users WHERE id = $1"
