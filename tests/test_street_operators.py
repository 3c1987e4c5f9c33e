"""An admin makes street operators through the one staff route API.md names (POST /api/admin/users with street_id)."""
from __future__ import annotations

from helpers import PASSWORD


async def test_an_admin_creates_a_street_operator_with_its_street(people, make_client):
    admin = await people.staff("admin")
    street = await (await admin.post("/api/admin/streets", json={"name": "登峰街道"})).json()
    missing = await admin.post("/api/admin/users", json={"role": "street_operator", "name": "值班员",
                                                         "email": "op1@test.clinic", "password": PASSWORD})
    assert missing.status == 422 and (await missing.json())["error"]["field"] == "street_id"
    made = await admin.post("/api/admin/users", json={"role": "street_operator", "name": "值班员",
                                                      "email": "op1@test.clinic", "password": PASSWORD,
                                                      "street_id": street["id"]})
    assert made.status == 201, await made.text()
    client = await make_client()
    login = await client.post("/api/auth/login", json={"login": "op1@test.clinic", "password": PASSWORD})
    assert login.status == 200
    csrf = (await login.json())["csrf_token"]
    homes = await client.get("/api/homewatch/homes", headers={"X-CSRF-Token": csrf})
    assert homes.status == 200
