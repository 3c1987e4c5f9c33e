-- Care the law allows: real names, consent, dependants and guardians, follow-up visits,
-- e-prescriptions with pharmacist review, sign-in by SMS code, and retention (no hard delete).
-- The rules these rows serve are in docs/RETENTION.md and docs/CLINICAL.md.

-- ---- roles: pharmacists; doctors and pharmacists carry their licence number and title -----------
-- The role list is widened, not rewritten: any role another migration added stays allowed.
DO $$
DECLARE
    roles text[];
BEGIN
    SELECT array_agg(DISTINCT m[1]) INTO roles
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') AS m
    WHERE c.conrelid = 'users'::regclass AND c.conname = 'users_role_check';
    roles := array(SELECT DISTINCT unnest(coalesce(roles, '{}') || ARRAY['patient', 'doctor', 'employer', 'admin', 'pharmacist']));
    ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
    EXECUTE format('ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role = ANY (%L::text[]))', roles);
END $$;
ALTER TABLE users ADD COLUMN IF NOT EXISTS licence_number text;
ALTER TABLE users ADD COLUMN IF NOT EXISTS title text;

-- ---- dependants: the table of migration 0006 (triage_dependants, assessments.dependant_id); a queue
-- entry and a consultation are for the person of their assessment.

-- ---- real names: the resident ID number is never stored, only a keyed hash and a masked form ----
-- One row per person: an account holder (dependant_id NULL) or one of their dependants.
CREATE TABLE identities (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id          bigint NOT NULL REFERENCES users(id),
    dependant_id     bigint REFERENCES triage_dependants(id),
    name             text NOT NULL,
    id_number_hash   bytea NOT NULL,          -- HMAC-SHA256 under a key derived from IDENTITY_KEY
    id_number_masked text NOT NULL,           -- e.g. 110*************1X
    verified         boolean NOT NULL DEFAULT false,
    verified_at      timestamptz,
    verified_by      text,                    -- the verification provider's name
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX identities_account_holder ON identities (user_id) WHERE dependant_id IS NULL;
CREATE UNIQUE INDEX identities_dependant ON identities (dependant_id) WHERE dependant_id IS NOT NULL;
CREATE INDEX identities_hash_idx ON identities (id_number_hash);

-- ---- consent: every grant and withdrawal is a row; the latest per purpose is in force ----------
CREATE TABLE consents (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id   bigint NOT NULL REFERENCES users(id),
    purpose   text NOT NULL CHECK (purpose IN ('health_data', 'video', 'employer_screening', 'family_access')),
    version   text NOT NULL,
    granted   boolean NOT NULL,
    at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    ip        text
);
CREATE INDEX consents_user_idx ON consents (user_id, purpose, id DESC);

-- When the purpose's consent was last granted, if it is in force now; NULL when withdrawn or never given.
CREATE FUNCTION consent_granted_since(p_user bigint, p_purpose text) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN granted THEN at END FROM consents
    WHERE user_id = p_user AND purpose = p_purpose ORDER BY id DESC LIMIT 1
$$;

-- ---- follow-up or first visit, guardian: recorded by the consultation's doctor -----------------
CREATE TABLE consultation_care (
    consultation_id    bigint PRIMARY KEY REFERENCES consultations(id),
    visit              text CHECK (visit IN ('first', 'follow_up')),
    prior_diagnosis    jsonb,                 -- {hospital, date, icd10}
    visit_confirmed_by bigint REFERENCES users(id),
    visit_confirmed_at timestamptz,
    current_medicines  jsonb NOT NULL DEFAULT '[]'::jsonb,  -- what the patient takes now, as the doctor heard it
    allergies          jsonb NOT NULL DEFAULT '[]'::jsonb,
    guardian_present   boolean,
    guardian_name      text,
    guardian_relation  text,
    guardian_recorded_by bigint REFERENCES users(id),
    guardian_recorded_at timestamptz
);

-- ---- e-prescriptions: the doctor writes, a pharmacist reviews, only then the patient sees ------
CREATE TABLE prescriptions (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consultation_id  bigint NOT NULL REFERENCES consultations(id),
    doctor_id        bigint NOT NULL REFERENCES users(id),
    status           text NOT NULL DEFAULT 'pending_review' CHECK (status IN ('pending_review', 'approved', 'returned')),
    items            jsonb NOT NULL,          -- [{drug, dose, route, frequency, days, quantity}]
    warnings         jsonb NOT NULL DEFAULT '[]'::jsonb,  -- [{code, drug, other}] interactions and allergies
    created_at       timestamptz NOT NULL DEFAULT now(),
    reviewed_by      bigint REFERENCES users(id),
    reviewed_at      timestamptz,
    reason           text,
    CHECK ((status = 'pending_review') = (reviewed_at IS NULL)),
    CHECK (status <> 'returned' OR reason IS NOT NULL)
);
CREATE INDEX prescriptions_consultation_idx ON prescriptions (consultation_id, id);
CREATE INDEX prescriptions_pending_idx ON prescriptions (created_at, id) WHERE status = 'pending_review';

-- A reviewed prescription never changes again: a correction is a new prescription.
CREATE FUNCTION prescriptions_review_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status <> 'pending_review' THEN
        RAISE EXCEPTION 'prescription % has been reviewed and cannot change', OLD.id;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER prescriptions_reviewed_once BEFORE UPDATE ON prescriptions
    FOR EACH ROW EXECUTE FUNCTION prescriptions_review_once();

-- ---- sign-in by SMS code ------------------------------------------------------------------------
-- Only a hash of each code is kept; a code is single-use and short-lived.
CREATE TABLE phone_codes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    phone       text NOT NULL,
    code_hash   bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX phone_codes_phone_idx ON phone_codes (phone, created_at DESC);

-- Wrong codes per phone; five within the window lock codes for that phone for a while.
CREATE TABLE phone_code_failures (
    phone         text PRIMARY KEY,
    failures      integer NOT NULL DEFAULT 0,
    window_start  timestamptz NOT NULL DEFAULT now(),
    locked_until  timestamptz
);

-- ---- outbox: the table of migration 0010 (messages to send, delivered after the transaction commits).

-- ---- retention: medical records are kept (at least 15 years; see docs/RETENTION.md) -------------
-- No DELETE and no TRUNCATE of the tables that make up a person's record, whoever asks. A
-- deletion request restricts access instead (the law requires the record to be kept).
CREATE FUNCTION records_are_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is part of the medical record and is kept: rows are never deleted', TG_TABLE_NAME;
END $$;
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['users', 'triage_dependants', 'assessments', 'queue_entries', 'consultations',
                             'consultation_records', 'messages', 'attachments', 'prescriptions',
                             'consultation_care', 'consents', 'identities', 'screenings']
    LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE DELETE ON %I FOR EACH ROW EXECUTE FUNCTION records_are_kept()',
                       t || '_kept', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION records_are_kept()',
                       t || '_kept_truncate', t);
    END LOOP;
END $$;

-- A person who asked for deletion: their account can no longer sign in, and only the clinic's
-- record keepers may read what is kept.
ALTER TABLE users ADD COLUMN restricted_at timestamptz;

-- ---- a third participant (family member or interpreter) invited into a call by the patient ------
-- Only the sha256 of the link's token is stored; a link works for one consultation while it lasts.
CREATE TABLE consultation_guests (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consultation_id  bigint NOT NULL REFERENCES consultations(id),
    token_hash       bytea NOT NULL UNIQUE,
    name             text NOT NULL,
    relation         text NOT NULL CHECK (relation IN ('family', 'interpreter')),
    invited_by       bigint NOT NULL REFERENCES users(id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz NOT NULL,
    joined_at        timestamptz
);
CREATE INDEX consultation_guests_consultation_idx ON consultation_guests (consultation_id);
