-- Home watch: streets, homes of older people living alone, their devices and events, durable
-- rule timers, alerts with their timeline and notifications, and an outbox for SMS / voice calls.

-- New roles: the street operator (runs one street, also its duty desk), the street's carers and
-- volunteers, and family members of residents. The resident is a `patient` account.
-- The list also keeps `pharmacist` (added by the prescriptions work) valid whichever runs first.
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('patient', 'doctor', 'employer', 'admin', 'pharmacist', 'street_operator', 'carer', 'family'));

CREATE TABLE hw_streets (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Operators and carers belong to one street; a carer to one community of it (null: the whole street).
CREATE TABLE hw_staff (
    user_id     bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    street_id   bigint NOT NULL REFERENCES hw_streets(id),
    community   text,
    on_duty     boolean NOT NULL DEFAULT false,
    duty_since  timestamptz
);
CREATE INDEX hw_staff_duty_idx ON hw_staff (street_id, community) WHERE on_duty;

CREATE TABLE hw_homes (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    street_id          bigint NOT NULL REFERENCES hw_streets(id),
    community          text NOT NULL,
    address            text NOT NULL,
    resident_name      text NOT NULL,
    resident_birth_date date,
    resident_user_id   bigint REFERENCES users(id),     -- the resident's own (patient) account, if any
    doctor_id          bigint REFERENCES users(id),     -- the contracted family doctor (签约医生)
    key_safe_code      text,
    conditions         text,
    medicines          text,
    contacts           jsonb NOT NULL DEFAULT '[]'::jsonb,
    -- What the resident (or guardian) agreed to: family_daily_summary, family_movement_history,
    -- video_auto_answer; each {granted, at}. Withdrawing sets granted false.
    consent            jsonb NOT NULL DEFAULT '{}'::jsonb,
    rules              jsonb NOT NULL DEFAULT '{}'::jsonb,
    away               boolean NOT NULL DEFAULT false,
    -- Home state from presence events, ordered by the events' own (judged) time.
    last_room          text,
    room_since         timestamptz,
    last_movement_at   timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hw_homes_street_idx ON hw_homes (street_id, community);

CREATE TABLE hw_family (
    home_id     bigint NOT NULL REFERENCES hw_homes(id) ON DELETE CASCADE,
    user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (home_id, user_id)
);
CREATE INDEX hw_family_user_idx ON hw_family (user_id);

CREATE TABLE hw_devices (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    home_id       bigint NOT NULL REFERENCES hw_homes(id) ON DELETE CASCADE,
    kind          text NOT NULL CHECK (kind IN ('presence', 'button', 'hub')),
    room          text CHECK (room IN ('bedroom', 'living_room', 'bathroom', 'kitchen', 'hall')),
    token_hash    bytea,                      -- sha256 of its HTTP bearer token (shown once)
    mqtt_username text UNIQUE,
    last_seen_at  timestamptz,
    battery_pct   smallint,
    clock_suspect boolean NOT NULL DEFAULT false,  -- sent a time far ahead or far behind its arrival
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hw_devices_home_idx ON hw_devices (home_id);

-- Sensor history: health data (role- and consent-checked, audited, deleted after the retention period).
CREATE TABLE hw_events (
    device_id    bigint NOT NULL REFERENCES hw_devices(id) ON DELETE CASCADE,
    event_id     text NOT NULL,
    home_id      bigint NOT NULL REFERENCES hw_homes(id) ON DELETE CASCADE,
    kind         text NOT NULL,
    room         text,
    battery_pct  smallint,
    device_at    timestamptz,          -- the time the device stamped
    at           timestamptz NOT NULL, -- the time it is judged by (device_at unless implausible)
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (device_id, event_id)  -- a duplicate delivery changes nothing
);
CREATE INDEX hw_events_presence_idx ON hw_events (home_id, at) WHERE kind = 'presence';
CREATE INDEX hw_events_received_idx ON hw_events (received_at);

-- Durable timers: one row per (kind, subject), fired by any process with FOR UPDATE SKIP LOCKED.
-- kinds: stay (subject home:<id>), inactivity (home:<id>), silent (device:<id>), broker (broker).
CREATE TABLE hw_timers (
    kind        text NOT NULL,
    subject     text NOT NULL,
    home_id     bigint REFERENCES hw_homes(id) ON DELETE CASCADE,
    device_id   bigint REFERENCES hw_devices(id) ON DELETE CASCADE,
    room        text,
    since       timestamptz,
    due_at      timestamptz,
    fired_at    timestamptz,
    PRIMARY KEY (kind, subject)
);
CREATE INDEX hw_timers_due_idx ON hw_timers (due_at) WHERE fired_at IS NULL AND due_at IS NOT NULL;

CREATE TABLE hw_alerts (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    home_id            bigint REFERENCES hw_homes(id) ON DELETE CASCADE,   -- null: monitoring itself
    street_id          bigint REFERENCES hw_streets(id),                  -- null: every street
    kind               text NOT NULL,
    level              smallint NOT NULL,
    status             text NOT NULL DEFAULT 'raised'
                       CHECK (status IN ('raised', 'acknowledged', 'en_route', 'on_site', 'resolved', 'closed')),
    dedupe_key         text NOT NULL,
    device_id          bigint REFERENCES hw_devices(id) ON DELETE SET NULL,
    owner_id           bigint REFERENCES users(id),
    raised_at          timestamptz NOT NULL DEFAULT now(),
    due_at             timestamptz,         -- when the rule said it was due (lateness = raised_at - due_at)
    acknowledged_at    timestamptz,
    en_route_at        timestamptz,
    on_site_at         timestamptz,
    resolved_at        timestamptz,
    closed_at          timestamptz,
    outcome            text,
    note               text,
    escalation_step    smallint NOT NULL DEFAULT 0,   -- 0 not yet sent, 1 community, 2 street, 3+ duty desk
    next_step_at       timestamptz,                   -- the dispatcher's durable timer
    rating             smallint CHECK (rating BETWEEN 1 AND 5),
    rating_comment     text
);
-- One open alert per key: a duplicate or a second process raising the same alert is a no-op.
CREATE UNIQUE INDEX hw_alerts_open_key ON hw_alerts (dedupe_key) WHERE status <> 'closed';
CREATE INDEX hw_alerts_next_step_idx ON hw_alerts (next_step_at) WHERE next_step_at IS NOT NULL;
CREATE INDEX hw_alerts_street_idx ON hw_alerts (street_id, raised_at DESC);
CREATE INDEX hw_alerts_home_idx ON hw_alerts (home_id, raised_at DESC);

CREATE TABLE hw_timeline (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_id    bigint NOT NULL REFERENCES hw_alerts(id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT now(),
    event       text NOT NULL,
    by_user     bigint REFERENCES users(id),
    detail      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX hw_timeline_alert_idx ON hw_timeline (alert_id, id);

CREATE TABLE hw_notified (
    alert_id    bigint NOT NULL REFERENCES hw_alerts(id) ON DELETE CASCADE,
    user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role        text NOT NULL,
    step        smallint NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (alert_id, user_id, step)
);

-- SMS and voice calls, sent by any process (SKIP LOCKED) through a sender, retried with backoff.
CREATE TABLE hw_outbox (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_id     bigint REFERENCES hw_alerts(id) ON DELETE CASCADE,
    user_id      bigint REFERENCES users(id) ON DELETE CASCADE,
    channel      text NOT NULL CHECK (channel IN ('sms', 'voice')),
    phone        text NOT NULL,
    text_key     text NOT NULL,       -- a texts.py key: the message carries no health details
    attempts     smallint NOT NULL DEFAULT 0,
    next_try_at  timestamptz NOT NULL DEFAULT now(),
    sent_at      timestamptz,
    failed_at    timestamptz,
    last_error   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (alert_id, user_id, channel)
);
CREATE INDEX hw_outbox_due_idx ON hw_outbox (next_try_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- The broker connection as the processes see it (one row): down since when, and its alert.
CREATE TABLE hw_monitor (
    id            boolean PRIMARY KEY DEFAULT true CHECK (id),
    down_since    timestamptz,
    up_since      timestamptz
);
INSERT INTO hw_monitor (id) VALUES (true);
