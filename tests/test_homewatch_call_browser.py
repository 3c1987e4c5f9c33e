"""Chromium with fake cameras: the contracted doctor rings the resident's home page from their home
watch page; the resident consented to auto-answer, so the home page counts down ten seconds with
beeps and the number on screen, then opens the call by itself; both videos play. The doctor's note
of the call is then in the record another doctor sees when the person comes to the clinic. Pages at
390x844 (phone) in Chinese and English, the CSP on."""
from __future__ import annotations

import os

import pytest
from playwright.async_api import async_playwright

from helpers import PASSWORD, wait_for
from helpers.browser import launch
from helpers.homewatch import make_street

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SCREENSHOT_DIR")
CSP_REFUSALS: list[str] = []

PLAYING = """() => { const v = document.getElementById('%s'); if (!v) return null;
  return { width: v.videoWidth, time: v.currentTime, paused: v.paused }; }"""


async def until(page, expression: str, timeout: float = 20) -> None:
    """Poll a page expression until truthy (page.evaluate passes the strict CSP; wait_for_function does not)."""
    await wait_for(lambda: page.evaluate(expression), timeout, 0.1)


async def phone(browser, base: str, login: str, path: str, lang: str, width: int = 390, height: int = 844):
    """A signed-in page with camera and microphone allowed (fake devices), any CSP refusal recorded."""
    context = await browser.new_context(base_url=base, viewport={"width": width, "height": height},
                                        locale="en-US" if lang == "en" else "zh-CN",
                                        permissions=["camera", "microphone", "notifications"])
    page = await context.new_page()
    page.on("console", lambda m: CSP_REFUSALS.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("console", lambda m: print(lang, path, m.type, m.text) if os.environ.get("HV_DEBUG") else None)
    page.on("pageerror", lambda e: print(lang, path, "pageerror", e) if os.environ.get("HV_DEBUG") else None)
    page.set_default_timeout(20_000)
    await page.goto(f"/?next={path}&lang={lang}")
    form = page.locator("#login-form")
    await form.locator("[name=login]").fill(login)
    await form.locator("[name=password]").fill(PASSWORD)
    await form.locator("button[type=submit]").click()
    await page.wait_for_url(f"**{path}")
    return page


async def both_videos_play(page) -> None:
    """The remote and the own video have frames and their time advances."""
    for video in ("remote-video", "local-video"):
        try:
            await until(page, f"(() => {{ const v = document.getElementById('{video}'); return v && v.videoWidth > 0; }})()")
        except AssertionError:
            state = await page.evaluate("() => ({status: document.getElementById('call-status').textContent,"
                                        " pc: window.clinicCall && window.clinicCall.pc && window.clinicCall.pc.connectionState,"
                                        " local: !!(window.clinicCall && window.clinicCall.local)})")
            raise AssertionError(f"{video} does not play: {state}") from None
        first = await page.evaluate(PLAYING % video)
        await page.wait_for_timeout(700)
        second = await page.evaluate(PLAYING % video)
        assert first["width"] > 0 and second["time"] > first["time"] and not second["paused"], (video, first, second)


async def test_doctor_rings_the_home_it_answers_itself_after_the_countdown_and_the_note_reaches_the_record(
        server, people, make_client):
    doctor = await people.doctor()
    resident = await people.patient(name="李奶奶", birth_date="1940-03-02")
    await make_street(people, make_client, resident=resident, doctor=doctor, consent={"video_auto_answer": True})
    base = str(server.make_url("/")).rstrip("/")
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            home = await phone(browser, base, resident.phone, "/homewatch/home", "zh")
            await until(home, "!document.getElementById('auto-answer').hidden")
            assert "自动接通" in await home.locator("#auto-answer-state").text_content()
            desk = await phone(browser, base, people.emails[doctor.id], "/homewatch/doctor", "en")
            card = desk.locator(".hw-home-card").first
            await card.wait_for()
            assert "Auto-answer consented" in await card.locator(".consent").text_content()
            if SHOTS:
                await desk.screenshot(path=f"{SHOTS}/hw-doctor-homes-en.png", full_page=True)
            await card.locator(".video-call").click()
            await desk.locator("#call-screen").wait_for()
            await until(desk, "document.getElementById('call-ring-state').textContent.includes('10 s')")

            # The home page rings with the countdown: the number goes down, beeps sound.
            await home.locator("#call-ring").wait_for()
            assert "打来视频电话" in await home.locator("#ring-title").text_content()
            await until(home, "Number(document.getElementById('ring-countdown').dataset.seconds) <= 8")
            assert await home.evaluate("window.hwBeeps") >= 2
            if SHOTS:
                await home.screenshot(path=f"{SHOTS}/hw-resident-ringing-zh.png")
                await desk.screenshot(path=f"{SHOTS}/hw-doctor-ringing-en.png")
            # Big buttons for older hands.
            heights = await home.locator(".hw-ring-buttons button").evaluate_all("els => els.map(e => e.offsetHeight)")
            assert min(heights) >= 80
            # The camera opens only after the countdown: no call screen before.
            assert await home.locator("#call-screen").is_hidden()
            await home.locator("#call-screen").wait_for(timeout=15_000)
            assert await home.evaluate("window.hwBeeps") >= 9
            await both_videos_play(home)
            await both_videos_play(desk)
            if SHOTS:
                await home.screenshot(path=f"{SHOTS}/hw-resident-call-zh.png")
                await desk.screenshot(path=f"{SHOTS}/hw-doctor-call-en.png", full_page=True)

            # A reload of the home page rejoins the running call; the videos play again.
            await home.reload()
            await home.locator("#call-screen").wait_for()
            await both_videos_play(home)
            await both_videos_play(desk)

            # The doctor writes the note during the call, then hangs up: both pages close the call.
            await desk.locator("#note-form textarea[name=text]").fill("BP 150/95 by her own cuff; no dizziness now.")
            await desk.locator("#note-form button[type=submit]").click()
            await desk.locator("#note-list li").first.wait_for()
            await desk.locator("#btn-hangup").click()
            await desk.locator("#call-back").wait_for()
            await home.locator("#help").wait_for()
            await until(home, "document.getElementById('call-screen').hidden")
            if SHOTS:
                await desk.screenshot(path=f"{SHOTS}/hw-doctor-after-en.png", full_page=True)
            await desk.locator("#call-back").click()
            await card.locator(".calls summary").click()
            assert "BP 150/95" in await card.locator(".call-list").text_content()
            assert CSP_REFUSALS == []
        finally:
            await browser.close()

    # Later the person comes to the clinic: the doctor who sees them finds the note in the record panel.
    response = await resident.post("/api/triage/assessments", json={"answers": {
        "age_years": 85, "symptoms": ["cough"], "temperature_c": 37.0}})
    assert response.status == 201, await response.text()
    entry = await (await resident.post("/api/queue", json={"assessment_id": (await response.json())["id"]})).json()
    clinic_doctor = await people.doctor(department=entry["department"])
    assert (await clinic_doctor.post("/api/doctor/claim", json={})).status == 201
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            workspace = await phone(browser, base, people.emails[clinic_doctor.id], "/doctor", "zh", 1440, 900)
            notes = workspace.locator("#patient-history .home-call-notes")
            await notes.wait_for()
            text = await notes.text_content()
            assert "居家视频通话记录" in text and "BP 150/95 by her own cuff" in text
            if SHOTS:
                await workspace.screenshot(path=f"{SHOTS}/hw-record-home-call-zh.png")
        finally:
            await browser.close()


async def test_a_carer_calls_from_an_alert_the_resident_taps_answer_and_the_alert_closes_by_video(
        server, people, make_client, db):
    resident = await people.patient(name="Grandma Li", birth_date="1940-03-02")
    street = await make_street(people, make_client, resident=resident)  # no auto-answer consent
    carer = street.carers[0]
    base = str(server.make_url("/")).rstrip("/")
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            home = await phone(browser, base, resident.phone, "/homewatch/home", "en")
            await home.locator("#help").click()
            duty = await phone(browser, base, carer.login, "/homewatch/carer", "zh")
            card = duty.locator(".hw-alert").first
            await card.wait_for()
            await card.locator(".accept").click()
            await card.locator(".video-call").click()
            await home.locator("#call-ring").wait_for()
            # No consent: no countdown, the resident taps Answer (a ringing tone meanwhile).
            assert await home.locator("#ring-countdown").is_hidden()
            assert "Tap Answer" in await home.locator("#ring-hint").text_content()
            assert "Carer" in await home.locator("#ring-title").text_content()
            if SHOTS:
                await home.screenshot(path=f"{SHOTS}/hw-resident-ringing-en.png")
            await home.wait_for_timeout(1500)
            assert await home.locator("#call-screen").is_hidden()  # it never opens by itself
            await home.locator("#ring-answer").click()
            await home.locator("#call-screen").wait_for()
            await both_videos_play(home)
            await both_videos_play(duty)
            # The hang-up button is on screen without scrolling, on a 390x844 phone.
            box = await home.locator("#btn-hangup").bounding_box()
            assert box and box["y"] + box["height"] <= 844
            if SHOTS:
                await home.screenshot(path=f"{SHOTS}/hw-resident-call-en.png")
                await duty.screenshot(path=f"{SHOTS}/hw-carer-call-zh.png")
            # The carer closes the alert with "doctor called by video", linked to this call.
            await duty.locator("#call-resolve").click()
            await until(duty, "document.getElementById('call-resolve').hidden")
            await home.locator("#btn-hangup").click()
            await duty.locator("#call-back").wait_for()
            if SHOTS:
                await duty.screenshot(path=f"{SHOTS}/hw-carer-after-zh.png", full_page=True)
            await duty.locator("#call-back").click()
            await duty.locator("#no-alerts").wait_for()
            assert CSP_REFUSALS == []
        finally:
            await browser.close()
    async with db.acquire() as conn:
        alert = await conn.fetchrow("SELECT status, outcome FROM hw_alerts WHERE kind = 'button'")
        call = await conn.fetchrow("SELECT answered, end_reason, alert_id FROM hw_calls")
    assert (alert["status"], alert["outcome"]) == ("closed", "video_call")
    assert call["answered"] == "tapped" and call["end_reason"] == "hung_up" and call["alert_id"] is not None


async def test_consent_withdrawn_while_the_home_counts_down_stops_the_countdown_at_once(server, people, make_client):
    doctor = await people.doctor()
    resident = await people.patient(name="Grandma Li", birth_date="1940-03-02")
    street = await make_street(people, make_client, resident=resident, doctor=doctor,
                               consent={"video_auto_answer": True})
    home_id = street.home["id"]
    base = str(server.make_url("/")).rstrip("/")
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            home = await phone(browser, base, resident.phone, "/homewatch/home", "en")
            await until(home, "!document.getElementById('auto-answer').hidden")
            response = await doctor.post(f"/api/homewatch/homes/{home_id}/calls", json={})
            assert response.status == 201, await response.text()
            await home.locator("#call-ring").wait_for()
            await until(home, "Number(document.getElementById('ring-countdown').dataset.seconds) <= 8")
            # The operator records the resident's withdrawal (said on the phone) while it counts down.
            response = await street.operator.post(f"/api/homewatch/homes/{home_id}/consent", json={
                "purpose": "video_auto_answer", "granted": False, "given_by": "resident"})
            assert response.status == 200, await response.text()
            await until(home, "document.getElementById('ring-countdown').hidden", 2)
            assert "tap" in (await home.locator("#ring-hint").text_content()).lower()
            beeps = await home.evaluate("window.hwBeeps")
            # Past the countdown's end the camera has not opened: only a tap answers now.
            await home.wait_for_timeout(9_000)
            assert await home.locator("#call-screen").is_hidden()
            assert await home.locator("#call-ring").is_visible()
            assert await home.evaluate("window.hwBeeps") == beeps  # no countdown beeps after the withdrawal
            await home.locator("#ring-decline").click()
            await home.locator("#call-ring").wait_for(state="hidden")
            assert CSP_REFUSALS == []
        finally:
            await browser.close()
