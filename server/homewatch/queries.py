"""Every SQL statement of home watch."""

# --- streets, staff, homes -------------------------------------------------------------------
INSERT_STREET = "INSERT INTO hw_streets (name) VALUES ($1) RETURNING id, name"
STREET_BY_NAME = "SELECT id, name FROM hw_streets WHERE name = $1"
STREET_EXISTS = "SELECT 1 FROM hw_streets WHERE id = $1"
INSERT_STAFF = """
INSERT INTO hw_staff (user_id, street_id, community) VALUES ($1, $2, $3)
ON CONFLICT (user_id) DO UPDATE SET street_id = EXCLUDED.street_id, community = EXCLUDED.community"""
STAFF = "SELECT user_id, street_id, community, on_duty, duty_since FROM hw_staff WHERE user_id = $1"
SET_DUTY = """
UPDATE hw_staff SET on_duty = $2, duty_since = CASE WHEN $2 THEN now() END WHERE user_id = $1
RETURNING user_id, street_id, community, on_duty, duty_since"""

INSERT_HOME = """
INSERT INTO hw_homes (street_id, community, address, resident_name, resident_birth_date, resident_user_id,
                      doctor_id, key_safe_code, conditions, medicines, contacts, consent, rules)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING *"""
HOME = "SELECT * FROM hw_homes WHERE id = $1"
# NO KEY UPDATE: orders one home's events, yet lets rows referring to the home (events, alerts) be
# inserted meanwhile (their foreign-key check takes KEY SHARE, which FOR UPDATE would block).
HOME_FOR_UPDATE = "SELECT * FROM hw_homes WHERE id = $1 FOR NO KEY UPDATE"
HOMES_OF_STREET = "SELECT * FROM hw_homes WHERE street_id = $1 ORDER BY community, id"
HOMES_OF_FAMILY = """
SELECT h.* FROM hw_homes h JOIN hw_family f ON f.home_id = h.id WHERE f.user_id = $1 ORDER BY h.id"""
HOMES_OF_DOCTOR = "SELECT * FROM hw_homes WHERE doctor_id = $1 ORDER BY id"
HOMES_OF_RESIDENT = "SELECT * FROM hw_homes WHERE resident_user_id = $1 ORDER BY id"
INSERT_FAMILY = "INSERT INTO hw_family (home_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
FAMILY_OF_HOME = "SELECT user_id FROM hw_family WHERE home_id = $1"
IS_FAMILY = "SELECT EXISTS (SELECT 1 FROM hw_family WHERE home_id = $1 AND user_id = $2)"
SET_RULES = "UPDATE hw_homes SET rules = $2 WHERE id = $1 RETURNING rules"
SET_AWAY = "UPDATE hw_homes SET away = $2 WHERE id = $1 RETURNING away"
SET_CONSENT = "UPDATE hw_homes SET consent = $2 WHERE id = $1 RETURNING consent"
SET_STATE = """
UPDATE hw_homes SET last_room = $2, room_since = $3,
       last_movement_at = GREATEST(last_movement_at, $4) WHERE id = $1 RETURNING last_movement_at"""

# The home's state from its presence events ordered by their judged time, so a late or
# out-of-order event lands where it belongs: the latest event's room, since the first event of the
# run of events in that room that ends with it.
PRESENCE_STATE = """
WITH latest AS (
    SELECT room, at FROM hw_events WHERE home_id = $1 AND kind = 'presence'
    ORDER BY at DESC, received_at DESC LIMIT 1),
broke AS (
    SELECT max(e.at) AS at FROM hw_events e, latest
    WHERE e.home_id = $1 AND e.kind = 'presence' AND e.room IS DISTINCT FROM latest.room)
SELECT latest.room, latest.at AS last_at,
       (SELECT min(e.at) FROM hw_events e, broke
        WHERE e.home_id = $1 AND e.kind = 'presence' AND e.at > COALESCE(broke.at, '-infinity')) AS since
FROM latest"""

