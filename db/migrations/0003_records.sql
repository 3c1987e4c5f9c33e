-- The consultation record: structured drafts and the original as ended, amendments, attachments,
-- and a log of consultation status changes (for the admin figures on interruptions).

-- One row per consultation: the doctor's draft while the consultation is open; when it ends, the
-- record as ended (finalised_at set). From then on the row is the original and never changes:
-- corrections are amendments (below). The flat columns of `consultations` (notes, diagnosis,
-- disposition, advice) keep API.md's view of the same record as ended.
CREATE TABLE consultation_records (
    consultation_id  bigint PRIMARY KEY REFERENCES consultations(id),
    soap             jsonb NOT NULL DEFAULT '{}'::jsonb,   -- {subjective, objective, assessment, plan}
    diagnoses        jsonb NOT NULL DEFAULT '[]'::jsonb,   -- [{code (ICD-10), name}]
    medications      jsonb NOT NULL DEFAULT '[]'::jsonb,   -- [{drug, dose, frequency, days}]
    notes            text NOT NULL DEFAULT '',
    diagnosis        text NOT NULL DEFAULT '',
    disposition      text,
    advice           text NOT NULL DEFAULT '',
    revision         integer NOT NULL DEFAULT 1,
    updated_by       bigint REFERENCES users(id),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    finalised_at     timestamptz
);

CREATE FUNCTION consultation_records_keep_original() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.finalised_at IS NOT NULL THEN
        RAISE EXCEPTION 'the record of consultation % has ended: amend it instead', OLD.consultation_id;
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER consultation_records_original BEFORE UPDATE OR DELETE ON consultation_records
    FOR EACH ROW EXECUTE FUNCTION consultation_records_keep_original();

-- Corrections after the end: who, when, which field, the value before and after, and why.
-- Append-only like the audit log; the current record is the original with its amendments applied.
CREATE TABLE record_amendments (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consultation_id  bigint NOT NULL REFERENCES consultations(id),
    field            text NOT NULL,
    old_value        jsonb,
    new_value        jsonb NOT NULL,
    reason           text NOT NULL,
    author_id        bigint NOT NULL REFERENCES users(id),
    at               timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX record_amendments_consultation_idx ON record_amendments (consultation_id, id);

CREATE FUNCTION record_amendments_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'record_amendments is append-only';
END $$;
CREATE TRIGGER record_amendments_no_update BEFORE UPDATE OR DELETE ON record_amendments
    FOR EACH ROW EXECUTE FUNCTION record_amendments_append_only();
CREATE TRIGGER record_amendments_no_truncate BEFORE TRUNCATE ON record_amendments
    FOR EACH STATEMENT EXECUTE FUNCTION record_amendments_append_only();

-- Images and PDFs either member sent during the consultation. The bytes live in PostgreSQL
-- (bytea, at most 10 MB each): they are kept, backed up and access-checked together with the
-- record they belong to, every server process sees them without a shared disk, and an upload and
-- its row commit or fail together.
CREATE TABLE attachments (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consultation_id  bigint NOT NULL REFERENCES consultations(id),
    uploader_id      bigint NOT NULL REFERENCES users(id),
    uploader_role    text NOT NULL CHECK (uploader_role IN ('patient', 'doctor')),
    filename         text NOT NULL,
    content_type     text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf')),
    size_bytes       integer NOT NULL CHECK (size_bytes BETWEEN 1 AND 10485760),
    sha256           text NOT NULL,
    content          bytea NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_consultation_idx ON attachments (consultation_id, id);

-- Every change of a consultation's status, written by the database itself whoever changes it,
-- so "was this consultation ever interrupted" has an answer after it resumed or ended.
CREATE TABLE consultation_status_events (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consultation_id  bigint NOT NULL REFERENCES consultations(id),
    from_status      text,
    to_status        text NOT NULL,
    at               timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consultation_status_events_idx ON consultation_status_events (consultation_id, to_status);

CREATE FUNCTION consultations_log_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
        INSERT INTO consultation_status_events (consultation_id, from_status, to_status)
        VALUES (NEW.id, CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END, NEW.status);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER consultations_status_log AFTER INSERT OR UPDATE OF status ON consultations
    FOR EACH ROW EXECUTE FUNCTION consultations_log_status();

-- The admin figures group consultations by the day they started.
CREATE INDEX consultations_started_idx ON consultations (started_at);
