"""The database: connecting, numbered migrations and their runner, the embedded PostgreSQL for
development and tests."""
