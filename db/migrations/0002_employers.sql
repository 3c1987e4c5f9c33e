-- Employers: staff enrollment, single-use invitation links, daily screenings.

-- One row per person an organisation enrolled, keyed by the employer's own employee id.
-- `department` is the employer's department (部门), never a clinic department.
CREATE TABLE enrollments (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id  bigint NOT NULL REFERENCES organisations(id),
    employee_ref     text NOT NULL,
    name             text NOT NULL,
    phone            text NOT NULL,
    email            text,
    department       text,
    -- The patient account the person linked by accepting an invitation; NULL until then and
    -- again after the person withdraws the link (the employer then sees nothing of them).
    patient_id       bigint REFERENCES users(id),
    bound_at         timestamptz,
    withdrawn_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organisation_id, employee_ref),
    CHECK ((patient_id IS NULL) = (bound_at IS NULL))
);
CREATE INDEX enrollments_patient_idx ON enrollments (patient_id) WHERE patient_id IS NOT NULL;
-- A person is linked to an organisation's enrollment at most once.
CREATE UNIQUE INDEX enrollments_one_per_patient_and_org ON enrollments (organisation_id, patient_id)
    WHERE patient_id IS NOT NULL;

-- Invitation links. Only the sha256 of the token is stored: the link itself is shown once, when
-- issued. Issuing again adds a token; older ones stay valid until used, expired, or until the
-- enrollment is bound by any of them (then all are spent).
CREATE TABLE invitations (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enrollment_id  bigint NOT NULL REFERENCES enrollments(id) ON DELETE CASCADE,
    token_hash     bytea NOT NULL UNIQUE,
    issued_by      bigint REFERENCES users(id),
    issued_at      timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    used_at        timestamptz,
    used_by        bigint REFERENCES users(id)
);
CREATE INDEX invitations_enrollment_idx ON invitations (enrollment_id);

-- A patient's daily screening: the stored assessment holds the answers; this row holds only the
-- outcome the employer may see (cleared or not, and until when).
CREATE TABLE screenings (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    patient_id     bigint NOT NULL REFERENCES users(id),
    assessment_id  bigint NOT NULL REFERENCES assessments(id),
    result         text NOT NULL CHECK (result IN ('cleared', 'not_cleared')),
    screened_at    timestamptz NOT NULL DEFAULT now(),
    valid_until    timestamptz
);
CREATE INDEX screenings_patient_idx ON screenings (patient_id, screened_at DESC);
