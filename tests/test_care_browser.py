"""Care pages in headless Chromium, in Chinese and English: a parent books for a child and joins with the
child (phone, 390x844); a pharmacist reviews on a desktop (1440x900); sign-in by SMS code and password
reset on the start page; the account page's consent, real name (masked) and family."""
from __future__ import annotations

import logging
import re

import pytest
from playwright.async_api import async_playwright
from test_care import AMLODIPINE, FOLLOW_UP, VALID_ID, consultation, licensed, verified_patient

from helpers import PASSWORD, wait_for
from helpers.browser import frames_decoded, launch, new_page, sign_in
from server.identity.verification import DevelopmentProvider
from server.keys import IDENTITY_PROVIDER

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
SHOTS = "var/screenshots"


@pytest.fixture(autouse=True)
def development_identity_provider(app):
    app[IDENTITY_PROVIDER] = DevelopmentProvider()


async def shot(page, name):
    import os
    os.makedirs(SHOTS, exist_ok=True)
    await page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


async def small_targets(page, selector):
    """Visible controls under `selector` smaller than 44 px in height."""
    return await page.evaluate("""(sel) => [...document.querySelectorAll(sel)]
        .filter((el) => el.offsetParent !== null && el.getBoundingClientRect().height < 44)
        .map((el) => el.outerHTML.slice(0, 80))""", selector)


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_parent_books_for_a_child_and_joins_with_the_child(server, people, db, lang):
    base = f"http://127.0.0.1:{server.port}"
    parent = await people.patient(name="王芳")
    doctor = await licensed(people, db, department="pediatrics")
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            page = await new_page(browser, base, lang)
            await page.set_viewport_size(PHONE)
            await sign_in(page, parent.phone, PASSWORD)
            await page.wait_for_url("**/patient")
            await page.goto(f"/account?lang={lang}")
            form = page.locator("#dependant-form")
            await form.locator("[name=name]").fill("王小明")
            await form.locator("[name=birth_date]").fill("2022-06-01")
            await form.locator("[name=sex]").select_option("male")
            await form.locator("[name=relation]").select_option("child")
            await form.locator("button[type=submit]").click()
            await page.wait_for_selector("#dependant-list li:has-text('王小明')")
            assert await small_targets(page, ".care-list button, #dependant-form button, #identity-form button") == []
            await shot(page, f"account-{lang}")

            await page.goto("/patient")
            await page.wait_for_selector("#for-whom-label:not([hidden])")
            await page.locator("#for-whom").select_option(index=1)
            assert "王小明" in await page.locator("#for-whom").text_content()
            assert await page.locator("#triage-form [name=age_years]").input_value() in ("4", "3")
            await page.locator("#triage-form input[name=symptoms][value=cough]").check()
            await page.locator("#triage-form button[type=submit]").click()
            await page.locator("#join-queue").click()
            await page.wait_for_selector("#step-waiting:not([hidden])")

            doctor_page = await new_page(browser, base, lang)
            await doctor_page.set_viewport_size(DESKTOP)
            await sign_in(doctor_page, people.emails[doctor.id], PASSWORD)
            await doctor_page.wait_for_url("**/doctor")
            await doctor_page.wait_for_selector("#queue-rows li")
            await doctor_page.locator("#take-next").click()
            await doctor_page.wait_for_selector("#guardian-form:not([hidden])")
            assert "王小明" in await doctor_page.locator("#care-subject").text_content()
            await page.wait_for_selector("#step-call:not([hidden])")
            await page.wait_for_timeout(1500)
            assert await frames_decoded(page) == 0        # no call before the guardian is recorded
            await doctor_page.locator("#guardian-form [name=name]").fill("王芳")
            await doctor_page.locator("#guardian-form [name=relation]").fill("母亲" if lang == "zh" else "mother")
            await doctor_page.locator("#guardian-form button[type=submit]").click()
            await wait_for(lambda: _both_decode(page, doctor_page), timeout=30, interval=0.5)
            await shot(page, f"child-call-{lang}")
            await shot(doctor_page, f"doctor-guardian-{lang}")
        finally:
            await browser.close()
    async with db.acquire() as conn:
        row = await conn.fetchrow("""SELECT a.dependant_id, cc.guardian_present, cc.guardian_name
            FROM consultations c JOIN queue_entries e ON e.id = c.entry_id JOIN assessments a ON a.id = e.assessment_id
            JOIN consultation_care cc ON cc.consultation_id = c.id""")
    assert row["dependant_id"] is not None and row["guardian_present"] and row["guardian_name"] == "王芳"


