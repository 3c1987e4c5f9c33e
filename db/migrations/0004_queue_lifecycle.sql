-- Queue lifecycle: automatic assignment, why a consultation ended, who watches the queue live.

ALTER TABLE users ADD COLUMN auto_assign boolean NOT NULL DEFAULT false;

-- completed (the doctor wrote the record), returned (put back in the queue), transferred (to
-- another department), patient_absent (called but never came), doctor_left (dropped and did not return)
ALTER TABLE consultations ADD COLUMN end_reason text;
ALTER TABLE consultations ADD COLUMN interrupted_at timestamptz;
ALTER TABLE consultations ADD COLUMN interruptions integer NOT NULL DEFAULT 0;

-- Live Socket.IO connections of waiting patients, per server process (like room_presence):
-- a waiting patient with none for AWAY_GRACE_SECONDS is marked away.
CREATE TABLE queue_watchers (
    sid          text PRIMARY KEY,
    instance_id  text NOT NULL,
    patient_id   bigint NOT NULL REFERENCES users(id),
    since        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX queue_watchers_patient_idx ON queue_watchers (patient_id);
CREATE INDEX queue_entries_open_status ON queue_entries (status, department) WHERE status IN ('called', 'away');
