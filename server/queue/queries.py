"""SQL for the waiting list. Order is (due_at, id): earliest deadline first (see 0001_initial.sql)."""

from server.presence.queries import STALE_AFTER

ENTRY_COLUMNS = """e.id, e.patient_id, e.assessment_id, e.department, e.level, e.status, e.enqueued_at, e.due_at,
    e.doctor_id, e.consultation_id, e.called_at, e.skips, e.precheck, e.away_since"""

BUMP_SEQ = "UPDATE departments SET queue_seq = queue_seq + 1 WHERE code = $1 RETURNING queue_seq"

# Each queue change and its sequence bump are one statement: the department row is locked only
# while the statement runs, never across a round trip to the application (that serialised every
# change of a department behind the slowest COMMIT under load).
# Arrivals to one department, one or many (server/queue/arrivals.py joins concurrent ones): one
# INSERT, one seq bump, one commit; they share the seq (one change inserting them all).
ENQUEUE = """
WITH e AS (
    INSERT INTO queue_entries (patient_id, assessment_id, department, level, status, due_at)
    SELECT a.patient_id, a.assessment_id, $3, a.level, 'waiting', now() + make_interval(mins => a.minutes)
    FROM unnest($1::bigint[], $2::bigint[], $4::int[], $5::int[]) AS a (patient_id, assessment_id, level, minutes)
    RETURNING id, patient_id, assessment_id, department, level, status, enqueued_at, due_at, doctor_id, consultation_id, called_at, skips, precheck, away_since),
s AS (UPDATE departments SET queue_seq = queue_seq + 1 WHERE code = $3 RETURNING queue_seq)
SELECT e.*, s.queue_seq AS seq FROM e, s"""

# With the department's seq at the same snapshot: a position for this entry must count every change up to it.
OPEN_ENTRY_OF_PATIENT = f"""
SELECT {ENTRY_COLUMNS}, (SELECT d.queue_seq FROM departments d WHERE d.code = e.department) AS seq
FROM queue_entries e
WHERE e.patient_id = $1 AND e.status IN ('waiting', 'called', 'in_consult', 'away')"""

ENTRY_BY_ID = f"SELECT {ENTRY_COLUMNS} FROM queue_entries e WHERE e.id = $1"

# Position and the department's sequence number come from one snapshot, so a client can tell
# which live updates are already counted in it.
POSITION = """
SELECT 1 + (SELECT count(*) FROM queue_entries w
            WHERE w.department = $1 AND w.status = 'waiting' AND (w.due_at, w.id) < ($2, $3)) AS position,
       (SELECT queue_seq FROM departments WHERE code = $1) AS seq"""

# What may stop a doctor from claiming, in one read: an open consultation, being offline.
CLAIM_CHECK = """
SELECT u.doctor_status,
       EXISTS (SELECT 1 FROM consultations c WHERE c.doctor_id = u.id AND c.status <> 'ended') AS consulting
FROM users u WHERE u.id = $1 AND u.role = 'doctor'"""

# Claiming is one statement: SKIP LOCKED lets concurrent doctors take different patients; the
# consultation, its link from the entry and the sequence bump happen in the same statement. The
# consultation id is drawn first so the entry can point to it without updating its row twice.
CLAIM = """
WITH picked AS (
    SELECT id FROM queue_entries
    WHERE department = $1 AND status = 'waiting' AND ($3::bigint IS NULL OR id = $3)
    ORDER BY due_at, id LIMIT 1 FOR UPDATE SKIP LOCKED),
e AS (
    UPDATE queue_entries q SET status = 'called', doctor_id = $2, called_at = now(), updated_at = now(),
        consultation_id = nextval(pg_get_serial_sequence('consultations', 'id'))
    FROM picked WHERE q.id = picked.id
    RETURNING q.id, q.patient_id, q.assessment_id, q.department, q.level, q.status, q.enqueued_at, q.due_at, q.doctor_id, q.consultation_id, q.called_at, q.skips, q.precheck, q.away_since),
c AS (
    INSERT INTO consultations (id, entry_id, patient_id, doctor_id, department) OVERRIDING SYSTEM VALUE
    SELECT consultation_id, id, patient_id, $2, department FROM e
    RETURNING id),
s AS (
    UPDATE departments SET queue_seq = queue_seq + 1
    WHERE code = $1 AND EXISTS (SELECT 1 FROM e) RETURNING queue_seq)
SELECT e.*, (SELECT queue_seq FROM s) AS seq FROM e"""