# --- devices and events ------------------------------------------------------------------------
INSERT_DEVICE = "INSERT INTO hw_devices (home_id, kind, room) VALUES ($1, $2, $3) RETURNING *"
SET_DEVICE_TOKEN = "UPDATE hw_devices SET token_hash = $2 WHERE id = $1"
SET_DEVICE_USERNAME = "UPDATE hw_devices SET mqtt_username = $2 WHERE id = $1"
DEVICE = "SELECT * FROM hw_devices WHERE id = $1"
DELETE_DEVICE = "DELETE FROM hw_devices WHERE id = $1"
DEVICES_OF_HOME = "SELECT * FROM hw_devices WHERE home_id = $1 ORDER BY id"
INSERT_EVENT = """
INSERT INTO hw_events (device_id, event_id, home_id, kind, room, battery_pct, device_at, at, received_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING at"""
# A heartbeat touches only its device: stored, device seen, silence timer moved, in one statement
# (one round trip, no home lock). Returns 1, or nothing for a duplicate.
HEARTBEAT = """
WITH stored AS (
    INSERT INTO hw_events (device_id, event_id, home_id, kind, device_at, at, received_at)
    VALUES ($1, $2, $3, 'heartbeat', $4, $5, $6) ON CONFLICT DO NOTHING RETURNING device_id),
seen AS (
    UPDATE hw_devices SET last_seen_at = GREATEST(last_seen_at, $6), clock_suspect = clock_suspect OR $7
    WHERE id = $1 AND EXISTS (SELECT 1 FROM stored)),
timer AS (
    INSERT INTO hw_timers (kind, subject, home_id, device_id, since, due_at)
    SELECT 'silent', 'device:' || $1, $3, $1, $6,
           $6 + make_interval(secs => COALESCE((h.rules->>'heartbeat_timeout_seconds')::int, $8))
    FROM hw_homes h WHERE h.id = $3 AND EXISTS (SELECT 1 FROM stored)
    ON CONFLICT (kind, subject) DO UPDATE SET since = EXCLUDED.since, due_at = EXCLUDED.due_at, fired_at = NULL)
SELECT count(*) FROM stored"""
# Many heartbeats in one statement (the broker link gathers them for a few milliseconds): the rows
# stored are returned, so each delivery learns whether it was new; devices and timers are updated
# once per device (a statement may not touch one row twice).
HEARTBEATS = """
WITH batch AS (
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::timestamptz[], $5::timestamptz[],
                         $6::timestamptz[], $7::boolean[]) AS b(device_id, event_id, home_id, device_at, at,
                                                              received_at, suspect)),
stored AS (
    INSERT INTO hw_events (device_id, event_id, home_id, kind, device_at, at, received_at)
    SELECT device_id, event_id, home_id, 'heartbeat', device_at, at, received_at FROM batch
    ON CONFLICT DO NOTHING RETURNING device_id, event_id),
per_device AS (
    SELECT b.device_id, max(b.home_id) AS home_id, max(b.received_at) AS received_at, bool_or(b.suspect) AS suspect
    FROM batch b JOIN stored s USING (device_id, event_id) GROUP BY b.device_id),
seen AS (
    UPDATE hw_devices d SET last_seen_at = GREATEST(d.last_seen_at, p.received_at),
           clock_suspect = d.clock_suspect OR p.suspect
    FROM per_device p WHERE d.id = p.device_id),
timer AS (
    INSERT INTO hw_timers (kind, subject, home_id, device_id, since, due_at)
    SELECT 'silent', 'device:' || p.device_id, p.home_id, p.device_id, p.received_at,
           p.received_at + make_interval(secs => COALESCE((h.rules->>'heartbeat_timeout_seconds')::int, $8))
    FROM per_device p JOIN hw_homes h ON h.id = p.home_id
    ON CONFLICT (kind, subject) DO UPDATE SET since = EXCLUDED.since, due_at = EXCLUDED.due_at, fired_at = NULL)
SELECT device_id, event_id FROM stored"""
# A heartbeat batch takes its devices' rows first, in id order, so two batches (or a batch and a
# presence event, which takes its device's row before its timers) never wait on each other in a cycle.
LOCK_DEVICES = "SELECT id FROM hw_devices WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE"
DEVICE_SEEN = """
UPDATE hw_devices SET last_seen_at = GREATEST(last_seen_at, $2),
       battery_pct = COALESCE($3, battery_pct), clock_suspect = clock_suspect OR $4
WHERE id = $1"""
EVENTS_OF_HOME = """
SELECT device_id, event_id, kind, room, battery_pct, at, received_at FROM hw_events
WHERE home_id = $1 AND at >= $2 ORDER BY at DESC LIMIT $3"""
DELETE_OLD_EVENTS = "DELETE FROM hw_events WHERE received_at < now() - make_interval(days => $1)"

