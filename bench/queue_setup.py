"""Queue bench, database side: BENCH SETUP SQL (bulk rows) and the bench-only change log used as the truth.

Nothing here is server code. The rows are made directly in the database because registering
10,000 patients through argon2 would take many minutes; the triage result stored with each
assessment is a real one from `server.triage` for the same answers.

The truth: two triggers, installed on the bench database only after the bulk load, record every
change of a department's `queue_seq` (with clock_timestamp(), i.e. just before the commit) and
every queue entry that enters or leaves 'waiting', each with its transaction id. Joining the two
on the transaction id gives, for every sequence number, exactly which entries left and joined the
waiting list, independent of what the server broadcasts. The bench checks that this log, applied
to the waiting list before the run, gives the waiting list in the database after the run.
"""
from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import asyncpg

from server import triage
from server.accounts import service as auth
from server.consent import service as consent
from server.triage.service import (
    _stored_result,  # the exact stored shape of a real assessment
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NO_LOGIN = "bench-setup-row-no-password"  # not an argon2 hash: these accounts cannot sign in
# Real answers for the outbreak case; the triage engine sends both to the fever clinic.
ANSWERS = {
    3: {"age_years": 34, "symptoms": ["fever", "cough"], "temperature_c": 38.2, "epi": {"close_contact": True}},
    2: {"age_years": 34, "symptoms": ["fever", "cough"], "temperature_c": 38.2, "pain_score": 7,
        "epi": {"close_contact": True}},
}

# ---- BENCH SETUP SQL (bulk rows; not the application's queries) -------------------------------
SETUP_PATIENTS = """
INSERT INTO users (role, name, phone, password_hash, birth_date, sex)
SELECT 'patient', 'Bench patient ' || n, '139' || lpad(n::text, 8, '0'), $2, date '1990-05-01', 'female'
FROM generate_series(1, $1) AS n"""
SETUP_DOCTORS = """
INSERT INTO users (role, name, email, password_hash, department, doctor_status)
SELECT 'doctor', 'Bench doctor ' || n, 'bench-doctor-' || n || '@bench.clinic', $2, $3, 'available'
FROM generate_series(1, $1) AS n"""
SETUP_USER_IDS = "SELECT id FROM users WHERE role = $1 ORDER BY id"
# Every patient agreed to the processing of their health data (without it the queue answers 403).
SETUP_CONSENTS = """
INSERT INTO consents (user_id, purpose, version, granted)
SELECT id, 'health_data', $1, true FROM users WHERE role = 'patient'"""
SETUP_ASSESSMENTS = """
INSERT INTO assessments (patient_id, questionnaire_version, answers, level, disposition, department, result)
SELECT a.patient_id, $3, CASE a.level WHEN 2 THEN $4::jsonb ELSE $5::jsonb END, a.level, $6, $7,
       CASE a.level WHEN 2 THEN $8::jsonb ELSE $9::jsonb END
FROM unnest($1::bigint[], $2::smallint[]) AS a(patient_id, level)"""
SETUP_ASSESSMENT_IDS = "SELECT id, patient_id FROM assessments"
SETUP_ENTRIES = """
INSERT INTO queue_entries (patient_id, assessment_id, department, level, status, enqueued_at, due_at)
SELECT e.patient_id, e.assessment_id, $1, e.level, 'waiting', now() - make_interval(secs => e.ago),
       now() - make_interval(secs => e.ago) + make_interval(mins => e.target)
FROM unnest($2::bigint[], $3::bigint[], $4::smallint[], $5::float8[], $6::int[])
     AS e(patient_id, assessment_id, level, ago, target)"""
SETUP_VACUUM = "VACUUM ANALYZE users, assessments, queue_entries, sessions, consents"

# ---- BENCH INSTRUMENTATION: the change log (bench database only) -------------------------------
INSTALL_LOG = """
CREATE UNLOGGED TABLE bench_seq_log (seq bigint, department text, txid bigint, at timestamptz);
CREATE UNLOGGED TABLE bench_entry_log (entry_id bigint, department text, entered boolean, due_at timestamptz,
                                       txid bigint);
CREATE FUNCTION bench_log_seq() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.queue_seq IS DISTINCT FROM OLD.queue_seq THEN
        INSERT INTO bench_seq_log VALUES (NEW.queue_seq, NEW.code, txid_current(), clock_timestamp());
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER bench_seq AFTER UPDATE ON departments FOR EACH ROW EXECUTE FUNCTION bench_log_seq();
CREATE FUNCTION bench_log_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status = 'waiting' THEN
            INSERT INTO bench_entry_log VALUES (NEW.id, NEW.department, true, NEW.due_at, txid_current());
        END IF;
    ELSIF (OLD.status = 'waiting') <> (NEW.status = 'waiting') THEN
        INSERT INTO bench_entry_log VALUES (NEW.id, NEW.department, NEW.status = 'waiting', NEW.due_at,
                                            txid_current());
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER bench_entry AFTER INSERT OR UPDATE ON queue_entries FOR EACH ROW EXECUTE FUNCTION bench_log_entry();
"""
READ_SEQ_LOG = "SELECT seq, txid, at FROM bench_seq_log WHERE department = $1 ORDER BY seq"
READ_ENTRY_LOG = "SELECT entry_id, department, entered, due_at, txid FROM bench_entry_log"
WAITING_KEYS = "SELECT id, due_at, patient_id FROM queue_entries WHERE department = $1 AND status = 'waiting'"
QUEUE_SEQ = "SELECT queue_seq FROM departments WHERE code = $1"
# The truth after the run, as the brief asks: ROW_NUMBER over the waiting list.
FINAL_POSITIONS = """
SELECT id, row_number() OVER (ORDER BY due_at, id) AS position
FROM queue_entries WHERE department = $1 AND status = 'waiting'"""
# Bench diagnostic, sampled during the load: who waits on a lock, and whether a backend sits idle in a
# transaction right after the department's seq bump (holding its row lock until the app sends COMMIT).
ACTIVITY = """
SELECT count(*) FILTER (WHERE state = 'active') AS active,
       count(*) FILTER (WHERE wait_event_type = 'Lock') AS lock_waits,
       count(*) FILTER (WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE departments SET queue_seq%') AS seq_waits,
       count(*) FILTER (WHERE state = 'idle in transaction' AND query LIKE 'UPDATE departments SET queue_seq%')
           AS seq_held_idle,
       count(*) FILTER (WHERE state IN ('active', 'idle in transaction')) AS busy
FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"""
DOUBLE_CLAIMS = "SELECT entry_id, count(*) AS n FROM consultations GROUP BY entry_id HAVING count(*) > 1"
CLAIMED_WAITS = """
SELECT e.id, e.enqueued_at, c.started_at FROM queue_entries e JOIN consultations c ON c.entry_id = e.id
WHERE e.id = ANY($1::bigint[])"""


def exact_key(due_at: datetime, entry_id: int) -> tuple[int, int]:
    """(due_at in whole microseconds since the epoch, id): the database's order, computed without floats."""
    return (due_at - EPOCH) // timedelta(microseconds=1), entry_id


@dataclass
class Patient:
    """A bench patient: account, session, assessment, and (once waiting) the queue entry."""

    user_id: int
    level: int
    token: str = ""
    csrf: str = ""
    assessment_id: int = 0
    entry_id: int | None = None


@dataclass
class DataSet:
    """What the setup made, for the load generators and the client workers."""

    patients: list[Patient]
    bulk: list[Patient]          # waiting before the run, made by SQL
    arrivals: list[Patient]      # enqueued through POST /api/queue during the run
    doctors: list[tuple[int, str, str]]  # (user id, token, csrf)
    initial_keys: dict[int, tuple[int, int]] = field(default_factory=dict)  # entry id -> key, waiting at seq s0
    s0: int = 0


async def _sessions(pool: asyncpg.Pool, user_ids: list[int], ttl_hours: int = 12) -> list[tuple[str, str]]:
    """One session per user through server.auth.open_session, in chunked transactions on a few connections."""
    out: list[tuple[str, str] | None] = [None] * len(user_ids)

    async def chunk(start: int, stop: int) -> None:
        async with pool.acquire() as conn, conn.transaction():
            for i in range(start, stop):
                out[i] = await auth.open_session(conn, user_ids[i], ttl_hours)

    size = 1000
    await asyncio.gather(*(chunk(i, min(i + size, len(user_ids))) for i in range(0, len(user_ids), size)))
    return out  # type: ignore[return-value]


async def build(pool: asyncpg.Pool, *, patients: int, arrivals: int, doctors: int, department: str,
                level2_bulk: float, level2_arrivals: float, history_seconds: float, seed: int) -> DataSet:
    """Make the data set in a migrated database: patients, assessments, sessions, bulk waiting entries, doctors."""
    rng = random.Random(seed)
    results = {}
    for level, answers in ANSWERS.items():
        assessed = triage.assess(triage.parse_input(answers))
        assert (assessed.level, assessed.department, assessed.disposition) == (level, department, "online_consult"), \
            f"the triage engine no longer sends the bench's level-{level} answers to {department}"
        results[level] = (assessed.questionnaire_version, triage.parse_input(answers).to_dict(),
                          _stored_result(assessed))
    n_bulk = patients - arrivals
    async with pool.acquire() as conn:
        await conn.execute(SETUP_PATIENTS, patients, NO_LOGIN)
        await conn.execute(SETUP_CONSENTS, consent.VERSIONS["health_data"])
        await conn.execute(SETUP_DOCTORS, doctors, NO_LOGIN, department)
        patient_ids = [r["id"] for r in await conn.fetch(SETUP_USER_IDS, "patient")]
        doctor_ids = [r["id"] for r in await conn.fetch(SETUP_USER_IDS, "doctor")]
        levels = [2 if rng.random() < (level2_bulk if i < n_bulk else level2_arrivals) else 3
                  for i in range(patients)]
        version = results[3][0]
        await conn.execute(SETUP_ASSESSMENTS, patient_ids, levels, version, results[2][1], results[3][1],
                           "online_consult", department, results[2][2], results[3][2])
        assessment_of = {r["patient_id"]: r["id"] for r in await conn.fetch(SETUP_ASSESSMENT_IDS)}
        people = [Patient(uid, lvl, assessment_id=assessment_of[uid]) for uid, lvl in zip(patient_ids, levels)]
        bulk, later = people[:n_bulk], people[n_bulk:]
        await conn.execute(SETUP_ENTRIES, department, [p.user_id for p in bulk], [p.assessment_id for p in bulk],
                           [p.level for p in bulk], [rng.uniform(0, history_seconds) for _ in bulk],
                           [triage.TARGET_WAIT_MINUTES[p.level] for p in bulk])
    for person, (token, csrf) in zip(people, await _sessions(pool, patient_ids)):
        person.token, person.csrf = token, csrf
    doctor_sessions = await _sessions(pool, doctor_ids)
    async with pool.acquire() as conn:
        await conn.execute(SETUP_VACUUM)
        await conn.execute(INSTALL_LOG)
        by_patient = {p.user_id: p for p in people}
        keys = {}
        for row in await conn.fetch(WAITING_KEYS, department):
            by_patient[row["patient_id"]].entry_id = row["id"]
            keys[row["id"]] = exact_key(row["due_at"], row["id"])
        s0 = await conn.fetchval(QUEUE_SEQ, department)
    return DataSet(people, bulk, later, [(d, t, c) for d, (t, c) in zip(doctor_ids, doctor_sessions)],
                   initial_keys=keys, s0=s0)


@dataclass
class Change:
    """One sequence number of the department: when it was committed, who left, who joined."""

    seq: int
    at: float  # wall-clock seconds (clock_timestamp() at the seq bump, just before the commit)
    removed: list[tuple[int, int]]
    inserted: list[tuple[int, int]]


async def read_changes(conn: asyncpg.Connection, department: str, s0: int) -> tuple[list[Change], int, list[str]]:
    """The department's changes after s0 from the bench log; also the count of unsequenced entry changes and gaps."""
    by_txid: dict[int, list] = {}
    for row in await conn.fetch(READ_ENTRY_LOG):
        if row["department"] == department:
            by_txid.setdefault(row["txid"], []).append(row)
    changes, problems = [], []
    expected = s0 + 1
    for row in await conn.fetch(READ_SEQ_LOG, department):
        if row["seq"] <= s0:
            continue
        if row["seq"] != expected:
            problems.append(f"seq {expected}..{row['seq'] - 1} missing from the log")
        expected = row["seq"] + 1
        rows = by_txid.pop(row["txid"], [])
        changes.append(Change(row["seq"], row["at"].timestamp(),
                              [exact_key(r["due_at"], r["entry_id"]) for r in rows if not r["entered"]],
                              [exact_key(r["due_at"], r["entry_id"]) for r in rows if r["entered"]]))
    unsequenced = sum(len(rows) for rows in by_txid.values())
    return changes, unsequenced, problems
