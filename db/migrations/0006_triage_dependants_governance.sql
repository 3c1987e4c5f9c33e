-- Triage 2026-12.1: people a patient answers for, and clinical governance of the rules.

-- Dependants kept on the account: "for my child / my parent / someone else" (birth date and sex
-- are what the rules read; the name is only for the patient's own list).
CREATE TABLE triage_dependants (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    relation    text NOT NULL CHECK (relation IN ('child', 'parent', 'other')),
    name        text NOT NULL DEFAULT '' CHECK (length(name) <= 100),
    birth_date  date NOT NULL,
    sex         text NOT NULL CHECK (sex IN ('female', 'male', 'other')),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX triage_dependants_account_idx ON triage_dependants (account_id);

-- Which person an assessment was for (NULL: the account holder).
ALTER TABLE assessments ADD COLUMN dependant_id bigint REFERENCES triage_dependants(id) ON DELETE SET NULL;
CREATE INDEX assessments_emergency_idx ON assessments (department, created_at DESC) WHERE disposition = 'emergency';

-- A questionnaire version becomes current only with a recorded sign-off of its content hash.
CREATE TABLE triage_signoffs (
    version       text NOT NULL,
    content_hash  text NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
    signed_by     bigint NOT NULL REFERENCES users(id),
    signed_at     timestamptz NOT NULL DEFAULT now(),
    note          text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    PRIMARY KEY (version, content_hash)
);
-- 2026-11.1 was in use before sign-offs were recorded: it stays valid as the fallback (see
-- server/triage/service.py current_version), without a row.

-- Duty doctors follow up patients told to go to emergency: one outcome per assessment.
CREATE TABLE triage_emergency_outcomes (
    assessment_id  bigint PRIMARY KEY REFERENCES assessments(id) ON DELETE CASCADE,
    doctor_id      bigint NOT NULL REFERENCES users(id),
    outcome        text NOT NULL CHECK (outcome IN ('reached_ed', 'ambulance', 'not_reached', 'declined', 'other')),
    note           text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    recorded_at    timestamptz NOT NULL DEFAULT now()
);

-- At the end of a consultation the doctor marks the triage too low / right / too high.
CREATE TABLE triage_feedback (
    consultation_id  bigint PRIMARY KEY REFERENCES consultations(id) ON DELETE CASCADE,
    assessment_id    bigint NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
    doctor_id        bigint NOT NULL REFERENCES users(id),
    rating           text NOT NULL CHECK (rating IN ('too_low', 'right', 'too_high')),
    created_at       timestamptz NOT NULL DEFAULT now()
);
