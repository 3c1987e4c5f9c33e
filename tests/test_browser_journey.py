"""The whole journey in two headless Chromium pages: register, answer, queue, take, video both ways, chat, end, summary."""
from __future__ import annotations

import pytest
from playwright.async_api import async_playwright

from helpers import PASSWORD, wait_for
from helpers.browser import frames_decoded, launch, new_page, sign_in

pytestmark = pytest.mark.browser
TINY_PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                         "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


async def test_patient_sees_doctor_by_video_end_to_end(server, people):
    base = f"http://127.0.0.1:{server.port}"
    doctor = await people.doctor()
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            patient_page = await new_page(browser, base)
            await patient_page.goto("/")
            form = patient_page.locator("#register-form")
            await form.locator("[name=name]").fill("Wang Fang")
            await form.locator("[name=phone]").fill("13800138000")
            await form.locator("[name=password]").fill("a-good-password")
            await form.locator("[value=health_data]").check()
            await form.locator("[value=video]").check()
            await form.locator("button[type=submit]").click()
            await patient_page.wait_for_url("**/patient")

            await patient_page.locator("#triage-form [name=age_years]").fill("36")
            await patient_page.locator("#triage-form input[name=symptoms][value=cough]").check()
            await patient_page.locator("#triage-form input[name=symptoms][value=sore_throat]").check()
            await patient_page.locator("#triage-form button[type=submit]").click()
            await patient_page.locator("#join-queue").click()
            await patient_page.wait_for_selector("#step-waiting:not([hidden])")
            assert await patient_page.locator("#queue-position").text_content() == "1"

            doctor_page = await new_page(browser, base)
            await sign_in(doctor_page, people.emails[doctor.id], PASSWORD)
            await doctor_page.wait_for_url("**/doctor")
            await doctor_page.wait_for_selector("#queue-rows li")
            assert "Wang Fang" in await doctor_page.locator("#queue-rows").text_content()
            await doctor_page.locator("#take-next").click()

            await patient_page.wait_for_selector("#step-call:not([hidden])")
            await doctor_page.wait_for_selector("#step-call:not([hidden])")
            await wait_for(lambda: _both_decode(patient_page, doctor_page), timeout=30, interval=0.5)

            await patient_page.locator("#chat-form [name=text]").fill("Hello doctor")
            await patient_page.locator("#chat-form button").click()
            await doctor_page.wait_for_selector("#chat-log li:has-text('Hello doctor')")
            await doctor_page.locator("#chat-form [name=text]").fill("Hello, how long have you had the cough?")
            await doctor_page.locator("#chat-form button").click()
            await patient_page.wait_for_selector("#chat-log li:has-text('how long')")

            # The patient shares a photo; the doctor's record panel lists it.
            await patient_page.locator("#call-file").set_input_files(
                {"name": "rash.png", "mimeType": "image/png", "buffer": TINY_PNG})
            await doctor_page.wait_for_selector("#attachment-list li:has-text('rash.png')")

            record = doctor_page.locator("#record-form")
            await record.locator("[name=notes]").fill("Cough for three days")
            await record.locator("[name=diagnosis]").fill("Common cold")
            await record.locator("[name=advice]").fill("Drink warm water and rest")
            await record.locator("button[type=submit]").click()

            await patient_page.wait_for_selector("#step-summary:not([hidden])")
            assert await patient_page.locator("#summary-diagnosis").text_content() == "Common cold"
            assert await patient_page.locator("#summary-advice").text_content() == "Drink warm water and rest"
        finally:
            await browser.close()


async def _both_decode(patient_page, doctor_page) -> bool:
    return await frames_decoded(patient_page) > 5 and await frames_decoded(doctor_page) > 5
