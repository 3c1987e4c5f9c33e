-- Home watch operations: shifts the street operator sets for carers, and the broker links of the
-- server processes (so a survivor can take over the session of one that died).

-- A carer's duty period in one community, set by the operator. The sweeper puts the carer on duty
-- at its start and off duty at its end (handing back what they still own), once each
-- (started_at / ended_at, taken FOR UPDATE SKIP LOCKED).
CREATE TABLE hw_shifts (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    street_id     bigint NOT NULL REFERENCES hw_streets(id),
    user_id       bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    community     text,
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz NOT NULL CHECK (ends_at > starts_at),
    created_by    bigint REFERENCES users(id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    started_at    timestamptz,
    ended_at      timestamptz,
    cancelled_at  timestamptz
);
CREATE INDEX hw_shifts_street_idx ON hw_shifts (street_id, starts_at);
CREATE INDEX hw_shifts_user_idx ON hw_shifts (user_id, starts_at);
CREATE INDEX hw_shifts_to_start_idx ON hw_shifts (starts_at) WHERE started_at IS NULL AND cancelled_at IS NULL;
CREATE INDEX hw_shifts_to_end_idx ON hw_shifts (ends_at) WHERE started_at IS NOT NULL AND ended_at IS NULL;

-- One row per server process's MQTT client id: its heartbeat. A process whose beat is older than
-- HOMEWATCH_TAKEOVER_SECONDS is dead; one survivor claims it (taken_by, taken_at), drains the
-- events the broker queued for its persistent session, and ends that session.
CREATE TABLE hw_ingesters (
    client_id   text PRIMARY KEY,
    instance    text NOT NULL,
    beat_at     timestamptz NOT NULL DEFAULT now(),
    taken_by    text,
    taken_at    timestamptz
);
