"""SQL for call guests."""

INSERT_GUEST = """
INSERT INTO consultation_guests (consultation_id, token_hash, name, relation, invited_by, expires_at)
VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))
RETURNING id, consultation_id, name, relation, expires_at"""

GUEST_BY_TOKEN = """
SELECT g.id, g.consultation_id, g.name, g.relation, c.status, c.patient_id
FROM consultation_guests g JOIN consultations c ON c.id = g.consultation_id
WHERE g.token_hash = $1 AND g.expires_at > now()"""

MARK_JOINED = "UPDATE consultation_guests SET joined_at = coalesce(joined_at, now()) WHERE id = $1"
GUEST_OPEN = """
SELECT 1 FROM consultation_guests g JOIN consultations c ON c.id = g.consultation_id
WHERE g.id = $1 AND g.expires_at > now() AND c.status <> 'ended'"""
