"""SQL for dependants."""

COLUMNS = "id, account_id, name, birth_date, sex, relation, created_at"
# The one table of dependants, shared with triage (which reads birth date and sex for the rules).

INSERT_DEPENDANT = f"""
INSERT INTO triage_dependants (account_id, name, birth_date, sex, relation) VALUES ($1, $2, $3, $4, $5)
RETURNING {COLUMNS}"""
DEPENDANTS_OF = f"SELECT {COLUMNS} FROM triage_dependants WHERE account_id = $1 ORDER BY id"
DEPENDANT = f"SELECT {COLUMNS} FROM triage_dependants WHERE id = $1"
COUNT_OF = "SELECT count(*) FROM triage_dependants WHERE account_id = $1"
