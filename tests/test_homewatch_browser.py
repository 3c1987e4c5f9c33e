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


async def signed_in_page(browser, base: str, login: str, path: str, lang: str, viewport: dict):
    """A page of `viewport` size signed in through the start page's form (CSP on, refusals recorded)."""
    context = await browser.new_context(base_url=base, viewport=viewport,
                                        locale="en-US" if lang == "en" else "zh-CN")
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


async def seed_report(db, street) -> None:
    """Alerts of the last days with real times: taken in 30 s or 150 s, arrived, some false alarms."""
    home, street_id = int(street.home["id"]), int(street.street_id)
    carer = int(street.carers[0].id)
    async with db.acquire() as conn:
        for day, kind, ack_s, arrive_s, outcome in [
                (0, "button", 20, 600, "assisted"), (0, "living_room_stay", 150, 900, "false_alarm"),
                (1, "bathroom_stay", 40, 700, "assisted"), (1, "device_silent", 30, None, None),
                (3, "button", 25, 480, "false_alarm"), (3, "inactivity", 200, 1200, "assisted"),
                (3, "battery_low", 50, None, None)]:
            await conn.execute(
                "INSERT INTO hw_alerts (home_id, street_id, kind, level, dedupe_key, status, owner_id, raised_at,"
                " acknowledged_at, on_site_at, closed_at, outcome) VALUES ($1, $2, $3, 2, $4, 'closed', $5,"
                " now() - make_interval(days => $6), now() - make_interval(days => $6) + make_interval(secs => $7),"
                " now() - make_interval(days => $6) + make_interval(secs => $8), now(), $9)",
                home, street_id, kind, f"seed:{day}:{kind}", carer, day, float(ack_s),
                float(arrive_s) if arrive_s else None, outcome)


