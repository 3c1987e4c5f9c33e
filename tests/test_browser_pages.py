"""Every page and state in Chromium, in Chinese and in English, checked as their users would notice:

- axe-core finds no critical or serious violation (WCAG 2.1 A/AA);
- a Chinese page shows no Latin-script UI string except names, codes and units, errors included;
- on the patient's phone (390x844) every control is at least 44x44 px, and at 200 % text size
  nothing scrolls sideways.
"""
from __future__ import annotations

import os

import pytest
from playwright.async_api import async_playwright

from helpers import PASSWORD
from helpers.browser import launch, new_page, sign_in
from helpers.ui_checks import axe_violations, latin_strings, sideways_scroll, small_targets

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
SHOTS = os.environ.get("UI_SCREENSHOTS")


class Walk:
    """Collects every problem found on the way, so one run names them all."""

    def __init__(self, lang: str):
        self.lang, self.problems = lang, []

    async def check(self, page, name: str, patient: bool = False) -> None:
        await page.wait_for_timeout(150)  # let the page's own script finish rendering
        if SHOTS:
            os.makedirs(SHOTS, exist_ok=True)
            await page.screenshot(path=os.path.join(SHOTS, f"page-{self.lang}-{name}.png"), full_page=True)
        self.problems += [f"{name}: axe {v}" for v in await axe_violations(page)]
        if self.lang == "zh":
            self.problems += [f"{name}: latin {s!r}" for s in await latin_strings(page)]
        if patient:
            self.problems += [f"{name}: small {s}" for s in await small_targets(page)]
            await page.evaluate("document.documentElement.style.fontSize = '200%'")
            if (wide := await sideways_scroll(page)) > 0:
                self.problems.append(f"{name}: scrolls sideways by {wide}px at 200% text")
            await page.evaluate("document.documentElement.style.fontSize = ''")


async def _page(browser, base, lang, viewport):
    page = await new_page(browser, base, lang=lang)
    await page.set_viewport_size(viewport)
    return page