# A department's whole waiting order and its seq, one snapshot (server/queue/order.py); a department with
# nobody waiting is one row with a null id.
WAITING_ORDER = """
SELECT d.queue_seq AS seq, e.id, e.due_at
FROM departments d LEFT JOIN queue_entries e ON e.department = d.code AND e.status = 'waiting'
WHERE d.code = $1"""

SET_ENTRY_STATUS = "UPDATE queue_entries SET status = $2, updated_at = now() WHERE id = $1"

# The old status matters: only leaving the waiting list moves anyone else's position.
LEAVE = """
WITH old AS (
    SELECT id, status FROM queue_entries WHERE patient_id = $1 AND status IN ('waiting', 'away') FOR UPDATE),
e AS (
    UPDATE queue_entries q SET status = 'left', updated_at = now() FROM old WHERE q.id = old.id
    RETURNING q.id, q.patient_id, q.assessment_id, q.department, q.level, q.status, q.enqueued_at, q.due_at, q.doctor_id, q.consultation_id, q.called_at, q.skips, q.precheck, q.away_since, old.status AS was),
s AS (
    UPDATE departments d SET queue_seq = queue_seq + 1 FROM e WHERE d.code = e.department RETURNING d.queue_seq)
SELECT e.*, s.queue_seq AS seq FROM e, s"""

WAITING_LIST = """
SELECT e.id, e.patient_id, e.level, e.enqueued_at, e.due_at, e.skips, e.precheck, e.away_since,
       u.name AS patient_name, u.birth_date, u.sex,
       a.result AS triage, a.answers
FROM queue_entries e
JOIN users u ON u.id = e.patient_id
JOIN assessments a ON a.id = e.assessment_id
WHERE e.department = $1 AND e.status = 'waiting'
ORDER BY e.due_at, e.id
LIMIT $2"""

DEPARTMENT_STATS = """
SELECT d.code, d.name_zh, d.name_en, d.queue_seq,
       (SELECT count(*) FROM queue_entries e WHERE e.department = d.code AND e.status = 'waiting') AS waiting,
       (SELECT count(*) FROM users u WHERE u.role = 'doctor' AND u.department = d.code
            AND u.doctor_status = 'available') AS doctors_available,
       (SELECT count(*) FROM users u WHERE u.role = 'doctor' AND u.department = d.code
            AND u.doctor_status = 'away') AS doctors_away,
       (SELECT count(*) FROM users u WHERE u.role = 'doctor' AND u.department = d.code
            AND u.doctor_status = 'available' AND u.auto_assign) AS doctors_auto,
       (SELECT avg(extract(epoch FROM c.ended_at - c.started_at))
            FROM (SELECT started_at, ended_at FROM consultations
                  WHERE department = d.code AND status = 'ended'
                  ORDER BY ended_at DESC LIMIT 20) c) AS avg_consult_seconds
FROM departments d
WHERE $1::text IS NULL OR d.code = $1
ORDER BY d.code"""

WAITING_COUNTS = """
SELECT d.code AS department, count(e.id) AS waiting
FROM departments d LEFT JOIN queue_entries e ON e.department = d.code AND e.status = 'waiting'
GROUP BY d.code"""
ACTIVE_CONSULTATIONS = "SELECT count(*) FROM consultations WHERE status <> 'ended'"
SAVE_PRECHECK = """
UPDATE queue_entries SET precheck = $2 || jsonb_build_object('checked_at', now())
WHERE patient_id = $1 AND status IN ('waiting', 'away', 'called') RETURNING id"""

# The naive way, kept only as the benchmark's baseline: every waiting patient's position, recomputed.
ALL_POSITIONS = """
SELECT patient_id, id, row_number() OVER (ORDER BY due_at, id) AS position
FROM queue_entries WHERE department = $1 AND status = 'waiting'"""

# --- lifecycle: watchers, away, no-show, return, transfer, reassess, overdue, auto-assign -------

UNWATCH = "DELETE FROM queue_watchers WHERE sid = $1"
FORGET_INSTANCE_WATCHERS = "DELETE FROM queue_watchers WHERE instance_id = $1"

# Waiting patients with no live page: start (or keep) their grace period; those back online lose it.
MARK_UNWATCHED = f"""
UPDATE queue_entries e SET away_since = now()
WHERE e.status = 'waiting' AND e.away_since IS NULL
  AND NOT EXISTS (SELECT 1 FROM queue_watchers w JOIN server_instances i ON i.id = w.instance_id
                  WHERE w.patient_id = e.patient_id AND i.heartbeat > now() - {STALE_AFTER})"""
