-- A doctor has at most one consultation that has not ended, enforced by the database: two
-- "take next" clicks at once cannot open two.
CREATE UNIQUE INDEX consultations_one_open_per_doctor ON consultations (doctor_id) WHERE status <> 'ended';