# --- durable timers ----------------------------------------------------------------------------
TIMER = "SELECT * FROM hw_timers WHERE kind = $1 AND subject = $2"
UPSERT_TIMER = """
INSERT INTO hw_timers (kind, subject, home_id, device_id, room, since, due_at, fired_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (kind, subject) DO UPDATE SET room = EXCLUDED.room, since = EXCLUDED.since,
    due_at = EXCLUDED.due_at, fired_at = EXCLUDED.fired_at"""
# Any process takes the due timers nobody else holds; the row lock lasts until its transaction ends.
DUE_TIMERS = """
SELECT * FROM hw_timers WHERE fired_at IS NULL AND due_at <= now()
ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED"""
FIRE_TIMER = "UPDATE hw_timers SET fired_at = now() WHERE kind = $1 AND subject = $2"
POSTPONE_TIMER = "UPDATE hw_timers SET due_at = $3 WHERE kind = $1 AND subject = $2"

# --- the broker as the processes see it ---------------------------------------------------------
MONITOR = "SELECT down_since, up_since FROM hw_monitor WHERE id"
BROKER_DOWN = """
INSERT INTO hw_monitor (id, down_since) VALUES (true, now())
ON CONFLICT (id) DO UPDATE SET down_since = COALESCE(hw_monitor.down_since, now())
RETURNING down_since"""
BROKER_UP = """
INSERT INTO hw_monitor (id, down_since, up_since) VALUES (true, NULL, now())
ON CONFLICT (id) DO UPDATE SET down_since = NULL,
    up_since = CASE WHEN hw_monitor.down_since IS NULL THEN COALESCE(hw_monitor.up_since, now()) ELSE now() END
RETURNING up_since"""
CANCEL_BROKER_TIMER = "UPDATE hw_timers SET due_at = NULL WHERE kind = 'broker' AND fired_at IS NULL"

