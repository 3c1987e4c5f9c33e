"""SQL for identities (keyed hash and masked form only)."""

UPSERT_IDENTITY = """
INSERT INTO identities (user_id, dependant_id, name, id_number_hash, id_number_masked, verified, verified_at, verified_by)
VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $6 THEN now() END, $7)
ON CONFLICT (user_id) WHERE dependant_id IS NULL DO UPDATE
    SET name = EXCLUDED.name, id_number_hash = EXCLUDED.id_number_hash, id_number_masked = EXCLUDED.id_number_masked,
        verified = EXCLUDED.verified, verified_at = EXCLUDED.verified_at, verified_by = EXCLUDED.verified_by,
        updated_at = now()
RETURNING id, name, id_number_masked, verified, verified_at"""

UPSERT_DEPENDANT_IDENTITY = """
INSERT INTO identities (user_id, dependant_id, name, id_number_hash, id_number_masked, verified, verified_at, verified_by)
VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $6 THEN now() END, $7)
ON CONFLICT (dependant_id) WHERE dependant_id IS NOT NULL DO UPDATE
    SET name = EXCLUDED.name, id_number_hash = EXCLUDED.id_number_hash, id_number_masked = EXCLUDED.id_number_masked,
        verified = EXCLUDED.verified, verified_at = EXCLUDED.verified_at, verified_by = EXCLUDED.verified_by,
        updated_at = now()
RETURNING id, name, id_number_masked, verified, verified_at"""

IDENTITY_OF = """
SELECT name, id_number_masked, verified, verified_at FROM identities
WHERE user_id = $1 AND dependant_id IS NOT DISTINCT FROM $2"""

IDENTITY_MATCHES = """
SELECT EXISTS (SELECT 1 FROM identities WHERE user_id = $1 AND dependant_id IS NULL AND id_number_hash = $2)"""

# The lost-phone path: the clinic's admin changes a patient's phone after checking their ID in person.
SET_PHONE = "UPDATE users SET phone = $2 WHERE id = $1 AND role = 'patient' RETURNING id"
END_SESSIONS = "DELETE FROM sessions WHERE user_id = $1"
