"""Set up a street through the real API: admin, street, operator, carers, family, a home, devices."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import aiohttp
from yarl import URL

from . import PASSWORD, Person

_phones = itertools.count(1)


def new_phone() -> str:
    """A fresh mainland mobile number for a test account."""
    return f"137{next(_phones) + 10_000_000:08d}"[:11]


async def sign_in(make_client, login: str) -> Person:
    """A new client signed in as `login`."""
    client = await make_client()
    response = await client.post("/api/auth/login", json={"login": login, "password": PASSWORD})
    assert response.status == 200, await response.text()
    body = await response.json()
    return Person(client, body["user"], body["csrf_token"])


class RemoteClient(aiohttp.ClientSession):
    """An HTTP client of a server process at `base` that the tests' Person can drive."""

    def __init__(self, base: str):
        super().__init__(base_url=base, cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.base = base

    @property
    def session(self):
        return self

    def make_url(self, path: str) -> URL:
        return URL(self.base + path)


@dataclass
class Street:
    """Everyone and everything of one test street."""

    admin: Person
    operator: Person
    street_id: str
    carers: list[Person] = field(default_factory=list)
    family: Person | None = None
    home: dict | None = None
    devices: dict[str, dict] = field(default_factory=dict)

    async def add_user(self, make_client, role: str, community: str | None = "Garden") -> Person:
        """An operator-made carer or family account, signed in."""
        phone = new_phone()
        response = await self.operator.post("/api/homewatch/users", json={
            "role": role, "name": f"Test {role} {phone[-4:]}", "phone": phone, "password": PASSWORD,
            **({"community": community} if role == "carer" else {})})
        assert response.status == 201, await response.text()
        person = await sign_in(make_client, phone)
        person.login = phone
        return person

    async def add_device(self, kind: str, room: str | None = None) -> dict:
        """Provision a device of the home; returns the answer with its secrets."""
        response = await self.operator.post(f"/api/homewatch/homes/{self.home['id']}/devices",
                                            json={"kind": kind, **({"room": room} if room else {})})
        assert response.status == 201, await response.text()
        device = await response.json()
        self.devices[room or kind] = device
        return device

    async def set_rules(self, **rules) -> dict:
        """Set the home's rules (shortened thresholds in tests)."""
        response = await self.operator.client.put(f"/api/homewatch/homes/{self.home['id']}/rules", json=rules,
                                                  headers={"X-CSRF-Token": self.operator.csrf})
        assert response.status == 200, await response.text()
        return await response.json()


async def make_street(people_or_admin, make_client, *, carers: int = 1, on_duty: bool = True, community: str = "Garden",
                      consent: dict | None = None, resident: Person | None = None, doctor: Person | None = None) -> Street:
    """A street with an operator, `carers` carers of `community` (on duty), a family member and one home."""
    admin = people_or_admin if isinstance(people_or_admin, Person) else await people_or_admin.staff("admin")
    response = await admin.post("/api/admin/streets", json={"name": f"Street {new_phone()}"})
    assert response.status == 201, await response.text()
    street_id = (await response.json())["id"]
    phone = new_phone()
    response = await admin.post("/api/admin/street-operators", json={
        "name": "Test Operator", "phone": phone, "password": PASSWORD, "street_id": int(street_id)})
    assert response.status == 201, await response.text()
    operator = await sign_in(make_client, phone)
    operator.login = phone
    street = Street(admin, operator, street_id)
    for _ in range(carers):
        carer = await street.add_user(make_client, "carer", community)
        if on_duty:
            response = await carer.post("/api/homewatch/duty", json={"on_duty": True})
            assert response.status == 200, await response.text()
        street.carers.append(carer)
    street.family = await street.add_user(make_client, "family")
    body = {"address": "1 Garden Lane, flat 302", "community": community,
            "resident": {"name": "Grandma Li", "birth_date": "1940-03-02"},
            "family_ids": [int(street.family.id)], "key_safe_code": "4711",
            "conditions": "Hypertension", "medicines": "Amlodipine 5 mg",
            "contacts": [{"name": "Li Wei", "phone": "13800000000", "relation": "son"}],
            "consent": consent or {}}
    if resident is not None:
        body["resident_user_id"] = int(resident.id)
    if doctor is not None:
        body["doctor_id"] = int(doctor.id)
    response = await operator.post("/api/homewatch/homes", json=body)
    assert response.status == 201, await response.text()
    street.home = await response.json()
    return street


async def alerts_of(db, kind: str | None = None) -> list:
    """Every alert row (of a kind)."""
    async with db.acquire() as conn:
        if kind:
            return await conn.fetch("SELECT * FROM hw_alerts WHERE kind = $1 ORDER BY id", kind)
        return await conn.fetch("SELECT * FROM hw_alerts ORDER BY id")