# --- alerts ------------------------------------------------------------------------------------
INSERT_ALERT = """
INSERT INTO hw_alerts (home_id, street_id, kind, level, dedupe_key, device_id, due_at, next_step_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(secs => $8))
ON CONFLICT (dedupe_key) WHERE status <> 'closed' DO NOTHING RETURNING id"""
OPEN_ALERT_BY_KEY = "SELECT id FROM hw_alerts WHERE dedupe_key = $1 AND status <> 'closed'"
ALERT = "SELECT * FROM hw_alerts WHERE id = $1"
INSERT_TIMELINE = "INSERT INTO hw_timeline (alert_id, event, by_user, detail) VALUES ($1, $2, $3, $4)"
TIMELINE = """
SELECT t.at, t.event, t.by_user, u.name AS by_name, t.detail FROM hw_timeline t
LEFT JOIN users u ON u.id = t.by_user WHERE t.alert_id = $1 ORDER BY t.id"""
NOTIFIED = "SELECT user_id, role, step, at FROM hw_notified WHERE alert_id = $1 ORDER BY at, user_id"
INSERT_NOTIFIED = """
INSERT INTO hw_notified (alert_id, user_id, role, step) SELECT $1, u, r, $4
FROM unnest($2::bigint[], $3::text[]) AS x(u, r) ON CONFLICT DO NOTHING"""
# The dispatcher's due steps; SKIP LOCKED so two processes never send the same step.
DUE_STEPS = """
SELECT * FROM hw_alerts WHERE next_step_at <= now() AND status = 'raised'
  AND ($2::bigint[] IS NULL OR id = ANY($2::bigint[]))
ORDER BY level, next_step_at LIMIT $1 FOR UPDATE SKIP LOCKED"""
SET_STEP = """
UPDATE hw_alerts SET escalation_step = $2, next_step_at = now() + make_interval(secs => $3) WHERE id = $1"""
ACKNOWLEDGE = """
UPDATE hw_alerts SET owner_id = $2, status = 'acknowledged', acknowledged_at = COALESCE(acknowledged_at, now()),
       next_step_at = NULL
WHERE id = $1 AND status = 'raised' AND owner_id IS NULL RETURNING *"""
PROGRESS_EN_ROUTE = """
UPDATE hw_alerts SET status = 'en_route', en_route_at = now()
WHERE id = $1 AND owner_id = $2 AND status = 'acknowledged' RETURNING *"""
PROGRESS_ON_SITE = """
UPDATE hw_alerts SET status = 'on_site', on_site_at = now(), en_route_at = COALESCE(en_route_at, now())
WHERE id = $1 AND owner_id = $2 AND status IN ('acknowledged', 'en_route') RETURNING *"""
RESOLVE = """
UPDATE hw_alerts SET status = 'closed', outcome = $3, note = $4, resolved_at = now(), closed_at = now(),
       next_step_at = NULL
WHERE id = $1 AND owner_id = $2 AND status IN ('acknowledged', 'en_route', 'on_site') RETURNING *"""
# When a stay ended: the first presence elsewhere after it began.
STAY_ENDED = """
SELECT min(at) FROM hw_events WHERE home_id = $1 AND kind = 'presence' AND at > $2 AND room IS DISTINCT FROM $3"""
# A stay alert not yet sent whose stay, judged by a late event's own time, ended before it was due.
WITHDRAW_STAY = """
UPDATE hw_alerts SET status = 'closed', outcome = 'withdrawn', closed_at = now(), next_step_at = NULL
WHERE dedupe_key = $1 AND status = 'raised' AND escalation_step = 0 AND due_at > $2 RETURNING id"""
CANCEL_BY_RESIDENT = """
UPDATE hw_alerts SET status = 'closed', outcome = 'cancelled_by_resident', resolved_at = now(),
       closed_at = now(), next_step_at = NULL
WHERE id = $1 AND status = 'raised' RETURNING *"""
RATE = """
UPDATE hw_alerts SET rating = $2, rating_comment = $3 WHERE id = $1 AND status = 'closed' RETURNING id"""
# An owner going off duty hands the alert back: it is raised again and widened at once.
HAND_BACK = """
UPDATE hw_alerts SET owner_id = NULL, status = 'raised', escalation_step = GREATEST(escalation_step, 1),
       next_step_at = now()
WHERE owner_id = $1 AND status IN ('acknowledged', 'en_route', 'on_site') RETURNING id"""
OPEN_ALERTS_OF_STREET = """
SELECT * FROM hw_alerts WHERE (street_id = $1 OR street_id IS NULL) AND status <> 'closed'
ORDER BY level, raised_at DESC LIMIT 200"""
RECENT_ALERTS_OF_STREET = "SELECT * FROM hw_alerts WHERE street_id = $1 ORDER BY raised_at DESC LIMIT 200"
ALERTS_OF_HOMES = """
SELECT * FROM hw_alerts WHERE home_id = ANY($1::bigint[]) AND ($2::boolean IS FALSE OR status <> 'closed')
ORDER BY raised_at DESC LIMIT 200"""

# --- who is told -------------------------------------------------------------------------------
ON_DUTY_COMMUNITY = """
SELECT s.user_id, u.phone FROM hw_staff s JOIN users u ON u.id = s.user_id
WHERE u.role = 'carer' AND s.on_duty AND s.street_id = $1 AND s.community = $2"""
ON_DUTY_STREET = """
SELECT s.user_id, u.phone FROM hw_staff s JOIN users u ON u.id = s.user_id
WHERE u.role = 'carer' AND s.on_duty AND s.street_id = $1"""
DUTY_DESK = """
SELECT s.user_id, u.phone FROM hw_staff s JOIN users u ON u.id = s.user_id
WHERE u.role = 'street_operator' AND ($1::bigint IS NULL OR s.street_id = $1)"""
ROLES_OF = "SELECT id, role FROM users WHERE id = ANY($1::bigint[])"
ROLE_OF = "SELECT role FROM users WHERE id = $1"
USER_BY_PHONE = "SELECT id FROM users WHERE phone = $1"
USER_BY_EMAIL = "SELECT id FROM users WHERE email = $1"
USERS_PHONES = "SELECT id AS user_id, phone FROM users WHERE id = ANY($1::bigint[])"
NAMES = "SELECT id, name FROM users WHERE id = ANY($1::bigint[])"