async def _signed_in(browser, base, lang, viewport, login, home):
    page = await _page(browser, base, lang, viewport)
    await sign_in(page, login, PASSWORD)
    await page.wait_for_url(f"**{home}")
    await page.goto(f"{home}?lang={lang}")
    return page


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_every_page_is_accessible_and_in_one_language(server, people, lang):
    base = f"http://127.0.0.1:{server.port}"
    zh = lang == "zh"
    walk = Walk(lang)
    admin = await people.staff("admin", name="管理员" if zh else "Admin")
    org = int((await (await admin.post("/api/admin/organisations", json={"name": "五云公司"})).json())["id"])
    employer = await people.staff("employer", organisation_id=org, name="人事" if zh else "HR")
    doctor = await people.staff("doctor", department="internal", name="张医生" if zh else "Dr Zhang")
    assert (await doctor.post("/api/doctor/status", json={"status": "available"})).status == 200
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            page = await _page(browser, base, lang, PHONE)
            await page.goto(f"/?lang={lang}")
            await walk.check(page, "home", patient=True)
            # A refused registration: the message and the field's name in the page language.
            form = page.locator("#register-form")
            await form.locator("[name=name]").fill("李雷")
            await form.locator("[name=phone]").fill("123")
            await form.locator("[name=password]").fill("a-good-password")
            await form.locator("input[name='consents[]'][value=health_data]").check()  # required by the form itself
            await form.locator("button[type=submit]").click()
            await page.wait_for_selector(".form-error[data-for=register-form]:not([hidden])")
            await walk.check(page, "register-error", patient=True)
            await page.goto(f"/no-such-page?lang={lang}")
            await walk.check(page, "not-found", patient=True)

            # The patient's journey: questionnaire, result, waiting room, call, summary, history.
            patient = await people.patient(name="李雷" if zh else "Li Lei")
            phone = await _signed_in(browser, base, lang, PHONE, patient.phone, "/patient")
            await phone.wait_for_selector("#step-questionnaire:not([hidden])")
            await walk.check(phone, "questionnaire", patient=True)
            await phone.locator("#triage-form [name=age_years]").fill("36")
            await phone.locator("#triage-form input[name=symptoms][value=cough]").check()
            await phone.locator("#triage-form button[type=submit]").click()
            await phone.wait_for_selector("#step-result:not([hidden])")
            await walk.check(phone, "result", patient=True)
            await phone.locator("#join-queue").click()
            await phone.wait_for_selector("#step-waiting:not([hidden])")
            await phone.locator("#device-start").click()
            await phone.wait_for_selector("#device-panel:not([hidden])")
            await walk.check(phone, "waiting", patient=True)
            await phone.locator("#leave-queue").click()
            await walk.check(phone, "leave-dialog", patient=True)
            await phone.locator("#leave-cancel").click()

            desk = await _signed_in(browser, base, lang, DESKTOP, people.emails[doctor.id], "/doctor")
            await desk.wait_for_selector("#queue-rows li")
            await walk.check(desk, "doctor-queue")
            await desk.locator("#take-next").click()
            await phone.wait_for_selector("#step-call:not([hidden])")
            await desk.wait_for_selector("#call-status[data-state=call_connected]", timeout=30_000)
            await phone.wait_for_selector("#call-status[data-state=call_connected]", timeout=30_000)
            await walk.check(phone, "call", patient=True)
            await walk.check(desk, "doctor-call")
            # A refused socket event is answered in the page language too.
            ack = await phone.evaluate("""() => new Promise((resolve) => window.clinicCall.socket.timeout(5000)
                .emit('join', { consultation_id: 999999 }, (err, ack) => resolve(ack)))""")
            if zh and any("a" <= ch.lower() <= "z" for ch in ack["error"]["message"]):
                walk.problems.append(f"socket error in English: {ack['error']['message']}")

            record = desk.locator("#record-form")
            await record.locator("[name=diagnosis]").fill("急性上呼吸道感染" if zh else "Common cold")
            await record.locator("[name=advice]").fill("多喝水，注意休息" if zh else "Rest")
            await record.locator("button[type=submit]").click()
            await phone.wait_for_selector("#step-summary:not([hidden])")
            await walk.check(phone, "summary", patient=True)
            await phone.goto(f"/patient/history?lang={lang}")
            await phone.wait_for_selector("#history-table")
            await walk.check(phone, "history", patient=True)
            cid = (await (await patient.get("/api/consultations/history")).json())[0]["id"]
            await phone.goto(f"/consultations/{cid}/summary?lang={lang}")
            await phone.wait_for_selector("#summary-diagnosis")
            await walk.check(phone, "printable-summary", patient=True)
            await phone.goto(f"/screening?lang={lang}")
            await walk.check(phone, "screening", patient=True)
            await desk.goto(f"/consultations/{cid}/summary?lang={lang}")
            await desk.wait_for_selector("#amend-section:not([hidden])")
            await walk.check(desk, "doctor-summary")
            await desk.goto(f"/doctor?lang={lang}")
            await desk.wait_for_selector("#doctor-queue")
            await walk.check(desk, "doctor-after")

            emp = await _signed_in(browser, base, lang, DESKTOP, people.emails[employer.id], "/employer")
            await emp.wait_for_selector("#staff-empty:not([hidden])")
            await walk.check(emp, "employer")
            await emp.locator("#import-form input[type=file]").set_input_files(files=[{
                "name": "staff.csv", "mimeType": "text/csv",
                "buffer": "工号,姓名,手机号\nE1,韩梅梅,13800000001\nE2,坏行,123\n".encode()}])
            await emp.locator("#import-form button[type=submit]").click()
            await emp.wait_for_selector("#staff-rows tr[data-ref=E1]")
            await walk.check(emp, "employer-imported")
            await emp.locator("#invite-unlinked").click()
            await emp.wait_for_url("**/employer/invitations")
            await emp.locator(".invite-card").first.wait_for()
            await walk.check(emp, "invitations")
            invite_url = await emp.locator(".invite-url").first.text_content()
            invited = await _page(browser, base, lang, PHONE)
            await invited.goto(f"{invite_url}?lang={lang}")
            await invited.wait_for_selector("#invite-register-form")
            await walk.check(invited, "invite", patient=True)
            adm = await _signed_in(browser, base, lang, DESKTOP, people.emails[admin.id], "/admin")
            await adm.wait_for_selector("#audit-rows tr")
            await adm.wait_for_selector(".chart svg text")
            await walk.check(adm, "admin")
            # Chart labels are legible: at least 12 px on screen, and no axis repeats a tick.
            smallest = await adm.evaluate("""() => Math.min(...[...document.querySelectorAll('.chart svg text')]
                .map((t) => parseFloat(getComputedStyle(t).fontSize) * t.ownerSVGElement.getScreenCTM().a))""")
            assert smallest >= 12, smallest
            repeated = await adm.evaluate("""() => [...document.querySelectorAll('.chart svg')].filter((svg) => {
                const ys = [...svg.querySelectorAll('text[text-anchor=end]')].filter((t) => t.getAttribute('x') < 50)
                  .map((t) => t.textContent); return new Set(ys).size !== ys.length; }).length""")
            assert repeated == 0
        finally:
            await browser.close()
    assert walk.problems == [], "\n".join(walk.problems)
