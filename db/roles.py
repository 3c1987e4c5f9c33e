"""The least-privileged role the application connects as; migrations and grants run as the owner.

The app may read and write rows, nothing more: no superuser, no DDL (so no `ALTER TABLE audit_log
DISABLE TRIGGER`), and no UPDATE, DELETE or TRUNCATE on the append-only audit and amendment
tables. Roles belong to the whole PostgreSQL cluster, so the name comes from the app's DSN
(DATABASE_URL) and creating it is idempotent; parallel test runs name theirs after their database.
"""
from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit, urlunsplit

import asyncpg

# Rows that, once written, are history: the app only adds to them.
APPEND_ONLY_TABLES = ("audit_log", "record_amendments", "hw_call_notes")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def dsn_user(dsn: str) -> tuple[str | None, str | None]:
    """(user, password) of a postgresql:// DSN."""
    parts = urlsplit(dsn)
    return (unquote(parts.username) if parts.username else None,
            unquote(parts.password) if parts.password else None)


def with_user(dsn: str, user: str, password: str | None = None) -> str:
    """The same DSN with another user (and password)."""
    parts = urlsplit(dsn)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    credentials = quote(user, safe="") + (f":{quote(password, safe='')}" if password else "")
    netloc = f"{credentials}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


async def ensure_app_role(owner: asyncpg.Connection, role: str, password: str | None = None) -> None:
    """Create the app's login role if missing and (re)grant exactly its privileges on this database.

    Run by the owner after the migrations, under their advisory lock, so new tables are covered.
    """
    if role == await owner.fetchval("SELECT current_user"):
        return  # the owner connects as itself: nothing to narrow (a development set-up)
    if not await owner.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
        try:
            await owner.execute(f"CREATE ROLE {_ident(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION")
        except asyncpg.DuplicateObjectError:
            pass  # another database's start-up made it meanwhile: it is cluster-wide
    if password:
        await owner.execute(f"ALTER ROLE {_ident(role)} PASSWORD {_literal(password)}")
    database = await owner.fetchval("SELECT current_database()")
    r = _ident(role)
    await owner.execute(f"""
        GRANT CONNECT, TEMPORARY ON DATABASE {_ident(database)} TO {r};
        GRANT USAGE ON SCHEMA public TO {r};
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r};
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {r};
        REVOKE UPDATE, DELETE, TRUNCATE ON {', '.join(APPEND_ONLY_TABLES)} FROM {r};
        REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM {r};
    """)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


async def drop_role(admin: asyncpg.Connection, role: str) -> None:
    """Drop a role made for a database that is gone (tests)."""
    await admin.execute(f"DROP ROLE IF EXISTS {_ident(role)}")
