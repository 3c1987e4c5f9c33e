"""The waiting room in Chromium: position and estimated wait change live, without a reload; once
called, the page stops following the queue."""
from __future__ import annotations

import asyncio

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


async def test_called_patient_page_stops_resubscribing_to_the_queue(server, people):
    """Guards patient.js resync(): once the patient's own entry is claimed, the page takes the ack's
    "called" entry and stops following the queue. Before, every later queue batch showed the gap of
    the patient's own claim and the page re-sent queue:subscribe twice a second for the whole call."""
    doctor = await people.doctor()
    patient, _ = await queued_patient(people, name="Called")
    subscribes: list[str] = []
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            page = await new_page(browser, f"http://127.0.0.1:{server.port}")
            page.on("websocket", lambda ws: ws.on("framesent", lambda payload: subscribes.append(payload)
                                                  if "queue:subscribe" in str(payload) else None))
            await sign_in(page, patient.phone, PASSWORD)
            await page.wait_for_selector("#step-waiting:not([hidden])")

            assert (await doctor.post("/api/doctor/claim", json={})).status == 201
            await page.wait_for_selector("#step-call:not([hidden])")
            before = len(subscribes)
            # Other patients join and leave the department for ~3 s: several batches (at most one per 0.5 s).
            for i in range(6):
                other, _ = await queued_patient(people, name=f"Other {i}")
                if i % 2:
                    assert (await other.delete("/api/queue/me")).status == 204
                await asyncio.sleep(0.5)
            await asyncio.sleep(1.5)  # the last batch, and the 0.3-0.6 s gap hold after it

            # At most the one resync of the own claim, when its batch came after the call step showed.
            assert len(subscribes) - before <= 1, subscribes[before:]
            assert await page.locator("#step-call").is_visible()
        finally:
            await browser.close()
