"""SQL for employers: staff enrollment, invitations, screenings and the status an employer may see.

Every employer query takes the organisation id as $1, taken from the signed-in employer's own
account, never from the client.
"""


# --- import: the file's good rows are copied into a temp table, then upserted in one statement.
CREATE_IMPORT_TABLE = """
CREATE TEMP TABLE staff_import (
    employee_ref text NOT NULL, name text NOT NULL, phone text NOT NULL, email text, department text
) ON COMMIT DROP"""
IMPORT_TABLE = "staff_import"
IMPORT_COLUMNS = ("employee_ref", "name", "phone", "email", "department")

# `xmax = 0` tells a freshly inserted row from an updated one; an unchanged row is not updated at
# all (the WHERE of DO UPDATE), so re-uploading the same file writes nothing.
UPSERT_IMPORTED = """
WITH written AS (
    INSERT INTO enrollments (organisation_id, employee_ref, name, phone, email, department)
    SELECT $1, employee_ref, name, phone, email, department FROM staff_import
    ON CONFLICT (organisation_id, employee_ref) DO UPDATE
        SET name = EXCLUDED.name, phone = EXCLUDED.phone, email = EXCLUDED.email,
            department = EXCLUDED.department, updated_at = now()
        WHERE (enrollments.name, enrollments.phone, enrollments.email, enrollments.department)
              IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.phone, EXCLUDED.email, EXCLUDED.department)
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted) AS created, count(*) FILTER (WHERE NOT inserted) AS updated
FROM written"""

# --- status: the latest screening since the person linked their account (never one from before
# the link, and nothing at all once they withdraw it: patient_id is then NULL).
_STAFF_STATUS = """
WITH staff AS (
    SELECT e.id, e.employee_ref, e.name, e.department, e.patient_id IS NOT NULL AS bound,
           EXISTS (SELECT 1 FROM invitations i WHERE i.enrollment_id = e.id) AS invited,
           s.result, s.screened_at, s.valid_until
    FROM enrollments e
    LEFT JOIN LATERAL (
        SELECT result, screened_at, valid_until FROM screenings
        WHERE screenings.patient_id = e.patient_id AND screenings.screened_at >= e.bound_at
          -- only while the person's consent to share it is in force (withdrawn: the employer sees pending)
          AND consent_granted_since(e.patient_id, 'employer_screening') IS NOT NULL
        ORDER BY screened_at DESC, id DESC LIMIT 1
    ) s ON true
    WHERE e.organisation_id = $1
), staff_status AS (
    SELECT staff.*, CASE
        WHEN result IS NULL THEN 'pending'
        WHEN result = 'not_cleared' THEN 'not_cleared'
        WHEN valid_until > now() THEN 'cleared'
        ELSE 'expired' END AS status
    FROM staff
)"""

STAFF_LIST = _STAFF_STATUS + """
SELECT employee_ref, name, department, status, screened_at, valid_until, invited, bound
FROM staff_status
WHERE ($2::text IS NULL OR status = $2)
ORDER BY employee_ref"""

# One page of it, keyset-paged on employee_ref (unique per organisation): rows after $3, at most $4.
# The CTEs are inlined, so the organisation's (organisation_id, employee_ref) index is walked from
# $3 onwards and stops once $4 rows of the status were found.
STAFF_PAGE = _STAFF_STATUS + """
SELECT employee_ref, name, department, status, screened_at, valid_until, invited, bound
FROM staff_status
WHERE ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR employee_ref > $3)
ORDER BY employee_ref LIMIT $4"""

STAFF_MEMBER = _STAFF_STATUS + """
SELECT employee_ref, name, department, status, screened_at, valid_until, invited, bound
FROM staff_status WHERE employee_ref = $2"""

STATUS_COUNTS = _STAFF_STATUS + "SELECT status, count(*) AS n FROM staff_status GROUP BY status"

