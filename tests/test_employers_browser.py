"""The employer page in headless Chromium: sign in, upload a staff CSV, see the rows and the bad line."""
from __future__ import annotations

import pytest
from playwright.async_api import async_playwright

from helpers import PASSWORD
from helpers.browser import launch, new_page, sign_in

pytestmark = pytest.mark.browser


async def test_employer_uploads_a_csv_and_sees_the_staff(server, people):
    employer = await people.staff("employer", organisation_id=await _organisation(people))
    csv_file = "工号,姓名,手机号,部门\r\nE1,张三,13800000001,销售部\r\nE2,李四,13800000002,研发部\r\nE3,王五,123,\r\n"
    base = f"http://127.0.0.1:{server.port}"
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            page = await new_page(browser, base)
            await sign_in(page, people.emails[employer.id], PASSWORD)
            await page.wait_for_url("**/employer")
            await page.wait_for_selector("#staff-empty:not([hidden])")

            await page.locator("#import-form input[type=file]").set_input_files(
                files=[{"name": "staff.csv", "mimeType": "text/csv", "buffer": csv_file.encode("gbk")}])
            await page.locator("#import-form button[type=submit]").click()
            await page.wait_for_selector("#import-result:not([hidden])")
            assert await page.locator("#import-created").text_content() == "2"
            assert await page.locator("#import-progress").get_attribute("value") == "100"
            errors = page.locator("#import-errors tbody tr")
            assert await errors.count() == 1 and "4" in await errors.first.text_content()

            await page.wait_for_selector("#staff-rows tr[data-ref=E2]")
            rows = await page.locator("#staff-rows").text_content()
            assert "张三" in rows and "研发部" in rows and "王五" not in rows
            assert await page.locator("#count-total").text_content() == "2"
        finally:
            await browser.close()


async def _organisation(people) -> int:
    admin = await people.staff("admin")
    response = await admin.post("/api/admin/organisations", json={"name": "Browser Co."})
    return int((await response.json())["id"])


async def test_invited_person_registers_screens_and_goes_to_the_queue(server, people):
    employer = await people.staff("employer", organisation_id=await _organisation(people))
    doctor = await people.doctor(department="internal")
    base = f"http://127.0.0.1:{server.port}"
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            page = await new_page(browser, base)
            await sign_in(page, people.emails[employer.id], PASSWORD)
            await page.wait_for_url("**/employer")
            await page.locator("#import-form input[type=file]").set_input_files(files=[{
                "name": "staff.csv", "mimeType": "text/csv",
                "buffer": b"employee_ref,name,phone\nE1,Wang Fang,13800000001\n"}])
            await page.locator("#import-form button[type=submit]").click()
            await page.wait_for_selector("#staff-rows tr[data-ref=E1]")
            await page.locator("#invite-unlinked").click()
            await page.wait_for_url("**/employer/invitations")
            card = page.locator(".invite-card").first
            await card.wait_for()
            assert (await card.locator("img.qr").get_attribute("src")).startswith("data:image/svg+xml")
            url = await card.locator(".invite-url").text_content()

            person = await new_page(browser, base)
            await person.goto(url)
            form = person.locator("#invite-register-form")
            assert await form.locator("[name=phone]").input_value() == "13800000001"
            await form.locator("[name=password]").fill("a-good-password")
            await form.locator("[name=birth_date]").fill("1990-03-04")
            await form.locator("[value=health_data]").check()
            await form.locator("[value=video]").check()
            await form.locator("button[type=submit]").click()
            await person.wait_for_url("**/screening")
            await person.wait_for_selector("#links-list li")
            await person.locator("#screening-form input[value=cough]").check()
            await person.locator("#screening-form [name=temperature_c]").fill("38.4")
            await person.locator("#screening-form button[type=submit]").click()
            await person.wait_for_selector("#consult-now:not([hidden])")
            await person.locator("#consult-now").click()
            await person.wait_for_url("**/patient")

            queue = await (await doctor.get("/api/doctor/queue")).json()
            assert [e for e in queue["entries"] if "Wang Fang" in str(e)]
            await page.goto("/employer")
            await page.wait_for_selector("#staff-rows tr[data-ref=E1] td.status-not_cleared")
        finally:
            await browser.close()


async def test_a_big_staff_list_comes_in_pages_behind_show_more(server, people, db):
    organisation = await _organisation(people)
    employer = await people.staff("employer", organisation_id=organisation)
    async with db.acquire() as conn:  # 450 staff: two full pages of 200 and one of 50
        await conn.execute("""INSERT INTO enrollments (organisation_id, employee_ref, name, phone)
                              SELECT $1, 'P' || lpad(i::text, 4, '0'), '员工' || i, '152' || lpad(i::text, 8, '0')
                              FROM generate_series(1, 450) i""", organisation)
    base = f"http://127.0.0.1:{server.port}"
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            for lang, showing in (("zh", "显示 {} / 450 人"), ("en", "Showing {} of 450")):
                page = await new_page(browser, base, lang=lang)
                await sign_in(page, people.emails[employer.id], PASSWORD)
                await page.wait_for_url("**/employer")
                rows, more = page.locator("#staff-rows tr"), page.locator("#staff-more")
                await page.wait_for_selector("#staff-rows tr[data-ref=P0200]")
                for shown in (200, 400, 450):
                    await page.wait_for_function(f"document.querySelectorAll('#staff-rows tr').length === {shown}")
                    assert await page.locator("#staff-count").text_content() == showing.format(shown)
                    if shown < 450:
                        await more.click()
                assert await more.is_hidden() and await rows.count() == 450
                refs = await page.eval_on_selector_all("#staff-rows tr", "rows => rows.map(r => r.dataset.ref)")
                assert refs == [f"P{i:04d}" for i in range(1, 451)]  # every row once, in order
                await page.locator("#status-filter").select_option("cleared")  # a filter starts again
                await page.wait_for_function("document.querySelectorAll('#staff-rows tr').length === 0")
                assert await more.is_hidden()
                await page.context.close()
        finally:
            await browser.close()