async def _both_decode(a, b) -> bool:
    return await frames_decoded(a) > 5 and await frames_decoded(b) > 5


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_pharmacist_reviews_on_a_desktop(server, people, db, lang):
    base = f"http://127.0.0.1:{server.port}"
    doctor = await licensed(people, db)
    pharmacist = await licensed(people, db, role="pharmacist")
    patient = await verified_patient(people)
    cid = await consultation(people, patient, doctor)
    assert (await doctor.post(f"/api/consultations/{cid}/visit-type", json=FOLLOW_UP)).status == 200
    first = await (await doctor.post(f"/api/consultations/{cid}/prescriptions", json={"items": [AMLODIPINE]})).json()
    second = await (await doctor.post(f"/api/consultations/{cid}/prescriptions", json={
        "items": [{**AMLODIPINE, "drug": "Ibuprofen", "dose": "400 mg", "frequency": "three times daily"}]})).json()
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            page = await new_page(browser, base, lang)
            await page.set_viewport_size(DESKTOP)
            await sign_in(page, people.emails[pharmacist.id], PASSWORD)
            await page.wait_for_url("**/pharmacy")
            card = page.locator(f".rx-card[data-id='{second['id']}']")
            await card.wait_for()
            warning = await card.locator(".warning").first.text_content()
            assert ("出血" if lang == "zh" else "bleeding") in warning
            assert "110*" in await card.text_content() and VALID_ID not in await page.content()
            await shot(page, f"pharmacy-{lang}")
            await card.locator("[name=reason]").fill("与华法林合用出血风险高" if lang == "zh" else "Bleeding risk with warfarin")
            await card.locator("[data-decision=return]").click()
            await page.locator(f".rx-card[data-id='{first['id']}'] [data-decision=approve]").click()
            await page.wait_for_selector("#pharmacy-empty:not([hidden])")
        finally:
            await browser.close()
    seen = await (await patient.get(f"/api/consultations/{cid}/prescriptions")).json()
    assert [p["id"] for p in seen] == [first["id"]]
    mine = {p["id"]: p for p in await (await doctor.get(f"/api/consultations/{cid}/prescriptions")).json()}
    assert mine[second["id"]]["status"] == "returned" and mine[second["id"]]["reason"]


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_sign_in_by_code_and_password_reset_on_the_start_page(server, people, db, caplog, lang):
    caplog.set_level(logging.INFO)
    base = f"http://127.0.0.1:{server.port}"
    patient = await people.patient()
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            page = await new_page(browser, base, lang)
            await page.set_viewport_size(PHONE)
            await page.goto(f"/?lang={lang}")
            assert await small_targets(page, "#code-sign-in button, #code-sign-in input") == []
            await shot(page, f"start-{lang}")
            form = page.locator("#code-form")
            await form.locator("[name=phone]").fill(patient.phone)
            caplog.clear()
            await form.locator("[data-send-code]").click()
            code = (await wait_for(lambda: re.findall(r"验证码 (\d{6})", caplog.text)))[0]
            await form.locator("[name=code]").fill(code)
            await form.locator("button[type=submit]").click()
            await page.wait_for_url("**/patient")

            other = await new_page(browser, base, lang)
            await other.set_viewport_size(PHONE)
            await other.goto("/")
            await other.locator("#forgot summary").click()
            reset = other.locator("#reset-form")
            await reset.locator("[name=phone]").fill(patient.phone)
            async with db.acquire() as conn:  # a minute later, as far as the one-code-a-minute limit knows
                await conn.execute("UPDATE phone_codes SET created_at = created_at - interval '61 seconds'")
            caplog.clear()
            await reset.locator("[data-send-code]").click()
            code = (await wait_for(lambda: re.findall(r"验证码 (\d{6})", caplog.text)))[0]
            await reset.locator("[name=code]").fill(code)
            await reset.locator("[name=new_password]").fill("a-brand-new-password")
            await reset.locator("button[type=submit]").click()
            await other.wait_for_function("document.querySelector('#reset-form [name=phone]').value === ''")
            await sign_in(other, patient.phone, "a-brand-new-password")
            await other.wait_for_url("**/patient")
        finally:
            await browser.close()


