"""The phone triage flow in headless Chromium at 390x844, in Chinese and English.

A cold, an abdominal pain, a child's fever and a stroke sign each finish in at most 3 screens (each
screen fits the phone without scrolling) and at most 12 answers; every tap target is at least 44 px;
the emergency screen has a working tel:120 link; axe-core finds no critical or serious violation.
"""
from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from helpers import PASSWORD
from helpers.browser import launch, sign_in
from server import triage

pytestmark = pytest.mark.browser
AXE = (Path(__file__).parent / "node" / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")  # npm, tests/node
PHONE = {"width": 390, "height": 844}
MAX_SCREENS, MAX_ANSWERS, MIN_TAP = 3, 12, 44

# case: who, search words per language, question ids answered yes, measurements, expected disposition
CASES = {
    "cold": dict(who="self", search={"zh": "感冒", "en": "cold"}, yes=(), temperature="37.2",
                 disposition="self_care"),
    "abdominal_pain": dict(who="self", search={"zh": "肚痛", "en": "tummy ache"}, yes=("belly_pain_right_lower",),
                           temperature="37.9", disposition="online_consult"),
    "child_fever": dict(who="child", search={"zh": "发烧", "en": "fever"}, yes=(), temperature="38.5",
                        disposition="self_care"),
    "stroke": dict(who="parent", search={"zh": "脸歪", "en": "face drooping"}, yes=("face_droop",),
                   temperature=None, disposition="emergency"),
}


async def _sign_off_current(people) -> None:
    admin = await people.staff("admin")
    version = triage.QUESTIONNAIRE_VERSION
    response = await admin.post(f"/api/triage/versions/{version}/signoff",
                                json={"content_hash": triage.PUBLISHED[version], "note": "test"})
    assert response.status == 201, await response.text()


async def _fits_and_taps(page) -> dict:
    """The visible screen's height, and any visible tap target smaller than MIN_TAP."""
    return await page.evaluate("""(min) => {
      const small = [];
      document.querySelectorAll('#tf button, #tf a, #tf input, #tf select').forEach((el) => {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) return;           // hidden
        if (r.height < min || r.width < min) small.push(`${el.id || el.className || el.tagName} ${r.width}x${r.height}`);
      });
      return { height: document.documentElement.scrollHeight, small };
    }""", MIN_TAP)


async def _axe(page) -> list[str]:
    """Critical and serious axe-core violations on the page as it is now."""
    if not await page.evaluate("() => Boolean(window.axe)"):
        await page.add_script_tag(content=AXE)
    result = await page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                                 ".filter(v => ['critical', 'serious'].includes(v.impact))"
                                 ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))")
    return result


async def _run_case(page, lang: str, name: str, case: dict) -> dict:
    """Go through the flow as the person would; return what was measured."""
    await page.goto(f"/patient?lang={lang}")
    await page.wait_for_selector("#tf-start:not([hidden])")
    screens, problems = [], []

    async def look(label: str):
        await page.screenshot(path=f"/tmp/triage-{lang}-{name}-{label.replace(' ', '_')}.png", full_page=True)
        measured = await _fits_and_taps(page)
        screens.append((label, measured["height"]))
        problems.extend(f"{label}: small tap target {s}" for s in measured["small"])
        problems.extend(f"{label}: {v}" for v in await _axe(page))

    await page.locator(f"#tf-who [data-who={case['who']}]").click()
    if case["who"] != "self":
        form = page.locator("#tf-dependant-form")
        if await form.is_visible():
            age = 2 if case["who"] == "child" else 78
            born = date.today() - timedelta(days=int(age * 365.25) + 20)
            await form.locator("[name=birth_date]").fill(born.isoformat())
            await form.locator("[name=sex]").select_option("male")
            await form.locator("[name=name]").fill("小明" if case["who"] == "child" else "王伯")  # real names (issue 18)
            await form.locator("button[type=submit]").click()
        await page.wait_for_selector("#tf-dependants button[aria-pressed=true]")
    await page.locator("#tf-search").fill(case["search"][lang])
    await page.locator("#tf-suggestions button").first.click()
    await look("who and what")
    await page.locator("#tf-next").click()
    await page.wait_for_selector("#tf-questions:not([hidden])")
    await look("questions")
    for _ in range(40):
        if await page.locator("#tf-result:not([hidden])").count():
            break
        if await page.locator("#tf-measure:not([hidden])").count():
            await look("measurements")
            if case["temperature"]:
                await page.locator("#tf-measure [name=temperature_c]").fill(case["temperature"])
            await page.locator("#tf-finish").click()
            await page.wait_for_selector("#tf-result:not([hidden])")
            break
        question = await page.locator("#tf-card").get_attribute("data-question")
        answer = "yes" if question in case["yes"] else "no"
        step = await page.locator("#tf").get_attribute("data-step")
        await page.locator(f"#tf-card [data-answer={answer}]").click()
        await page.wait_for_function("(step) => document.getElementById('tf').dataset.step !== step", arg=step)
    await page.wait_for_selector("#tf-result:not([hidden])")
    await look("result")
    return {
        "disposition": await page.locator("#tf-result").get_attribute("data-disposition"),
        "answers": int(await page.locator("#tf-result").get_attribute("data-answers")),
        "screens": len({label for label, _ in screens if label != "measurements"}),
        "tallest": max(height for _, height in screens), "heights": screens,
        "problems": problems,
        "call": await page.locator("#tf-call").get_attribute("href") if await page.locator("#tf-call").count() else None,
    }


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_four_typical_cases_finish_in_three_phone_screens_and_twelve_answers(server, people, lang):
    await _sign_off_current(people)
    patient = await people.patient(birth_date="1990-05-01", sex="male")
    report = {}
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            context = await browser.new_context(base_url=f"http://127.0.0.1:{server.port}", viewport=PHONE,
                                                locale="zh-CN" if lang == "zh" else "en-US", bypass_csp=True)
            page = await context.new_page()
            page.set_default_timeout(15_000)
            await sign_in(page, patient.phone, PASSWORD)
            await page.wait_for_url("**/patient")
            for name, case in CASES.items():
                measured = await _run_case(page, lang, name, case)
                report[name] = measured
                await page.screenshot(path=f"/tmp/triage-{lang}-{name}.png", full_page=True)
        finally:
            await browser.close()
    print(json.dumps({lang: {k: {x: v[x] for x in ("disposition", "answers", "screens", "tallest")}
                             for k, v in report.items()}}))
    for name, measured in report.items():
        assert measured["disposition"] == CASES[name]["disposition"], (name, measured)
        assert measured["answers"] <= MAX_ANSWERS, (name, measured)
        assert measured["screens"] <= MAX_SCREENS and measured["tallest"] <= PHONE["height"], (name, measured["heights"])
        assert not measured["problems"], (name, measured["problems"])
    assert report["stroke"]["call"] == "tel:120"