async def test_operator_edits_rules_consent_links_and_shifts_and_the_charts_draw_real_figures(
        server, people, make_client, db):
    from helpers.ui_checks import axe_violations, sideways_scroll
    street = await make_street(people, make_client, carers=2, on_duty=False)
    await seed_report(db, street)
    base = str(server.make_url("/")).rstrip("/")
    home_id = street.home["id"]
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            page = await signed_in_page(browser, base, street.operator.login, "/homewatch/operator", "en",
                                        {"width": 1440, "height": 900})
            await until(page, "document.getElementById('charts').dataset.ready === 'true'"
                              " && document.querySelectorAll('#chart-false svg').length === 1")
            # Four charts, each an image with a label that says its figures, and a table of them.
            labels = await page.locator(".hw-chart svg[role=img]").evaluate_all(
                "els => els.map(e => e.getAttribute('aria-label'))")
            assert len(labels) == 4, labels
            assert "7 calls in 30 days" in labels[0]
            assert "within 60 s: 71.4 %" in labels[1] and "within 180 s: 85.7 %" in labels[1]
            assert "1 Garden Lane" in labels[3]
            assert await page.locator("#chart-kinds rect.hw-bar").count() == 7  # one block per kind and day
            assert await page.locator("#chart-ack line.hw-target").count() == 2
            assert await page.locator("#chart-arrival path.hw-line").count() == 2
            assert await page.locator(".hw-chart table").count() == 4
            if SHOTS:
                await page.screenshot(path=f"{SHOTS}/hw-operator-1440-en.png", full_page=True)
            card = page.locator(f".hw-home[data-home='{home_id}']")
            # Rules: a value out of range is refused beside its field before anything is sent.
            await card.locator("summary", has_text="Rules").click()
            rules = card.locator(".rules-form")
            await rules.locator("[name=living_room_max_seconds]").fill("0")
            await rules.locator("button[type=submit]").click()
            error = rules.locator(".field-error")
            assert await error.text_content() == "Enter a whole number from 1 to 1440."
            assert await rules.locator("[name=living_room_max_seconds]").get_attribute("aria-invalid") == "true"
            await rules.locator("[name=living_room_max_seconds]").fill("120")
            await rules.locator("[name=bathroom_max_seconds]").fill("45")
            await rules.locator("[name=sleep_start]").fill("21:30")
            await rules.locator("button[type=submit]").click()
            await wait_for(lambda: page.locator("#toast").is_visible(), 5)
            assert await rules.locator(".field-error").count() == 0
            stored = (await (await street.operator.get(f"/api/homewatch/homes/{home_id}")).json())["rules"]
            assert (stored["living_room_max_seconds"], stored["bathroom_max_seconds"], stored["sleep_start"]) == (
                7200, 2700, "21:30")
            # Linked accounts: the server's 422 lands on the field, with the line it is about.
            await card.locator("summary", has_text="Linked accounts").click()
            linked = card.locator(".people-form")
            await linked.locator("[name=family_logins]").fill(f"{street.family.login}\n13999999999")
            await linked.locator("button[type=submit]").click()
            await linked.locator(".field-error").wait_for()
            assert (await linked.locator(".field-error").text_content()).startswith("Line 2: ")
            await linked.locator("[name=family_logins]").fill(street.family.login)
            await linked.locator("button[type=submit]").click()
            await until(page, "document.querySelector('.people-form .field-error') === null")
            # Consent to video auto-answer, recorded as the guardian's word.
            await card.locator("summary", has_text="consent").click()
            consent = card.locator(".consent-form")
            await consent.locator("[name=video_auto_answer]").check()
            await consent.locator("[name=given_by]").select_option("guardian")
            await consent.locator("button[type=submit]").click()
            await consent.locator(".consent-at[data-purpose=video_auto_answer]", has_text="legal guardian").wait_for()
            home = await (await street.operator.get(f"/api/homewatch/homes/{home_id}")).json()
            assert home["consent"]["video_auto_answer"] is True
            # A shift starting now puts its carer on duty; the operator takes the other carer on duty by hand.
            shift = page.locator("#shift-form")
            await shift.locator("button[type=submit]").click()
            assert await shift.locator(".field-error").count() == 3  # carer, start, end
            first, second = street.carers
            await shift.locator("[name=carer_id]").select_option(first.id)
            now = datetime.now()
            await shift.locator("[name=starts_at]").fill(now.strftime("%Y-%m-%dT%H:%M"))
            await shift.locator("[name=ends_at]").fill(now.replace(hour=23, minute=59).strftime("%Y-%m-%dT%H:%M"))
            await shift.locator("button[type=submit]").click()
            await page.locator("#roster tbody tr").first.wait_for()
            await page.locator(f".hw-carer[data-carer='{first.id}'] .hw-badge.on").wait_for(timeout=10_000)
            await page.locator(f".hw-carer[data-carer='{second.id}'] .duty-toggle").click()
            await page.locator(f".hw-carer[data-carer='{second.id}'] .hw-badge.on").wait_for()
            assert (await (await second.get("/api/homewatch/me")).json())["on_duty"]
            assert await axe_violations(page) == []
            await page.close()
            for lang, viewport in (("zh", {"width": 1440, "height": 900}), ("en", {"width": 390, "height": 844}),
                                   ("zh", {"width": 390, "height": 844})):
                view = await signed_in_page(browser, base, street.operator.login, "/homewatch/operator", lang, viewport)
                await until(view, "document.getElementById('charts').dataset.ready === 'true'"
                                  " && document.querySelectorAll('#chart-false svg').length === 1")
                await view.locator(f".hw-home[data-home='{home_id}'] summary").first.click()
                if lang == "zh":
                    assert "近30天共7次呼叫" in await view.locator("#chart-kinds svg").get_attribute("aria-label")
                wide = await view.evaluate("""() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1 && !e.parentElement.closest('.hw-scroll')).sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right).slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right) + ' in ' + (e.parentElement.className || e.parentElement.tagName))""")
                assert await sideways_scroll(view) == 0, (lang, viewport, wide)
                assert await axe_violations(view) == [], (lang, viewport)
                if SHOTS:
                    name = f"{SHOTS}/hw-operator-{viewport['width']}-{lang}"
                    await view.screenshot(path=f"{name}.png", full_page=True)
                    for part in ("#charts", "#duty", ".hw-home"):  # legible pieces of a long page
                        await view.locator(part).first.screenshot(path=f"{name}-{part.strip('#.')}.png")
                await view.close()
            assert CSP_REFUSALS == []
        finally:
            await browser.close()
