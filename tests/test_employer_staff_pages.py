"""`GET /api/employer/staff` in pages: a big employer's few thousand staff (seeded by SQL) come in
bounded pages by employee id, each naming the next in `Link: rel="next"`, and paging through visits
every row of the organisation (of the status asked for) exactly once."""
from __future__ import annotations

import re

STAFF = 3_000  # a third pending, a third cleared, a third not cleared
NEXT = re.compile(r'<([^>]*)>\s*;\s*rel="next"')

# Staff S00000..S02999 of organisation $1; those with i % 3 = 1 are linked and cleared today, i % 3 = 2
# linked and not cleared, the rest pending. Another organisation's staff share the employee ids.
SEED = """
WITH people AS (
    SELECT i, CASE WHEN i % 3 = 0 THEN NULL ELSE i END AS p FROM generate_series(0, $2 - 1) i
), patients AS (
    INSERT INTO users (role, name, phone, password_hash)
    SELECT 'patient', 'Staff ' || i, '150' || lpad(i::text, 8, '0'), 'not-a-hash' FROM people WHERE p IS NOT NULL
    RETURNING id, phone
), linked AS (
    SELECT people.i, patients.id FROM people JOIN patients ON patients.phone = '150' || lpad(people.i::text, 8, '0')
), consented AS (
    INSERT INTO consents (user_id, purpose, version, granted) SELECT id, 'employer_screening', 'test', true FROM linked
), assessed AS (
    INSERT INTO assessments (patient_id, questionnaire_version, answers, level, disposition, department, result)
    SELECT id, 'test', '{}', 5, 'self_care', 'internal', '{}' FROM linked RETURNING id, patient_id
), screened AS (
    INSERT INTO screenings (patient_id, assessment_id, result, valid_until)
    SELECT a.patient_id, a.id, CASE WHEN l.i % 3 = 1 THEN 'cleared' ELSE 'not_cleared' END,
           CASE WHEN l.i % 3 = 1 THEN now() + interval '24 hours' END
    FROM assessed a JOIN linked l ON l.id = a.patient_id
)
INSERT INTO enrollments (organisation_id, employee_ref, name, phone, patient_id, bound_at)
SELECT $1, 'S' || lpad(people.i::text, 5, '0'), 'Staff ' || people.i, '150' || lpad(people.i::text, 8, '0'),
       linked.id, CASE WHEN linked.id IS NOT NULL THEN now() - interval '1 hour' END
FROM people LEFT JOIN linked USING (i)"""


async def _organisations(db) -> tuple[int, int]:
    async with db.acquire() as conn:
        ours = await conn.fetchval("INSERT INTO organisations (name) VALUES ('Big Co') RETURNING id")
        theirs = await conn.fetchval("INSERT INTO organisations (name) VALUES ('Other Co') RETURNING id")
        await conn.execute(SEED, ours, STAFF)
        await conn.execute("""INSERT INTO enrollments (organisation_id, employee_ref, name, phone)
                              SELECT $1, 'S' || lpad(i::text, 5, '0'), 'Other ' || i, '151' || lpad(i::text, 8, '0')
                              FROM generate_series(0, 99) i""", theirs)
    return ours, theirs


async def _pages(person, path: str) -> list[list[dict]]:
    """Every page from `path` on, following `Link: rel="next"`."""
    pages = []
    while path:
        response = await person.get(path)
        assert response.status == 200, await response.text()
        pages.append(await response.json())
        link = NEXT.search(response.headers.get("Link", ""))
        path = link.group(1) if link else None
        assert len(pages) <= STAFF, "the pages never end"
    return pages


async def test_paging_visits_every_staff_row_exactly_once_in_bounded_pages(people, db):
    ours, _ = await _organisations(db)
    employer = await people.staff("employer", organisation_id=ours)

    pages = await _pages(employer, "/api/employer/staff")
    assert [len(p) for p in pages] == [200] * 15  # the default page; no empty page after the last
    refs = [s["employee_ref"] for page in pages for s in page]
    assert refs == sorted(refs) and len(set(refs)) == STAFF == len(refs)
    assert all(s["name"].startswith("Staff ") for page in pages for s in page)  # never the other organisation's
    assert set(pages[0][0]) >= {"employee_ref", "name", "status", "screened_at", "valid_until"}  # the contract's fields

    biggest = await _pages(employer, "/api/employer/staff?limit=1000")
    assert [len(p) for p in biggest] == [1000] * 3
    small = await _pages(employer, "/api/employer/staff?limit=7&after=S02990")
    assert [[s["employee_ref"] for s in p] for p in small] == [[f"S0{n}" for n in range(2991, 2998)],
                                                               ["S02998", "S02999"]]
    for bad in ("limit=1001", "limit=0", "limit=ten", "after=" + "x" * 65):
        response = await employer.get(f"/api/employer/staff?{bad}")
        assert response.status == 422, bad
        assert (await response.json())["error"]["field"] == bad.split("=")[0]


async def test_a_status_filter_pages_through_that_status_alone(people, db):
    ours, _ = await _organisations(db)
    employer = await people.staff("employer", organisation_id=ours)
    for status, remainder in (("pending", 0), ("cleared", 1), ("not_cleared", 2)):
        pages = await _pages(employer, f"/api/employer/staff?status={status}&limit=300")
        assert [len(p) for p in pages] == [300] * 3 + [100], status  # the Link kept the filter and the limit
        rows = [s for page in pages for s in page]
        assert {s["status"] for s in rows} == {status}
        assert {s["employee_ref"] for s in rows} == {f"S{i:05d}" for i in range(STAFF) if i % 3 == remainder}
        assert len(rows) == STAFF // 3
    summary = await (await employer.get("/api/employer/summary")).json()
    assert summary["counts"]["total"] == STAFF  # the page's "showing n of total" has its total
