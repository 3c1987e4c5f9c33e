"""SQL of the admin's figures."""

# Admin figures per department and day (in the time zone $2) for the last $1 days, and per department
# over the whole window (day IS NULL). A call is of poor quality when any report of either member
# crossed one of the limits $3 (packet loss %), $4 (round trip ms), $5 (jitter ms).
STATS = """
WITH c AS (
    SELECT c.department, (c.started_at AT TIME ZONE $2)::date AS day, c.status, c.diagnosis, c.rating,
           EXTRACT(EPOCH FROM c.started_at - e.enqueued_at) / 60.0 AS wait_minutes,
           CASE WHEN c.status = 'ended' THEN EXTRACT(EPOCH FROM c.ended_at - c.started_at) / 60.0 END AS length_minutes,
           EXISTS (SELECT 1 FROM consultation_status_events s
                   WHERE s.consultation_id = c.id AND s.to_status = 'interrupted') AS interrupted,
           EXISTS (SELECT 1 FROM call_quality q WHERE q.consultation_id = c.id) AS reported,
           EXISTS (SELECT 1 FROM call_quality q WHERE q.consultation_id = c.id
                   AND (q.packet_loss_pct > $3 OR q.rtt_ms > $4 OR q.jitter_ms > $5)) AS poor_quality
    FROM consultations c JOIN queue_entries e ON e.id = c.entry_id
    WHERE c.started_at >= (date_trunc('day', now() AT TIME ZONE $2) - ($1::int - 1) * interval '1 day') AT TIME ZONE $2
)
SELECT department, day, count(*) AS claimed,
       count(*) FILTER (WHERE status = 'ended') AS ended,
       count(*) FILTER (WHERE status = 'ended' AND diagnosis IS NOT NULL) AS completed,
       count(rating) AS ratings, avg(rating)::float AS rating_avg,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY wait_minutes) AS wait_median,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY wait_minutes) AS wait_p90,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY length_minutes) AS length_median,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY length_minutes) AS length_p90,
       count(*) FILTER (WHERE reported) AS calls_reported,
       count(*) FILTER (WHERE poor_quality) AS poor_quality_calls,
       count(*) FILTER (WHERE interrupted) AS interrupted
FROM c
GROUP BY GROUPING SETS ((department, day), (department))
ORDER BY department, day NULLS FIRST"""
TODAY = "SELECT (now() AT TIME ZONE $1)::date"

# ---- accounts the administrator manages (doctors, employers, administrators) ---------------------
STAFF = """
SELECT u.id, u.role, u.name, u.email, u.department, u.title, u.licence_number, u.organisation_id,
       o.name AS organisation_name, u.disabled_at, u.doctor_status
FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id
WHERE u.role <> 'patient' AND ($1::text IS NULL OR u.role = $1)
ORDER BY u.role, u.name, u.id"""
SET_DOCTOR_DETAILS = """
UPDATE users SET title = coalesce($2, title), licence_number = coalesce($3, licence_number),
                 department = coalesce($4, department)
WHERE id = $1 AND role = 'doctor' RETURNING id"""
SET_DISABLED = """
UPDATE users SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) END,
                 doctor_status = CASE WHEN $2 AND role = 'doctor' THEN 'offline' ELSE doctor_status END
WHERE id = $1 AND role <> 'patient' RETURNING id"""
ORGANISATIONS = """
SELECT o.id, o.name, count(u.id) FILTER (WHERE u.role = 'employer') AS employers
FROM organisations o LEFT JOIN users u ON u.organisation_id = o.id
GROUP BY o.id ORDER BY o.name"""
USER_ROLE = "SELECT role FROM users WHERE id = $1"
