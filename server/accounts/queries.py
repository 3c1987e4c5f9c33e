"""SQL for users, organisations, departments and sessions."""

USER_COLUMNS = "id, role, name, email, phone, department, organisation_id, doctor_status, auto_assign, birth_date, sex"

INSERT_USER = f"""
INSERT INTO users (role, name, email, phone, password_hash, birth_date, sex, department, organisation_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
RETURNING {USER_COLUMNS}"""

# A disabled account (an administrator switched it off) cannot sign in, and its sessions stop working.
USER_BY_LOGIN = f"SELECT {USER_COLUMNS}, password_hash FROM users WHERE (email = lower($1) OR phone = $1) AND disabled_at IS NULL"
LOGIN_TAKEN = "SELECT 1 FROM users WHERE ($1::text IS NOT NULL AND email = $1) OR ($2::text IS NOT NULL AND phone = $2)"

INSERT_SESSION = """
INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at)
VALUES ($1, $2, $3, now() + make_interval(hours => $4))"""
SESSION_USER = f"""
SELECT s.csrf_token, {', '.join('u.' + c.strip() for c in USER_COLUMNS.split(','))}
FROM sessions s JOIN users u ON u.id = s.user_id
WHERE s.token_hash = $1 AND s.expires_at > now() AND u.disabled_at IS NULL"""
DELETE_SESSION = "DELETE FROM sessions WHERE token_hash = $1"
DELETE_EXPIRED_SESSIONS = "DELETE FROM sessions WHERE expires_at < now()"

UPSERT_DEPARTMENT = """
INSERT INTO departments (code, name_zh, name_en) VALUES ($1, $2, $3)
ON CONFLICT (code) DO UPDATE SET name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en"""
DEPARTMENT_EXISTS = "SELECT 1 FROM departments WHERE code = $1"

INSERT_ORGANISATION = "INSERT INTO organisations (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id, name"
ORGANISATION_BY_NAME = "SELECT id, name FROM organisations WHERE name = $1"
ORGANISATION_EXISTS = "SELECT 1 FROM organisations WHERE id = $1"

SET_DOCTOR_STATUS = """
UPDATE users SET doctor_status = $2, auto_assign = coalesce($3, auto_assign)
WHERE id = $1 AND role = 'doctor' RETURNING doctor_status, auto_assign"""

DOCTOR_STATUS = "SELECT doctor_status FROM users WHERE id = $1 AND role = 'doctor'"
