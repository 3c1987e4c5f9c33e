-- The admin screens: a doctor's title and licence number (执业证号), and accounts an administrator
-- can disable. IF NOT EXISTS: the follow-up-care migration adds the same two doctor columns.
ALTER TABLE users ADD COLUMN IF NOT EXISTS title text;
ALTER TABLE users ADD COLUMN IF NOT EXISTS licence_number text;
ALTER TABLE users ADD COLUMN IF NOT EXISTS disabled_at timestamptz;

-- Reaching a patient off the page: when the doctor is ready and the patient is not in the room a
-- few seconds later, an SMS goes out through the outbox and the doctor sees when.
ALTER TABLE consultations ADD COLUMN IF NOT EXISTS patient_notified_at timestamptz;
-- The outbox of the follow-up-care work (server/outbox), the same table: IF NOT EXISTS so that
-- either migration may create it.
CREATE TABLE IF NOT EXISTS outbox (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel     text NOT NULL CHECK (channel IN ('sms')),
    recipient   text NOT NULL,
    body        text NOT NULL,               -- replaced by `redacted` once sent: a code is not kept
    redacted    text NOT NULL,
    status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts    integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz,
    last_error  text
);
CREATE INDEX IF NOT EXISTS outbox_pending_idx ON outbox (id) WHERE status = 'pending';
