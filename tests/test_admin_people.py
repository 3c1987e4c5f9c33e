"""The admin's people screen through the API: a doctor with a licence number, a department change,
a disabled account that can no longer sign in, and the audit log in pages."""
from __future__ import annotations

from helpers import PASSWORD, recording_socket, wait_for


async def test_admin_creates_moves_and_disables_a_doctor(people, make_client):
    admin = await people.staff("admin")
    response = await admin.post("/api/admin/users", json={
        "role": "doctor", "name": "王医生", "email": "wang@clinic.cn", "password": PASSWORD,
        "department": "internal", "title": "主治医师", "licence_number": "110000000001"})
    assert response.status == 201, await response.text()
    doctor_id = (await response.json())["user"]["id"]
    doctors = await (await admin.get("/api/admin/users?role=doctor")).json()
    wang = next(d for d in doctors if d["id"] == doctor_id)
    assert (wang["licence_number"], wang["title"], wang["department"], wang["disabled"]) == \
        ("110000000001", "主治医师", "internal", False)

    moved = await admin.patch(f"/api/admin/users/{doctor_id}", json={"department": "pediatrics"})
    assert moved.status == 200 and (await moved.json())["department"] == "pediatrics"
    bad = await admin.patch(f"/api/admin/users/{doctor_id}", json={"department": "nowhere"})
    assert bad.status == 422 and (await bad.json())["error"]["field"] == "department"

    client = await make_client()
    signed_in = await client.post("/api/auth/login", json={"login": "wang@clinic.cn", "password": PASSWORD})
    assert signed_in.status == 200
    cookie = f"clinic_session={signed_in.cookies['clinic_session'].value}"
    sock = await recording_socket(str(client.make_url("/")), cookie)
    disabled = await admin.patch(f"/api/admin/users/{doctor_id}", json={"disabled": True})
    assert disabled.status == 200 and (await disabled.json())["disabled"] is True
    assert (await client.get("/api/me")).status == 401  # the open session ended
    await wait_for(lambda: not sock.connected, timeout=5)  # and its socket closed, as by the POST route
    again = await (await make_client()).post("/api/auth/login", json={"login": "wang@clinic.cn", "password": PASSWORD})
    assert again.status == 401
    assert (await admin.patch(f"/api/admin/users/{doctor_id}", json={"disabled": False})).status == 200
    back = await (await make_client()).post("/api/auth/login", json={"login": "wang@clinic.cn", "password": PASSWORD})
    assert back.status == 200


async def test_only_an_admin_manages_people(people):
    doctor = await people.doctor()
    assert (await doctor.get("/api/admin/users")).status == 403
    assert (await doctor.patch(f"/api/admin/users/{doctor.user['id']}", json={"disabled": True})).status == 403
    assert (await doctor.get("/api/admin/organisations")).status == 403


async def test_the_audit_log_comes_in_pages(people):
    admin = await people.staff("admin")
    doctor = await people.doctor()
    for n in range(5):  # each change is an audit row
        assert (await admin.patch(f"/api/admin/users/{doctor.id}", json={"title": f"医师{n}"})).status == 200
    first = await (await admin.get("/api/admin/audit?limit=2")).json()
    assert len(first["entries"]) == 2 and first["next_before"] == first["entries"][-1]["id"]
    second = await (await admin.get(f"/api/admin/audit?limit=2&before={first['next_before']}")).json()
    assert int(second["entries"][0]["id"]) < int(first["entries"][-1]["id"])
    everything = await (await admin.get("/api/admin/audit?limit=1000")).json()
    assert everything["next_before"] is None
