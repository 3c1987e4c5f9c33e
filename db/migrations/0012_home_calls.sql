-- Video calls into a home (docs/HOMEWATCH.md "Video calls to the home"): the contracted doctor or a
-- carer of the street rings the resident's home page. Not a queue consultation: no queue entry, no
-- consultation row, so a doctor in clinic can call a home without touching the queue.

CREATE TABLE hw_calls (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    home_id           bigint NOT NULL REFERENCES hw_homes(id),
    caller_id         bigint NOT NULL REFERENCES users(id),
    caller_role       text NOT NULL CHECK (caller_role IN ('doctor', 'carer')),
    -- The resident's (patient) account the call rang: the person the doctor's note belongs to, even
    -- if the home is linked to another account later.
    resident_user_id  bigint NOT NULL REFERENCES users(id),
    alert_id          bigint REFERENCES hw_alerts(id),
    status            text NOT NULL DEFAULT 'ringing' CHECK (status IN ('ringing', 'active', 'ended')),
    -- The resident's video_auto_answer consent stood when it rang; it is checked again at the answer.
    auto_answer       boolean NOT NULL DEFAULT false,
    auto_answer_at    timestamptz,            -- the end of the audible countdown
    answered          text CHECK (answered IN ('tapped', 'auto')),
    started_at        timestamptz NOT NULL DEFAULT now(),
    answered_at       timestamptz,
    ended_at          timestamptz,
    end_reason        text CHECK (end_reason IN ('declined', 'hung_up', 'no_answer', 'left')),
    ended_by          bigint REFERENCES users(id),
    member_left_at    jsonb NOT NULL DEFAULT '{}'::jsonb   -- role -> when its last connection dropped
);
-- One call at a time per home: a second caller gets 409 while one rings or runs.
CREATE UNIQUE INDEX hw_calls_open_per_home ON hw_calls (home_id) WHERE status <> 'ended';
CREATE INDEX hw_calls_home_idx ON hw_calls (home_id, started_at DESC);
CREATE INDEX hw_calls_resident_idx ON hw_calls (resident_user_id, started_at DESC);
CREATE INDEX hw_calls_caller_idx ON hw_calls (caller_id) WHERE status <> 'ended';

-- Live connections in a home call's room, per server process (like room_presence for consultations).
CREATE TABLE hw_call_presence (
    sid          text PRIMARY KEY,
    instance_id  text NOT NULL,
    call_id      bigint NOT NULL REFERENCES hw_calls(id) ON DELETE CASCADE,
    user_id      bigint NOT NULL REFERENCES users(id),
    role         text NOT NULL CHECK (role IN ('caller', 'home')),
    joined_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hw_call_presence_call_idx ON hw_call_presence (call_id, role);

-- The doctor's notes of a call: part of the person's record. Append-only (no UPDATE or DELETE
-- for the app, and a trigger refuses them): a correction is a new row naming the note it replaces
-- and why.
CREATE TABLE hw_call_notes (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    call_id      bigint NOT NULL REFERENCES hw_calls(id),
    patient_id   bigint NOT NULL REFERENCES users(id),
    author_id    bigint NOT NULL REFERENCES users(id),
    text         text NOT NULL,
    replaces_id  bigint REFERENCES hw_call_notes(id),
    reason       text,
    written_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((replaces_id IS NULL) = (reason IS NULL))
);
CREATE INDEX hw_call_notes_call_idx ON hw_call_notes (call_id, id);
CREATE INDEX hw_call_notes_patient_idx ON hw_call_notes (patient_id, written_at DESC);
-- A note is replaced at most once: corrections form a chain, never a fork.
CREATE UNIQUE INDEX hw_call_notes_replaced_once ON hw_call_notes (replaces_id) WHERE replaces_id IS NOT NULL;

CREATE FUNCTION hw_call_notes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'hw_call_notes is append-only';
END $$;
CREATE TRIGGER hw_call_notes_no_update BEFORE UPDATE OR DELETE ON hw_call_notes
    FOR EACH ROW EXECUTE FUNCTION hw_call_notes_append_only();
CREATE TRIGGER hw_call_notes_no_truncate BEFORE TRUNCATE ON hw_call_notes
    FOR EACH STATEMENT EXECUTE FUNCTION hw_call_notes_append_only();
