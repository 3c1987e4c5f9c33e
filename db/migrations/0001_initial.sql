-- Accounts, departments, triage, queue, consultations, chat, audit.

CREATE TABLE organisations (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE departments (
    code        text PRIMARY KEY,
    name_zh     text NOT NULL,
    name_en     text NOT NULL,
    -- Bumped in the same transaction as every change to the department's waiting list, so a
    -- client can tell whether a live update follows the snapshot it holds (see server/queue.py).
    queue_seq   bigint NOT NULL DEFAULT 0
);

CREATE TABLE users (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    role            text NOT NULL CHECK (role IN ('patient', 'doctor', 'employer', 'admin')),
    name            text NOT NULL,
    email           text UNIQUE,
    phone           text UNIQUE,
    password_hash   text NOT NULL,
    birth_date      date,
    sex             text CHECK (sex IN ('female', 'male', 'other')),
    department      text REFERENCES departments(code),
    organisation_id bigint REFERENCES organisations(id),
    doctor_status   text NOT NULL DEFAULT 'offline' CHECK (doctor_status IN ('available', 'away', 'offline')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (email IS NOT NULL OR phone IS NOT NULL),
    CHECK (role <> 'doctor' OR department IS NOT NULL),
    CHECK (role <> 'employer' OR organisation_id IS NOT NULL)
);
CREATE INDEX users_department_idx ON users (department) WHERE role = 'doctor';

CREATE TABLE sessions (
    token_hash  bytea PRIMARY KEY,           -- sha256 of the cookie value; the value itself is never stored
    user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE assessments (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    patient_id             bigint NOT NULL REFERENCES users(id),
    questionnaire_version  text NOT NULL,
    answers                jsonb NOT NULL,
    level                  smallint NOT NULL CHECK (level BETWEEN 1 AND 5),
    disposition            text NOT NULL CHECK (disposition IN ('emergency', 'online_consult', 'self_care')),
    department             text NOT NULL REFERENCES departments(code),
    result                 jsonb NOT NULL,   -- findings with their zh/en, patient/clinical wording
    created_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assessments_patient_idx ON assessments (patient_id, created_at DESC);

CREATE TABLE queue_entries (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    patient_id       bigint NOT NULL REFERENCES users(id),
    assessment_id    bigint NOT NULL REFERENCES assessments(id),
    department       text NOT NULL REFERENCES departments(code),
    level            smallint NOT NULL CHECK (level BETWEEN 1 AND 5),
    status           text NOT NULL CHECK (status IN ('waiting', 'called', 'in_consult', 'done', 'left', 'no_show', 'escalated', 'away')),
    enqueued_at      timestamptz NOT NULL DEFAULT now(),
    -- The time by which this patient should be seen: enqueued_at + the level's target wait.
    -- Ordering by it is "earliest deadline first": more urgent levels go first, and a patient
    -- who has waited past their target moves ahead of newer arrivals (ageing, no starvation).
    due_at           timestamptz NOT NULL,
    doctor_id        bigint REFERENCES users(id),
    consultation_id  bigint,
    called_at        timestamptz,
    skips            smallint NOT NULL DEFAULT 0,
    away_since       timestamptz,
    precheck         jsonb,
    overdue_alerted  boolean NOT NULL DEFAULT false,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
-- One open entry per patient, enforced by the database.
CREATE UNIQUE INDEX queue_entries_one_open_per_patient ON queue_entries (patient_id)
    WHERE status IN ('waiting', 'called', 'in_consult', 'away');
CREATE INDEX queue_entries_waiting_order ON queue_entries (department, due_at, id) WHERE status = 'waiting';

CREATE TABLE consultations (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entry_id      bigint NOT NULL REFERENCES queue_entries(id),
    patient_id    bigint NOT NULL REFERENCES users(id),
    doctor_id     bigint NOT NULL REFERENCES users(id),
    department    text NOT NULL REFERENCES departments(code),
    status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'interrupted', 'ended')),
    started_at    timestamptz NOT NULL DEFAULT now(),
    ended_at      timestamptz,
    notes         text,
    diagnosis     text,
    disposition   text,
    advice        text,
    rating        smallint CHECK (rating BETWEEN 1 AND 5),
    rating_comment text,
    member_left_at jsonb NOT NULL DEFAULT '{}'::jsonb   -- role -> when its last connection dropped
);
CREATE INDEX consultations_patient_idx ON consultations (patient_id, started_at DESC);
CREATE INDEX consultations_doctor_idx ON consultations (doctor_id, started_at DESC);
CREATE INDEX consultations_ended_idx ON consultations (department, ended_at DESC) WHERE status = 'ended';
CREATE UNIQUE INDEX consultations_one_open_per_patient ON consultations (patient_id) WHERE status <> 'ended';
ALTER TABLE queue_entries ADD FOREIGN KEY (consultation_id) REFERENCES consultations(id);

CREATE TABLE messages (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consultation_id  bigint NOT NULL REFERENCES consultations(id),
    sender_id        bigint NOT NULL REFERENCES users(id),
    from_role        text NOT NULL,
    text             text NOT NULL,
    sent_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_consultation_idx ON messages (consultation_id, id);

CREATE TABLE call_quality (
    consultation_id  bigint NOT NULL REFERENCES consultations(id),
    user_id          bigint NOT NULL REFERENCES users(id),
    role             text NOT NULL,
    reported_at      timestamptz NOT NULL DEFAULT now(),
    rtt_ms           real,
    packet_loss_pct  real,
    jitter_ms        real,
    bitrate_kbps     real,
    frame_width      integer,
    frames_decoded   bigint
);
CREATE INDEX call_quality_idx ON call_quality (consultation_id, role, reported_at DESC);

-- Which socket connections are in which consultation room, per server process, so any process
-- can tell who is present and a dead process's rows can be ignored (see signaling/presence.py).
CREATE TABLE server_instances (
    id          text PRIMARY KEY,
    heartbeat   timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE room_presence (
    sid              text PRIMARY KEY,
    instance_id      text NOT NULL,
    consultation_id  bigint NOT NULL REFERENCES consultations(id),
    user_id          bigint NOT NULL REFERENCES users(id),
    role             text NOT NULL,
    joined_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX room_presence_consultation_idx ON room_presence (consultation_id, role);

CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    bigint,
    actor_role  text,
    action      text NOT NULL,       -- e.g. consultation.read, consultation.end, assessment.create
    object_type text NOT NULL,
    object_id   text,
    allowed     boolean NOT NULL,
    ip          text,
    detail      jsonb NOT NULL DEFAULT '{}'::jsonb   -- never medical content: ids and field names only
);
CREATE INDEX audit_log_object_idx ON audit_log (object_type, object_id, at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at);

-- The audit log is append-only at the database level: no UPDATE, DELETE or TRUNCATE.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
