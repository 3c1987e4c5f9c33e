"""Headless Chromium (Debian's package) driven by Playwright, with a fake camera and microphone.

Missing Chromium fails the tests: it is never a reason to skip them.
"""
from __future__ import annotations

import shutil
import tempfile

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
    "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required",
]


async def launch(playwright):
    """Chromium with fake media devices; pages on http://127.0.0.1 count as a secure context."""
    return await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)


async def new_page(browser, base_url: str, lang: str = "en"):
    """A page in its own context (own cookies), camera and microphone allowed.

    The page's CSP is bypassed: Playwright's string predicates are evaluated like eval(), which the
    CSP forbids. So a test that data cannot run script proves the escaping alone, CSP or not.
    """
    context = await browser.new_context(base_url=base_url, locale="en-US" if lang == "en" else "zh-CN",
                                        permissions=["camera", "microphone"], bypass_csp=True)
    page = await context.new_page()
    page.set_default_timeout(15_000)
    return page


async def frames_decoded(page) -> int:
    """Decoded remote video frames, read from the page's own getStats() figures."""
    return await page.evaluate("async () => { const c = window.clinicCall; if (!c) return 0;"
                               " await c.collectStats(); return c.lastStats.framesDecoded || 0; }")


def temp_profile() -> str:
    """A throwaway user-data dir."""
    return tempfile.mkdtemp(prefix="clinic-chromium-")


async def sign_in(page, login: str, password: str) -> None:
    """Sign in through the start page's form, as a person would."""
    await page.goto("/")
    form = page.locator("#login-form")
    await form.locator("[name=login]").fill(login)
    await form.locator("[name=password]").fill(password)
    await form.locator("button[type=submit]").click()
