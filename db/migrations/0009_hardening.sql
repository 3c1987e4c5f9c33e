-- Hardening: rate-limit counters shared by every process, idempotent resends, session and account
-- lifecycle, and invitations that a re-issue revokes.

-- Rate limits (server/web/ratelimit.py) when no Redis is configured: one row per key and window.
CREATE UNLOGGED TABLE rate_limits (
    key         text PRIMARY KEY,
    hits        integer NOT NULL,
    window_ends timestamptz NOT NULL,
    last_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rate_limits_window_idx ON rate_limits (window_ends);

-- Chat carries the client's own message id: a resend after a lost ack stores nothing twice.
ALTER TABLE messages ADD COLUMN client_id text CHECK (length(client_id) <= 64);
CREATE UNIQUE INDEX messages_client_id_idx ON messages (consultation_id, sender_id, client_id)
    WHERE client_id IS NOT NULL;

-- State-changing POSTs with an Idempotency-Key: the first answer is kept and replayed for a day.
CREATE TABLE idempotency_keys (
    user_id     bigint NOT NULL,
    key         text NOT NULL CHECK (length(key) <= 200),
    method      text NOT NULL,
    path        text NOT NULL,
    status      integer,             -- null while the first request is still being answered
    body        bytea,
    content_type text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- Staff lifecycle: disabled accounts sign in nowhere; admins add a TOTP second factor; sessions
-- remember when they were last used so idle doctor sessions expire.
ALTER TABLE users ADD COLUMN disabled_at timestamptz;
ALTER TABLE users ADD COLUMN totp_secret text;
ALTER TABLE sessions ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();

-- Invitations: a re-issue revokes the earlier unused links of the same enrollment.
ALTER TABLE invitations ADD COLUMN revoked_at timestamptz;
