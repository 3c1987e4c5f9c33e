"""The call, the waiting room and the doctor's workspace as their users see them, in Chromium.

A patient on a 390x844 phone and a doctor at 1440x900, in Chinese and in English, with the fake
camera: the doctor's video fills the phone's width and plays; the doctor sees the patient's video
and the record's first field at once; a hang-up is told apart from a network failure and a rejoin
shows video again within 3 s; a reload after the end still shows the summary.
"""
from __future__ import annotations

import os
import time

import pytest
from playwright.async_api import async_playwright

from helpers import PASSWORD, queued_patient, wait_for
from helpers.browser import launch, new_page, sign_in

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
SHOTS = os.environ.get("UI_SCREENSHOTS")  # a folder: keep screenshots of each step to look at


async def shot(page, name: str) -> None:
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        await page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=False)


async def playing(page) -> dict:
    """The remote video's size on screen, its decoded width, and whether its time advances."""
    return await page.evaluate("""async () => {
        const v = document.getElementById('remote-video'); const t0 = v.currentTime;
        await new Promise((r) => setTimeout(r, 300));
        const box = v.getBoundingClientRect();
        return { width: box.width, top: box.top, bottom: box.bottom, videoWidth: v.videoWidth,
                 advancing: v.currentTime > t0 && !v.paused };
    }""")


def in_viewport(box: dict, viewport: dict) -> bool:
    return box is not None and box["y"] >= 0 and box["x"] >= 0 and box["y"] + min(box["height"], 40) <= viewport["height"] \
        and box["x"] + box["width"] <= viewport["width"] + 1


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_phone_call_doctor_workspace_hang_up_rejoin_and_summary(server, people, lang):
    base = f"http://127.0.0.1:{server.port}"
    doctor = await people.doctor()
    patient, _ = await queued_patient(people, name="王芳" if lang == "zh" else "Wang Fang")
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            phone = await new_page(browser, base, lang=lang)
            await phone.set_viewport_size(PHONE)
            desk = await new_page(browser, base, lang=lang)
            await desk.set_viewport_size(DESKTOP)
            await sign_in(phone, patient.phone, PASSWORD)
            await phone.wait_for_url("**/patient")
            await phone.goto(f"/patient?lang={lang}")
            await phone.wait_for_selector("#step-waiting:not([hidden])")
            await shot(phone, f"{lang}-1-waiting")

            await sign_in(desk, people.emails[doctor.id], PASSWORD)
            await desk.wait_for_url("**/doctor")
            await desk.goto(f"/doctor?lang={lang}")
            await desk.wait_for_selector("#queue-rows li")
            await shot(desk, f"{lang}-2-queue")
            await desk.locator("#take-next").click()

            # The phone: the doctor's video fills the width and plays.
            await phone.wait_for_selector("#step-call:not([hidden])")
            await wait_for(lambda: _plays(phone), timeout=30, interval=0.5)
            video = await playing(phone)
            assert video["width"] >= 0.9 * PHONE["width"], video
            assert video["videoWidth"] > 0
            await shot(phone, f"{lang}-3-call")

            # The doctor: the patient's video and the record's first field on one screen.
            await wait_for(lambda: _plays(desk), timeout=30, interval=0.5)
            assert in_viewport(await desk.locator("#remote-video").bounding_box(), DESKTOP)
            assert in_viewport(await desk.locator("#record-form textarea[name=subjective]").bounding_box(), DESKTOP)
            assert await desk.evaluate("document.scrollingElement.scrollHeight") <= DESKTOP["height"] + 1
            banner = await desk.locator("#patient-banner").text_content()
            assert ("王芳" if lang == "zh" else "Wang Fang") in banner
            await shot(desk, f"{lang}-4-workspace")

            # A hang-up is not a network failure; rejoining shows video again at once.
            await phone.locator("#btn-hangup").click()
            await desk.wait_for_selector("#call-status[data-state=peer_hung_up_patient]")
            await shot(desk, f"{lang}-5-hung-up")
            await phone.locator("#btn-rejoin").click()
            started = time.monotonic()
            await wait_for(lambda: _plays(phone), timeout=10, interval=0.2)
            assert time.monotonic() - started < 3

            record = desk.locator("#record-form")
            await record.locator("[name=diagnosis]").fill("感冒" if lang == "zh" else "Common cold")
            await record.locator("[name=advice]").fill("多喝水" if lang == "zh" else "Rest")
            await record.locator("button[type=submit]").click()
            await phone.wait_for_selector("#step-summary:not([hidden])")
            await phone.reload()
            await phone.wait_for_selector("#step-summary:not([hidden])")
            assert await phone.locator("#summary-diagnosis").text_content() == ("感冒" if lang == "zh" else "Common cold")
            await shot(phone, f"{lang}-6-summary")
        finally:
            await browser.close()