# --- outbox ------------------------------------------------------------------------------------
QUEUE_MESSAGE = """
INSERT INTO hw_outbox (alert_id, user_id, channel, phone, text_key) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT DO NOTHING"""
DUE_MESSAGES = """
SELECT * FROM hw_outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_try_at <= now()
ORDER BY next_try_at LIMIT $1 FOR UPDATE SKIP LOCKED"""
MESSAGE_SENT = "UPDATE hw_outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = $1"
MESSAGE_RETRY = """
UPDATE hw_outbox SET attempts = attempts + 1, last_error = $2,
       next_try_at = now() + make_interval(secs => $3),
       failed_at = CASE WHEN attempts + 1 >= $4 THEN now() END
WHERE id = $1"""

# --- reports -----------------------------------------------------------------------------------
# Only a person's acknowledgement counts (owner_id set); times are in the street's time zone.
# $4: per community (else one row per day, every community together).
REPORT = """
SELECT (a.raised_at AT TIME ZONE $3)::date AS day, CASE WHEN $4 THEN h.community END AS community,
       count(*) AS raised,
       count(*) FILTER (WHERE a.kind = 'button') AS button,
       count(*) FILTER (WHERE a.kind IN ('living_room_stay', 'bathroom_stay')) AS stay,
       count(*) FILTER (WHERE a.kind = 'inactivity') AS inactivity,
       count(*) FILTER (WHERE a.kind IN ('device_silent', 'battery_low', 'tamper')) AS device,
       count(*) FILTER (WHERE a.acknowledged_at <= a.raised_at + interval '60 seconds') AS ack_60,
       count(*) FILTER (WHERE a.acknowledged_at <= a.raised_at + interval '180 seconds') AS ack_180,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM a.on_site_at - a.raised_at))
           AS arrival_median_s,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM a.on_site_at - a.raised_at))
           AS arrival_p90_s,
       count(*) FILTER (WHERE a.status = 'closed') AS closed,
       avg(a.rating) AS satisfaction,
       count(*) FILTER (WHERE a.outcome = 'false_alarm') AS false_alarms
FROM hw_alerts a JOIN hw_homes h ON h.id = a.home_id
WHERE a.street_id = $1 AND a.raised_at >= now() - make_interval(days => $2)
GROUP BY 1, 2 ORDER BY 1 DESC, 2"""
FALSE_ALARMS_PER_HOME = """
SELECT h.id, h.address, count(*) AS false_alarms FROM hw_alerts a JOIN hw_homes h ON h.id = a.home_id
WHERE a.street_id = $1 AND a.outcome = 'false_alarm' AND a.raised_at >= now() - make_interval(days => $2)
GROUP BY h.id, h.address ORDER BY 3 DESC LIMIT 50"""
DEVICES_OFFLINE = """
SELECT count(*) FROM hw_devices d JOIN hw_homes h ON h.id = d.home_id
WHERE h.street_id = $1 AND (d.last_seen_at IS NULL OR d.last_seen_at < now() - make_interval(secs => $2))"""

# --- the people of a home (linked by the operator) --------------------------------------------
USER_OF_LOGIN = """
SELECT id, role, name FROM users
WHERE (email = lower($1) OR phone = $1) AND disabled_at IS NULL AND restricted_at IS NULL"""
FAMILY_PEOPLE = """
SELECT u.id, u.name, u.phone FROM hw_family f JOIN users u ON u.id = f.user_id WHERE f.home_id = $1 ORDER BY u.id"""
DELETE_FAMILY = "DELETE FROM hw_family WHERE home_id = $1"
PEOPLE_BY_IDS = "SELECT id, name, phone, email FROM users WHERE id = ANY($1::bigint[])"
SET_HOME_PEOPLE = "UPDATE hw_homes SET resident_user_id = $2, doctor_id = $3 WHERE id = $1 RETURNING *"

# --- staff and shifts --------------------------------------------------------------------------
CARERS_OF_STREET = """
SELECT s.user_id, u.name, s.community, s.on_duty, s.duty_since FROM hw_staff s JOIN users u ON u.id = s.user_id
WHERE s.street_id = $1 AND u.role = 'carer' AND u.disabled_at IS NULL ORDER BY s.community NULLS FIRST, u.name"""
CARER_OF_STREET = """
SELECT s.user_id, s.street_id, s.community, s.on_duty FROM hw_staff s JOIN users u ON u.id = s.user_id
WHERE s.user_id = $1 AND s.street_id = $2 AND u.role = 'carer' FOR UPDATE OF s"""
SHIFT_COLUMNS = "id, street_id, user_id, community, starts_at, ends_at, created_by, started_at, ended_at, cancelled_at"
OVERLAPPING_SHIFT = """
SELECT id FROM hw_shifts WHERE user_id = $1 AND cancelled_at IS NULL AND ended_at IS NULL
  AND starts_at < $3 AND ends_at > $2 LIMIT 1"""