async def test_the_account_page_shows_the_id_number_masked_and_withdraws_consent(server, people):
    base = f"http://127.0.0.1:{server.port}"
    patient = await people.patient()
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            page = await new_page(browser, base, "en")
            await page.set_viewport_size(PHONE)
            await sign_in(page, patient.phone, PASSWORD)
            await page.wait_for_url("**/patient")
            await page.goto("/account")
            form = page.locator("#identity-form")
            await form.locator("[name=name]").fill("王芳")
            await form.locator("[name=id_number]").fill("110105194912310021")
            await form.locator("button[type=submit]").click()
            await page.wait_for_selector(".form-error[data-for=identity-form]:not([hidden])")
            await form.locator("[name=id_number]").fill(VALID_ID)
            await form.locator("button[type=submit]").click()
            await page.wait_for_selector("#identity-state li:has-text('110*************2X')")
            assert VALID_ID not in await page.content()
            video = page.locator("#consent-list li[data-purpose=video]")
            await video.locator("button").click()
            await page.wait_for_selector("#consent-list li[data-purpose=video] strong.off")
        finally:
            await browser.close()
    consents = {c["purpose"]: c["granted"] for c in await (await patient.get("/api/me/consents")).json()}
    assert consents["video"] is False and consents["health_data"] is True


async def _tile_frames(page, role) -> int:
    return await page.evaluate("(role) => window.guestCalls ? window.guestCalls.framesDecoded(role) : 0", role)


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_grandchild_joins_a_grandmothers_call_as_the_third_person(server, people, db, lang):
    base = f"http://127.0.0.1:{server.port}"
    grandmother = await people.patient(name="李奶奶", birth_date="1948-02-03")
    doctor = await licensed(people, db)
    assessment = await (await grandmother.post("/api/triage/assessments", json={"answers": {
        "age_years": 78, "symptoms": ["cough"], "temperature_c": 37.1}})).json()
    assert (await grandmother.post("/api/queue", json={"assessment_id": assessment["id"]})).status == 201
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            gran = await new_page(browser, base, lang)
            await gran.set_viewport_size(PHONE)
            gran.on("dialog", lambda dialog: dialog.accept())  # "inviting needs your consent: agree now?"
            await sign_in(gran, grandmother.phone, PASSWORD)
            await gran.wait_for_selector("#step-waiting:not([hidden])")
            doc = await new_page(browser, base, lang)
            await doc.set_viewport_size(DESKTOP)
            await sign_in(doc, people.emails[doctor.id], PASSWORD)
            await doc.wait_for_selector("#queue-rows li")
            await doc.locator("#take-next").click()
            await wait_for(lambda: _both_decode(gran, doc), timeout=30, interval=0.5)

            invite = gran.locator("#guest-invite-form")
            await invite.locator("[name=name]").fill("小雨")
            await invite.locator("button[type=submit]").click()
            link = await gran.wait_for_selector(".guest-link:not([hidden])")
            url = await link.get_attribute("data-url")

            child = await new_page(browser, base, lang)
            await child.set_viewport_size(PHONE)
            logs, bad = [], []
            child.on("console", lambda m: logs.append(m.text))
            child.on("response", lambda r: bad.append(r.url) if r.status >= 400 else None)
            await child.goto(url)
            try:
                await wait_for(lambda: _tiles_decode(child, ("patient", "doctor")), timeout=60, interval=0.5)
            except AssertionError:
                print("GUEST LOGS", logs, bad, await child.evaluate("""() => JSON.stringify({
                    status: (document.getElementById('guest-status') || {}).textContent,
                    tiles: [...document.querySelectorAll('.guest-tile')].map((f) => f.dataset.role)})"""))
                raise
            await wait_for(lambda: _tiles_decode(gran, ("guest",)), timeout=60, interval=0.5)
            await wait_for(lambda: _tiles_decode(doc, ("guest",)), timeout=60, interval=0.5)
            for page in (gran, doc):
                assert "小雨" in await page.locator("#guest-status").text_content()
                assert "小雨" in await page.locator(".guest-tile figcaption").text_content()
            assert await frames_decoded(gran) > 5 and await frames_decoded(doc) > 5  # their own call carries on
            await shot(gran, f"grandmother-with-guest-{lang}")
            await shot(child, f"guest-{lang}")
        finally:
            await browser.close()
    consents = {c["purpose"]: c["granted"] for c in await (await grandmother.get("/api/me/consents")).json()}
    assert consents["family_access"] is True


async def _tiles_decode(page, roles) -> bool:
    for role in roles:
        if await _tile_frames(page, role) <= 5:
            return False
    return True
