"""Staff CSV import bench: a generated 10,000-row file uploaded through the real HTTP API.

    python3 manage.py bench csv_import [--rows N]

A private PostgreSQL (pgserver, or BENCH_DATABASE_URL) and a real `python -m server` process; an
organisation and its employer account are made directly in the database, then the employer signs
in over HTTP and uploads the file three times: new (every row created), the same file again
(nothing changes) and an edited file (every name changed). Each figure is the wall time of the
whole request, upload included. Everything is stopped and dropped at the end.
"""
from __future__ import annotations

import argparse
import asyncio
import time

import aiohttp
import asyncpg

from bench.common import Postgres, start_server
from server.accounts import queries as accounts_sql
from server.accounts import service as auth

PASSWORD = "bench-password"
EMAIL = "bench-employer@bench.clinic"


def staff_file(rows: int, name_prefix: str = "Person") -> bytes:
    """A staff CSV as Excel saves it ("CSV UTF-8": BOM, CRLF, Chinese headers)."""
    lines = ["工号,姓名,手机号,邮箱,部门"]
    lines += [f"E{i:06d},{name_prefix} {i},138{i:08d},p{i}@bench.cn,部门{i % 40}" for i in range(rows)]
    return "\ufeff".encode() + ("\r\n".join(lines) + "\r\n").encode()


async def make_employer(dsn: str) -> None:
    """The organisation and its employer, straight in the database (not what is measured)."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(accounts_sql.INSERT_ORGANISATION, "Bench Co.")
        org = await conn.fetchrow(accounts_sql.ORGANISATION_BY_NAME, "Bench Co.")
        await auth.create_user(conn, role="employer", name="Bench Employer", email=EMAIL, password=PASSWORD,
                               organisation_id=org["id"])
    finally:
        await conn.close()


async def timed_upload(http: aiohttp.ClientSession, url: str, csrf: str, data: bytes) -> tuple[float, dict]:
    """(seconds, answer) of one upload."""
    form = aiohttp.FormData()
    form.add_field("file", data, filename="staff.csv", content_type="text/csv")
    started = time.perf_counter()
    async with http.post(url + "/api/employer/staff/import", data=form, headers={"X-CSRF-Token": csrf}) as response:
        answer = await response.json()
        if response.status != 200:
            raise RuntimeError(f"import failed: {response.status} {answer}")
    return time.perf_counter() - started, answer


async def run(url: str, rows: int) -> None:
    """Sign in and time the three uploads; print one line each."""
    first, edited = staff_file(rows), staff_file(rows, "Renamed")
    print(f"csv_import: {rows} rows, file {len(first) / 1024 / 1024:.2f} MB")
    # unsafe=True: keep cookies of an IP-address host (127.0.0.1).
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.post(url + "/api/auth/login", json={"login": EMAIL, "password": PASSWORD}) as response:
            csrf = (await response.json())["csrf_token"]
        for label, data in (("new file (all created)", first), ("same file again", first),
                            ("edited file (all updated)", edited)):
            seconds, answer = await timed_upload(http, url, csrf, data)
            counts = ", ".join(f"{k}={answer[k]}" for k in ("created", "updated", "unchanged"))
            print(f"  {label:<28} {seconds:6.2f} s   {counts}, errors={len(answer['errors'])}")


def main() -> None:
    """Start the parts, run, and stop everything whatever happens."""
    parser = argparse.ArgumentParser(prog="manage.py bench csv_import")
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    postgres = Postgres()
    server = None
    try:
        dsn = asyncio.run(postgres.create_database("bench_csv"))
        server = start_server(dsn)  # migrates the new database before it answers /healthz
        asyncio.run(make_employer(dsn))
        asyncio.run(run(server.url, args.rows))
    finally:
        if server is not None:
            server.stop()
        postgres.close()


if __name__ == "__main__":
    main()