INSERT_SHIFT = f"""
INSERT INTO hw_shifts (street_id, user_id, community, starts_at, ends_at, created_by)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING {SHIFT_COLUMNS}"""
SHIFT = f"SELECT {SHIFT_COLUMNS} FROM hw_shifts WHERE id = $1 AND street_id = $2 FOR UPDATE"
# The roster: shifts not cancelled that end after `$2` and start before `$3`.
SHIFTS_OF_STREET = f"""
SELECT {', '.join('s.' + c.strip() for c in SHIFT_COLUMNS.split(','))}, u.name FROM hw_shifts s
JOIN users u ON u.id = s.user_id
WHERE s.street_id = $1 AND s.cancelled_at IS NULL AND s.ends_at > $2 AND s.starts_at < $3
ORDER BY s.starts_at, u.name LIMIT 500"""
CANCEL_SHIFT = "UPDATE hw_shifts SET cancelled_at = now() WHERE id = $1"
END_SHIFT_NOW = "UPDATE hw_shifts SET ends_at = GREATEST(starts_at + interval '1 second', now()) WHERE id = $1"
# Shifts due to start (and not over): the carer goes on duty in the shift's community.
SHIFTS_TO_START = f"""
SELECT {SHIFT_COLUMNS} FROM hw_shifts
WHERE started_at IS NULL AND cancelled_at IS NULL AND starts_at <= now() AND ends_at > now()
ORDER BY starts_at LIMIT $1 FOR UPDATE SKIP LOCKED"""
SHIFTS_TO_END = f"""
SELECT {SHIFT_COLUMNS} FROM hw_shifts
WHERE started_at IS NOT NULL AND ended_at IS NULL AND ends_at <= now()
ORDER BY ends_at LIMIT $1 FOR UPDATE SKIP LOCKED"""
MARK_SHIFT_STARTED = "UPDATE hw_shifts SET started_at = now() WHERE id = $1"
MARK_SHIFT_ENDED = "UPDATE hw_shifts SET ended_at = now() WHERE id = $1"
ANOTHER_SHIFT_NOW = """
SELECT EXISTS (SELECT 1 FROM hw_shifts WHERE user_id = $1 AND id <> $2 AND cancelled_at IS NULL
               AND ended_at IS NULL AND starts_at <= now() AND ends_at > now())"""
SHIFT_ON_DUTY = """
UPDATE hw_staff SET on_duty = true, duty_since = CASE WHEN on_duty THEN duty_since ELSE now() END,
       community = COALESCE($2, community)
WHERE user_id = $1"""

# --- the processes' broker links (taking over a dead one's session) ----------------------------
INGESTER_BEAT = """
INSERT INTO hw_ingesters (client_id, instance, beat_at) VALUES ($1, $2, now())
ON CONFLICT (client_id) DO UPDATE SET instance = EXCLUDED.instance, beat_at = now(), taken_by = NULL, taken_at = NULL"""
# One survivor claims a dead client id (no beat for $2 s; a claim older than $3 s is stale).
CLAIM_DEAD_INGESTER = """
UPDATE hw_ingesters SET taken_by = $1, taken_at = now()
WHERE client_id = (
    SELECT client_id FROM hw_ingesters
    WHERE client_id <> $1 AND beat_at < now() - make_interval(secs => $2)
      AND (taken_at IS NULL OR taken_at < now() - make_interval(secs => $3))
    ORDER BY beat_at LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING client_id"""
# Drained and its session ended: forgotten, unless its process came back meanwhile (its beat clears the claim).
RELEASE_INGESTER = "DELETE FROM hw_ingesters WHERE client_id = $1 AND taken_by = $2"
FORGET_INGESTER = "DELETE FROM hw_ingesters WHERE client_id = $1 AND instance = $2"
