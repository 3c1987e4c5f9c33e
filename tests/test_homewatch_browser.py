"""Chromium at 390x844: the carer's phone page rings for a button press, takes the call, arrives and
closes it with an outcome; the family page shows who took it; the resident's page says who is coming."""
from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from playwright.async_api import async_playwright

from helpers import PASSWORD, wait_for
from helpers.browser import launch
from helpers.homewatch import make_street

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SCREENSHOT_DIR")


CSP_REFUSALS: list[str] = []


async def until(page, expression: str, timeout: float = 15) -> None:
    """Poll a page expression until truthy. (Playwright's wait_for_function evaluates strings with
    eval(), which these pages' strict CSP refuses; page.evaluate goes through the debugger.)"""
    await wait_for(lambda: page.evaluate(expression), timeout, 0.1)


async def phone_page(browser, base: str, login: str, path: str, lang: str = "en"):
    """A 390x844 page signed in through the start page's form, then on `path`; the CSP stays on and
    any refusal it logs is recorded (the pages must need no inline script or style)."""
    context = await browser.new_context(base_url=base, viewport={"width": 390, "height": 844},
                                        locale="en-US" if lang == "en" else "zh-CN", permissions=["notifications"])
    page = await context.new_page()
    page.on("console", lambda message: CSP_REFUSALS.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.set_default_timeout(15_000)
    await page.goto(f"/?next={path}&lang={lang}")
    form = page.locator("#login-form")
    await form.locator("[name=login]").fill(login)
    await form.locator("[name=password]").fill(PASSWORD)
    await form.locator("button[type=submit]").click()
    await page.wait_for_url(f"**{path}")
    return page


async def test_carer_takes_a_button_alert_to_its_close_and_the_family_sees_who_took_it(
        server, people, make_client, client):
    resident = await people.patient(name="Grandma Li", birth_date="1940-03-02")
    street = await make_street(people, make_client, resident=resident)
    carer = street.carers[0]
    button = await street.add_device("button")
    base = str(server.make_url("/")).rstrip("/")
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            carer_page = await phone_page(browser, base, carer.login, "/homewatch/carer")
            await carer_page.locator("#enable-alerts").click()
            await until(carer_page, "document.getElementById('duty-state').textContent.length > 0")
            home_page = await phone_page(browser, base, resident.phone, "/homewatch/home", lang="zh")
            response = await client.post(f"/api/homewatch/devices/{button['id']}/events", json={
                "event_id": "press-1", "kind": "button", "at": datetime.now(UTC).isoformat()},
                headers={"Authorization": f"Bearer {button['token']}"})
            assert response.status == 202, await response.text()
            card = carer_page.locator(".hw-alert").first
            await card.wait_for()
            assert "Emergency button" in await card.locator(".kind").text_content()
            assert "4711" in await card.locator(".key-safe").text_content()
            assert "Amlodipine" in await card.locator(".medicines").text_content()
            await until(carer_page, "window.hwRings >= 1 && window.hwNotifications >= 1")
            if SHOTS:
                await carer_page.screenshot(path=f"{SHOTS}/hw-carer-alert.png", full_page=True)
            # Every touch target on the card is at least 44 px high.
            heights = await card.locator("button:visible").evaluate_all("els => els.map(e => e.offsetHeight)")
            assert heights and min(heights) >= 44
            await card.locator(".accept").click()
            await card.locator(".en-route").click()
            await until(home_page, "document.getElementById('help-state').textContent.includes('正在赶来')")
            if SHOTS:
                await home_page.screenshot(path=f"{SHOTS}/hw-resident-coming.png")
            await card.locator(".on-site").click()
            await card.locator("select[name=outcome]").select_option("assisted")
            await card.locator("textarea[name=note]").fill("Helped her up; no injury.")
            await card.locator(".resolve button[type=submit]").click()
            try:
                await carer_page.locator("#no-alerts").wait_for(state="visible")
            finally:
                if SHOTS:
                    await carer_page.screenshot(path=f"{SHOTS}/hw-carer-closed.png", full_page=True)
            family_page = await phone_page(browser, base, street.family.login, "/homewatch/family")
            family_card = family_page.locator(".hw-alert").first
            await family_card.wait_for()
            assert carer.user["name"] in await family_card.locator(".owner").text_content()
            assert "Helped" in await family_card.locator(".closed").text_content()
            await family_card.locator(".star[data-rating='5']").click()
            await wait_for(lambda: family_page.locator("#toast").is_visible(), 5)
            if SHOTS:
                await family_page.screenshot(path=f"{SHOTS}/hw-family.png", full_page=True)
            assert CSP_REFUSALS == []
        finally:
            await browser.close()


async def test_operator_enrols_a_home_adds_a_device_and_sees_the_report(server, people, make_client):
    street = await make_street(people, make_client)
    base = str(server.make_url("/")).rstrip("/")
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            page = await phone_page(browser, base, street.operator.login, "/homewatch/operator", lang="zh")
            form = page.locator("#home-form")
            await form.locator("[name=address]").fill("花园路9号 / 9 Garden Rd")
            await form.locator("[name=community]").fill("Garden")
            await form.locator("[name=resident_name]").fill("陈爷爷")
            await form.locator("[name=key_safe_code]").fill("2580")
            await form.locator("button[type=submit]").click()
            home = page.locator(".hw-home", has_text="9 Garden Rd")
            await home.wait_for()
            await home.locator("select[name=kind]").select_option("button")
            await home.locator(".device-form button").click()
            await home.locator(".secrets").wait_for()
            assert "token:" in await home.locator(".secrets").text_content()
            await page.locator("#report").wait_for()
            if SHOTS:
                await page.screenshot(path=f"{SHOTS}/hw-operator.png", full_page=True)
            assert CSP_REFUSALS == []
        finally:
            await browser.close()
