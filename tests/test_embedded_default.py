"""`python -m server` with no DATABASE_URL starts its own PostgreSQL, migrates, seeds and serves."""
from __future__ import annotations

import aiohttp
from processes import ServerProcess


async def test_server_without_database_url_serves_registration(tmp_path):
    env = {"DATABASE_URL": "", "DATA_DIR": str(tmp_path / "var"), "REDIS_URL": ""}
    server = ServerProcess(env, args=("--demo",), log_dir=tmp_path).start(timeout=120)
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(server.url + "/healthz") as response:
                assert response.status == 200
                assert (await response.json())["database"] == "ok"
            async with http.post(server.url + "/api/auth/register",
                                 json={"phone": "13700000000", "password": "a-good-password", "name": "Zhang"}) as r:
                assert r.status == 201
            async with http.post(server.url + "/api/auth/login",
                                 json={"login": "doctor@demo.clinic", "password": "demo-password"}) as r:
                assert r.status == 200 and (await r.json())["user"]["role"] == "doctor"
        assert (tmp_path / "var" / "pgdata").is_dir()
    finally:
        server.stop()
        import pgserver
        pgserver.get_server(tmp_path / "var" / "pgdata", cleanup_mode="stop").cleanup()