MARK_AWAY = f"""
UPDATE queue_entries e SET status = 'away', updated_at = now()
WHERE e.status = 'waiting' AND e.away_since < now() - make_interval(secs => $1)
RETURNING {ENTRY_COLUMNS}"""
# A waiting patient's page is live (one statement, one commit: every client of a crashed process
# comes here at once): the page is watched, a grace period that runs stops (only that row is
# written), and a patient who was marked away gets their place back (the same due time) with the
# department's seq bumped in the same commit; `seq` is NULL when nobody came back.
WATCH = f"""
WITH w AS (
    INSERT INTO queue_watchers (sid, instance_id, patient_id) VALUES ($1, $2, $3) ON CONFLICT (sid) DO NOTHING),
c AS (
    UPDATE queue_entries SET away_since = NULL
    WHERE patient_id = $3 AND status = 'waiting' AND away_since IS NOT NULL),
e AS (
    UPDATE queue_entries e SET status = 'waiting', away_since = NULL, updated_at = now()
    WHERE e.patient_id = $3 AND e.status = 'away'
    RETURNING {ENTRY_COLUMNS}),
s AS (UPDATE departments SET queue_seq = queue_seq + 1 WHERE code = (SELECT department FROM e) RETURNING queue_seq)
SELECT e.*, s.queue_seq AS seq FROM e, s"""

# Called patients who did not join in time: skipped (put back behind those due now) once, then no-show.
CALLED_TOO_LONG = f"""
SELECT {ENTRY_COLUMNS} FROM queue_entries e
WHERE e.status = 'called' AND e.called_at < now() - make_interval(secs => $1)
FOR UPDATE SKIP LOCKED"""
SKIP_CALLED = f"""
UPDATE queue_entries e SET status = 'waiting', skips = skips + 1, doctor_id = NULL, consultation_id = NULL,
    called_at = NULL, due_at = now() + make_interval(mins => $2), updated_at = now()
WHERE e.id = $1 RETURNING {ENTRY_COLUMNS}"""
SET_NO_SHOW = "UPDATE queue_entries SET status = 'no_show', updated_at = now() WHERE id = $1"

# Back into the waiting list with the same due time (return), or in another department (transfer).
REQUEUE = f"""
UPDATE queue_entries e SET status = 'waiting', department = $2, doctor_id = NULL, consultation_id = NULL,
    called_at = NULL, away_since = NULL, due_at = $3, updated_at = now()
WHERE e.id = $1 RETURNING {ENTRY_COLUMNS}"""
FRONT_DUE_AT = """
SELECT least($2::timestamptz, (SELECT min(due_at) FROM queue_entries WHERE department = $1 AND status = 'waiting')
                              - interval '1 millisecond')"""

REASSESS = f"""
UPDATE queue_entries e SET assessment_id = $2, level = $3,
    due_at = least(e.due_at, e.enqueued_at + make_interval(mins => $4)), updated_at = now()
WHERE e.id = $1 RETURNING {ENTRY_COLUMNS}"""

OVERDUE_TO_ALERT = f"""
UPDATE queue_entries e SET overdue_alerted = true
WHERE e.status = 'waiting' AND NOT e.overdue_alerted AND e.due_at < now()
RETURNING {ENTRY_COLUMNS}"""

# Automatic mode: a free doctor (available, auto_assign, no open consultation) of a department
# with someone waiting; the row lock keeps two processes from assigning the same doctor. It runs
# after every arrival: the doctors in automatic mode are found first (usually none, a few rows), so
# the planner never scans the waiting list to learn that (it did: 2 ms an arrival at 10,000 waiting).
FREE_AUTO_DOCTOR = """
WITH auto AS MATERIALIZED (
    SELECT u.id, u.department FROM users u
    WHERE u.role = 'doctor' AND u.doctor_status = 'available' AND u.auto_assign)
SELECT u.id, u.role, u.name, u.department FROM users u JOIN auto ON auto.id = u.id
WHERE NOT EXISTS (SELECT 1 FROM consultations c WHERE c.doctor_id = u.id AND c.status <> 'ended')
  AND EXISTS (SELECT 1 FROM queue_entries e WHERE e.department = auto.department AND e.status = 'waiting')
ORDER BY u.id LIMIT 1 FOR UPDATE OF u SKIP LOCKED"""
