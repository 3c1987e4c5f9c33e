"""SQL for server-process heartbeats and consultation-room presence."""

HEARTBEAT = """
INSERT INTO server_instances (id) VALUES ($1)
ON CONFLICT (id) DO UPDATE SET heartbeat = now()"""
# Each process heartbeats every HEARTBEAT_SECONDS (server/presence/service.py `heartbeats`); the rows
# of a process silent for four beats belong to a dead process and are ignored, then removed.
HEARTBEAT_SECONDS = 5
STALE_AFTER_SECONDS = 4 * HEARTBEAT_SECONDS
STALE_AFTER = f"interval '{STALE_AFTER_SECONDS} seconds'"
FORGET_DEAD_INSTANCES = f"""
WITH dead AS (DELETE FROM server_instances WHERE heartbeat < now() - {STALE_AFTER} RETURNING id),
     watchers AS (DELETE FROM queue_watchers WHERE instance_id IN (SELECT id FROM dead))
DELETE FROM room_presence WHERE instance_id IN (SELECT id FROM dead)
RETURNING consultation_id, role"""
FORGET_INSTANCE = "DELETE FROM server_instances WHERE id = $1"
FORGET_INSTANCE_PRESENCE = "DELETE FROM room_presence WHERE instance_id = $1"

ENTER = """
INSERT INTO room_presence (sid, instance_id, consultation_id, user_id, role) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (sid) DO UPDATE SET consultation_id = EXCLUDED.consultation_id, role = EXCLUDED.role"""
LEAVE_SID = "DELETE FROM room_presence WHERE sid = $1 RETURNING consultation_id, role"
ROLES_PRESENT = f"""
SELECT DISTINCT p.role FROM room_presence p JOIN server_instances i ON i.id = p.instance_id
WHERE p.consultation_id = $1 AND i.heartbeat > now() - {STALE_AFTER}"""
