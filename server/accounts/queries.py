"""SQL for users, organisations, departments and sessions."""

USER_COLUMNS = ("id, role, name, email, phone, department, organisation_id, doctor_status, auto_assign, birth_date, sex, "
                "licence_number, title")

INSERT_USER = f"""
INSERT INTO users (role, name, email, phone, password_hash, birth_date, sex, department, organisation_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
RETURNING {USER_COLUMNS}"""

# A disabled account signs in nowhere; totp_secret is the admin's second factor ('pending:...' until confirmed).
# A restricted account (its holder asked for deletion; docs/RETENTION.md) no longer signs in either.
USER_BY_LOGIN = f"""
SELECT {USER_COLUMNS}, password_hash, totp_secret FROM users
WHERE (email = lower($1) OR phone = $1) AND disabled_at IS NULL AND restricted_at IS NULL"""
LOGIN_TAKEN = "SELECT 1 FROM users WHERE ($1::text IS NOT NULL AND email = $1) OR ($2::text IS NOT NULL AND phone = $2)"

INSERT_SESSION = """
INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at)
VALUES ($1, $2, $3, now() + make_interval(hours => $4))"""
# Idle doctors' sessions end ($2 minutes without a request, 0: never); disabled accounts have none.
# A patient's health-data consent comes along (server/consent/middleware.py checks it on every health
# data route): read with the session, it costs no round trip of its own on each request.
# `stale`: a doctor's session whose use was last recorded over a minute ago. Use is recorded only
# where it decides something, a doctor's idle sign-out: recording every patient's too cost a write
# a minute per waiting page (and one per reconnect of every client of a crashed process).
SESSION_USER = f"""
SELECT s.csrf_token, u.role = 'doctor' AND s.last_seen_at < now() - interval '1 minute' AS stale,
       u.role = 'patient' AND consent_granted_since(u.id, 'health_data') IS NOT NULL AS health_data_consent,
       coalesce(u.totp_secret NOT LIKE 'pending:%', false) AS totp_enrolled,
       {', '.join('u.' + c.strip() for c in USER_COLUMNS.split(','))}
FROM sessions s JOIN users u ON u.id = s.user_id
WHERE s.token_hash = $1 AND s.expires_at > now() AND u.disabled_at IS NULL AND u.restricted_at IS NULL
  AND ($2 = 0 OR u.role <> 'doctor' OR s.last_seen_at > now() - make_interval(mins => $2))"""
TOUCH_SESSION = "UPDATE sessions SET last_seen_at = now() WHERE token_hash = $1"
DELETE_USER_SESSIONS = "DELETE FROM sessions WHERE user_id = $1 AND ($2::bytea IS NULL OR token_hash <> $2)"
PASSWORD_HASH = "SELECT password_hash FROM users WHERE id = $1"
SET_PASSWORD_HASH = "UPDATE users SET password_hash = $2 WHERE id = $1"
SET_TOTP_SECRET = "UPDATE users SET totp_secret = $2 WHERE id = $1"
TOTP_SECRET = "SELECT totp_secret FROM users WHERE id = $1"
DELETE_SESSION = "DELETE FROM sessions WHERE token_hash = $1"
DELETE_EXPIRED_SESSIONS = "DELETE FROM sessions WHERE expires_at < now()"

# Written only when a name changed: every process start runs it, and rewriting a department's row
# would lock it (its queue's seq lives there) under every arrival and claim of an outbreak.
UPSERT_DEPARTMENT = """
INSERT INTO departments (code, name_zh, name_en) VALUES ($1, $2, $3)
ON CONFLICT (code) DO UPDATE SET name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en
WHERE (departments.name_zh, departments.name_en) IS DISTINCT FROM (EXCLUDED.name_zh, EXCLUDED.name_en)"""
DEPARTMENT_EXISTS = "SELECT 1 FROM departments WHERE code = $1"

INSERT_ORGANISATION = "INSERT INTO organisations (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id, name"
ORGANISATION_BY_NAME = "SELECT id, name FROM organisations WHERE name = $1"
ORGANISATION_EXISTS = "SELECT 1 FROM organisations WHERE id = $1"

SET_DOCTOR_STATUS = """
UPDATE users SET doctor_status = $2, auto_assign = coalesce($3, auto_assign)
WHERE id = $1 AND role = 'doctor' RETURNING doctor_status, auto_assign"""

# ---- sign-in by SMS code (server/accounts/codes.py) ---------------------------------------------
USER_BY_PHONE = f"SELECT {USER_COLUMNS} FROM users WHERE phone = $1 AND restricted_at IS NULL"
CODES_SENT_SINCE = "SELECT count(*) FROM phone_codes WHERE phone = $1 AND created_at > now() - make_interval(secs => $2)"
INSERT_PHONE_CODE = """
INSERT INTO phone_codes (phone, code_hash, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))"""
# The latest unused, unexpired code with this hash is spent; a second use finds nothing.
SPEND_PHONE_CODE = """
UPDATE phone_codes SET used_at = now()
WHERE id = (SELECT id FROM phone_codes WHERE phone = $1 AND code_hash = $2 AND used_at IS NULL AND expires_at > now()
            ORDER BY id DESC LIMIT 1)
RETURNING id"""
ENSURE_FAILURE_ROW = "INSERT INTO phone_code_failures (phone) VALUES ($1) ON CONFLICT (phone) DO NOTHING"
FAILURES_FOR_UPDATE = "SELECT failures, window_start, locked_until FROM phone_code_failures WHERE phone = $1 FOR UPDATE"
LOCKED_UNTIL = "SELECT locked_until FROM phone_code_failures WHERE phone = $1 AND locked_until > now()"
# A failure outside the window starts a new count; the limit-th failure locks codes for the lock time.
RECORD_FAILURE = """
UPDATE phone_code_failures SET
    failures = CASE WHEN window_start < now() - make_interval(secs => $2) THEN 1 ELSE failures + 1 END,
    window_start = CASE WHEN window_start < now() - make_interval(secs => $2) THEN now() ELSE window_start END,
    locked_until = CASE WHEN (CASE WHEN window_start < now() - make_interval(secs => $2) THEN 1 ELSE failures + 1 END) >= $3
                        THEN now() + make_interval(secs => $2) ELSE locked_until END
WHERE phone = $1
RETURNING failures, locked_until"""
CLEAR_FAILURES = "UPDATE phone_code_failures SET failures = 0, locked_until = NULL WHERE phone = $1"
SET_PASSWORD = "UPDATE users SET password_hash = $2 WHERE id = $1"
END_SESSIONS_OF = "DELETE FROM sessions WHERE user_id = $1"
SET_PROFESSIONAL = f"UPDATE users SET licence_number = $2, title = $3 WHERE id = $1 RETURNING {USER_COLUMNS}"