async def _plays(page) -> bool:
    video = await playing(page)
    return video["videoWidth"] > 0 and video["advancing"]


async def test_waiting_room_without_doctors_gives_no_minutes_and_asks_before_leaving(server, people):
    patient, _ = await queued_patient(people, name="等待者")
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            page = await new_page(browser, f"http://127.0.0.1:{server.port}", lang="zh")
            await page.set_viewport_size(PHONE)
            await sign_in(page, patient.phone, PASSWORD)
            await page.wait_for_selector("#step-waiting:not([hidden])")
            eta = page.locator("#queue-eta")
            assert await eta.get_attribute("data-minutes") == ""
            assert "没有医生在线" in await eta.text_content()
            assert await page.locator("#wait-status").get_attribute("aria-live") == "polite"
            await page.locator("#device-start").click()
            await page.wait_for_function("document.getElementById('precheck-video').videoWidth > 0")
            await page.wait_for_function("document.getElementById('precheck-result').dataset.rttMs !== undefined")
            await shot(page, "zh-7-device-check")
            await page.locator("#leave-queue").click()
            await page.wait_for_selector("#leave-dialog[open]")
            await shot(page, "zh-8-leave-dialog")
            await page.locator("#leave-cancel").click()
            assert (await patient.get("/api/queue/me")).status == 200  # still queued
            await page.locator("#leave-queue").click()
            await page.locator("#leave-confirm").click()
            await wait_for(lambda: _not_queued(patient), timeout=5)
        finally:
            await browser.close()


async def _not_queued(patient) -> bool:
    return (await patient.get("/api/queue/me")).status == 404


async def test_an_offline_doctor_cannot_take_a_patient(server, people):
    doctor = await people.doctor(available=False)
    await queued_patient(people, name="Someone")
    response = await doctor.post("/api/doctor/claim", json={})
    assert response.status == 409
    assert (await response.json())["error"]["code"] == "doctor_offline"
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            page = await new_page(browser, f"http://127.0.0.1:{server.port}")
            await page.set_viewport_size(DESKTOP)
            await sign_in(page, people.emails[doctor.id], PASSWORD)
            await page.wait_for_selector("#queue-rows li")
            assert await page.locator("#take-next").is_disabled()
            assert await page.locator(".take-entry").first.is_disabled()
        finally:
            await browser.close()


async def test_wechat_without_camera_says_how_to_open_the_browser(server, people):
    patient, _ = await queued_patient(people, name="微信用户")
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            context = await browser.new_context(
                base_url=f"http://127.0.0.1:{server.port}", locale="zh-CN", viewport=PHONE, bypass_csp=True,
                user_agent="Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/116 Mobile MicroMessenger/8.0.47")
            # WeChat's web view refuses the camera: getUserMedia rejects as a denied permission does.
            await context.add_init_script("""navigator.mediaDevices.getUserMedia = () =>
                Promise.reject(new DOMException('denied', 'NotAllowedError'));""")
            page = await context.new_page()
            await sign_in(page, patient.phone, PASSWORD)
            await page.wait_for_selector("#step-waiting:not([hidden])")
            await page.locator("#device-start").click()
            hint = page.locator("#wechat-hint")
            await hint.wait_for(state="visible")
            assert "在浏览器打开" in await hint.text_content()
            assert await page.locator("#device-denied").is_visible()  # what to do, in words
            assert await page.locator("#device-panel").is_hidden()     # no black square
            await shot(page, "zh-9-wechat")
        finally:
            await browser.close()
