"""The waiting room in Chromium: position and estimated wait change live, without a reload."""
from __future__ import annotations

import pytest
from playwright.async_api import async_playwright

from helpers import PASSWORD, queued_patient
from helpers.browser import launch, new_page, sign_in

pytestmark = pytest.mark.browser


async def test_waiting_room_position_follows_the_queue_live(server, people):
    doctor = await people.doctor()
    await queued_patient(people, name="First")
    await queued_patient(people, name="Second")
    watcher, _ = await queued_patient(people, name="Watcher")
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            page = await new_page(browser, f"http://127.0.0.1:{server.port}")
            await sign_in(page, watcher.phone, PASSWORD)
            await page.wait_for_selector("#step-waiting:not([hidden])")
            assert await page.locator("#queue-position").text_content() == "3"
            eta_before = int(await page.locator("#queue-eta").get_attribute("data-minutes"))

            consultation = await (await doctor.post("/api/doctor/claim", json={})).json()
            await page.wait_for_function("document.getElementById('queue-position').textContent === '2'")
            await doctor.post(f"/api/consultations/{consultation['id']}/end",
                              json={"diagnosis": "ok", "disposition": "advice"})
            await doctor.post("/api/doctor/claim", json={})
            await page.wait_for_function("document.getElementById('queue-position').textContent === '1'")
            assert int(await page.locator("#queue-eta").get_attribute("data-minutes")) < eta_before

            _, late = await queued_patient(people, {"age_years": 40, "symptoms": ["abdominal_pain"], "pain_score": 6},
                                           name="Urgent arrival")
            assert late["position"] == 1  # more urgent: goes ahead of the watcher
            await page.wait_for_function("document.getElementById('queue-position').textContent === '2'")
        finally:
            await browser.close()