# Per day (in the clinic's time zone) of the last $3 days: how many linked staff were cleared or
# not cleared, counting each person's last screening of that day once.
DAILY_COUNTS = """
WITH days AS (
    SELECT d::date AS day FROM generate_series((now() AT TIME ZONE $2)::date - ($3::int - 1),
                                               (now() AT TIME ZONE $2)::date, interval '1 day') d
), last_of_day AS (
    SELECT DISTINCT ON (e.id, (s.screened_at AT TIME ZONE $2)::date)
           (s.screened_at AT TIME ZONE $2)::date AS day, s.result
    FROM enrollments e
    JOIN screenings s ON s.patient_id = e.patient_id AND s.screened_at >= e.bound_at
        AND consent_granted_since(e.patient_id, 'employer_screening') IS NOT NULL
    WHERE e.organisation_id = $1 AND s.screened_at >= now() - make_interval(days => $3::int + 1)
    ORDER BY e.id, (s.screened_at AT TIME ZONE $2)::date, s.screened_at DESC, s.id DESC
)
SELECT days.day,
       count(last_of_day.day) FILTER (WHERE last_of_day.result = 'cleared') AS cleared,
       count(last_of_day.day) FILTER (WHERE last_of_day.result = 'not_cleared') AS not_cleared
FROM days LEFT JOIN last_of_day ON last_of_day.day = days.day
GROUP BY days.day ORDER BY days.day"""

# --- invitations
ENROLLMENTS_TO_INVITE = """
SELECT id, employee_ref, name, patient_id FROM enrollments
WHERE organisation_id = $1 AND ($2::text[] IS NULL OR employee_ref = ANY($2::text[]))
ORDER BY employee_ref"""

# A re-issue replaces the links still unused: two "issue" calls never leave two valid links per person.
REVOKE_UNUSED_INVITATIONS = """
UPDATE invitations SET revoked_at = now()
WHERE enrollment_id = ANY($1::bigint[]) AND used_at IS NULL AND revoked_at IS NULL"""
INSERT_INVITATIONS = """
INSERT INTO invitations (enrollment_id, token_hash, issued_by, expires_at)
SELECT enrollment_id, token_hash, $3, $4
FROM unnest($1::bigint[], $2::bytea[]) AS t(enrollment_id, token_hash)"""

INVITATION_BY_HASH = """
SELECT i.id, i.enrollment_id, i.expires_at, i.used_at, i.revoked_at, e.employee_ref, e.name, e.phone, e.patient_id,
       e.organisation_id, o.name AS organisation
FROM invitations i JOIN enrollments e ON e.id = i.enrollment_id JOIN organisations o ON o.id = e.organisation_id
WHERE i.token_hash = $1"""
INVITATION_BY_HASH_FOR_UPDATE = INVITATION_BY_HASH + " FOR UPDATE OF i, e"

PATIENT_LINKED_IN_ORG = "SELECT 1 FROM enrollments WHERE organisation_id = $1 AND patient_id = $2"
MARK_INVITATION_USED = "UPDATE invitations SET used_at = now(), used_by = $2 WHERE id = $1"
BIND_ENROLLMENT = """
UPDATE enrollments SET patient_id = $2, bound_at = now(), withdrawn_at = NULL, updated_at = now()
WHERE id = $1 RETURNING id, bound_at"""

# --- the person's own links
MY_ENROLLMENTS = """
SELECT e.id, o.name AS organisation, e.employee_ref, e.name, e.department, e.bound_at
FROM enrollments e JOIN organisations o ON o.id = e.organisation_id
WHERE e.patient_id = $1 ORDER BY e.bound_at"""
WITHDRAW_ENROLLMENT = """
UPDATE enrollments SET patient_id = NULL, bound_at = NULL, withdrawn_at = now(), updated_at = now()
WHERE id = $1 AND patient_id = $2 RETURNING id, organisation_id"""
IS_LINKED = "SELECT EXISTS (SELECT 1 FROM enrollments WHERE patient_id = $1)"

# --- screenings
INSERT_SCREENING = """
INSERT INTO screenings (patient_id, assessment_id, result, screened_at, valid_until)
VALUES ($1, $2, $3, $4, $5)
RETURNING id, patient_id, assessment_id, result, screened_at, valid_until"""
LATEST_SCREENING = """
SELECT s.id, s.result, s.screened_at, s.valid_until, s.assessment_id
FROM screenings s WHERE s.patient_id = $1 ORDER BY s.screened_at DESC, s.id DESC LIMIT 1"""
NOW = "SELECT now()"  # the transaction's time: screened_at and bound_at compare on the same clock
