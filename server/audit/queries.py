"""SQL for the append-only audit log."""

INSERT_AUDIT = """
INSERT INTO audit_log (actor_id, actor_role, action, object_type, object_id, allowed, ip, detail)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"""

LIST_AUDIT = """
SELECT a.id, a.at, a.actor_id, a.actor_role, u.name AS actor_name, a.action, a.object_type, a.object_id,
       a.allowed, a.ip, a.detail
FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
WHERE ($1::text IS NULL OR a.object_type = $1)
  AND ($2::text IS NULL OR a.object_id = $2)
  AND ($3::bigint IS NULL OR a.actor_id = $3)
  AND ($4::boolean IS NULL OR a.allowed = $4)
  AND ($6::bigint IS NULL OR a.id < $6)
ORDER BY a.id DESC LIMIT $5"""
