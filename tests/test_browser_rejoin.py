"""In a live call in two Chromium pages, the patient reloads: both see each other again without a click."""
from __future__ import annotations

import time

import pytest
from playwright.async_api import async_playwright

from helpers import PASSWORD, queued_patient, wait_for
from helpers.browser import frames_decoded, launch, new_page, sign_in

pytestmark = pytest.mark.browser


async def test_reloaded_patient_page_resumes_the_call(server, people):
    base = f"http://127.0.0.1:{server.port}"
    doctor = await people.doctor()
    patient, _ = await queued_patient(people, name="Reloader")
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            patient_page, doctor_page = await new_page(browser, base), await new_page(browser, base)
            await sign_in(patient_page, patient.phone, PASSWORD)
            await patient_page.wait_for_selector("#step-waiting:not([hidden])")
            await sign_in(doctor_page, people.emails[doctor.id], PASSWORD)
            await doctor_page.wait_for_selector("#queue-rows li")
            await doctor_page.locator("#take-next").click()
            await wait_for(lambda: _decoding(patient_page, doctor_page, 5, 5), timeout=30, interval=0.5)

            await patient_page.reload()
            started = time.monotonic()
            await patient_page.wait_for_selector("#step-call:not([hidden])")
            doctor_before = await frames_decoded(doctor_page)
            await wait_for(lambda: _decoding(patient_page, doctor_page, 5, doctor_before + 5), timeout=10, interval=0.5)
            assert time.monotonic() - started < 10
            status = await (await doctor.get("/api/consultations/current")).json()
            assert status["status"] == "active"
        finally:
            await browser.close()


async def _decoding(patient_page, doctor_page, patient_min: int, doctor_min: int) -> bool:
    return await frames_decoded(patient_page) > patient_min and await frames_decoded(doctor_page) > doctor_min
