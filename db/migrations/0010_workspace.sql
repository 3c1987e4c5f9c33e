-- The doctor's workspace and the admin screens: a doctor's title and licence number (执业证号),
-- accounts an administrator can disable, and a patient's known allergies, which the doctor keeps
-- up to date from the record panel and which the patient banner shows in every call.
ALTER TABLE users ADD COLUMN title text;
ALTER TABLE users ADD COLUMN licence_number text;
ALTER TABLE users ADD COLUMN disabled_at timestamptz;
ALTER TABLE users ADD COLUMN allergies text NOT NULL DEFAULT '';
