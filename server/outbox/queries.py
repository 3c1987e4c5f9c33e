"""SQL for the outbox."""

INSERT_MESSAGE = "INSERT INTO outbox (channel, recipient, body, redacted) VALUES ($1, $2, $3, $4) RETURNING id"

# One process takes a batch; another process skips the rows already taken.
TAKE_PENDING = """
SELECT id, channel, recipient, body FROM outbox
WHERE status = 'pending' AND attempts < $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED"""

MARK_SENT = "UPDATE outbox SET status = 'sent', sent_at = now(), attempts = attempts + 1, body = redacted WHERE id = $1"
MARK_FAILED = """
UPDATE outbox SET attempts = attempts + 1, last_error = $2,
    status = CASE WHEN attempts + 1 >= $3 THEN 'failed' ELSE 'pending' END,
    body = CASE WHEN attempts + 1 >= $3 THEN redacted ELSE body END
WHERE id = $1"""
