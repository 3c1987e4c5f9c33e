"""ADMIN_TOTP_REQUIRED: an admin without an active second factor reaches only the enrolment routes
(403 `totp_enrolment_required` elsewhere) until a code confirms it; on by default in production only.
Through the API, and in Chromium: the admin page shows only the enrolment, then the start page asks
for the code."""
from __future__ import annotations

import pytest
from playwright.async_api import async_playwright

from helpers import PASSWORD
from helpers.browser import launch, new_page, sign_in
from server.accounts import totp
from server.settings import Settings, SettingsError

PRODUCTION = {"CLINIC_ENV": "production", "COOKIE_SECURE": "1", "SECRET_KEY": "k" * 40,
              "PUBLIC_BASE_URL": "https://clinic.example.cn"}


@pytest.fixture
def settings(app_database_url) -> Settings:
    """The app under test requires admins' second factor, as production does."""
    return Settings(database_url=app_database_url, housekeeping_seconds=0.2, admin_totp_required=True)


def test_the_setting_is_on_in_production_and_off_in_development_unless_set():
    assert Settings.from_env(PRODUCTION).admin_totp_required is True
    assert Settings.from_env({**PRODUCTION, "ADMIN_TOTP_REQUIRED": "0"}).admin_totp_required is False
    assert Settings.from_env({"SECRET_KEY": "k" * 40}).admin_totp_required is False  # the quick start
    assert Settings.from_env({"SECRET_KEY": "k" * 40, "DEMO": "1"}).admin_totp_required is False
    assert Settings.from_env({"SECRET_KEY": "k" * 40, "ADMIN_TOTP_REQUIRED": "1"}).admin_totp_required is True
    with pytest.raises(SettingsError, match="ADMIN_TOTP_REQUIRED"):
        Settings.from_env({"SECRET_KEY": "k" * 40, "ADMIN_TOTP_REQUIRED": "yes"})


async def test_an_unenrolled_admin_reaches_only_the_enrolment_routes(people, db):
    admin = await people.staff("admin")
    doctor = await people.doctor()
    for method, path, body in (("GET", "/api/admin/users", None), ("GET", "/api/admin/stats", None),
                               ("GET", "/api/admin/audit", None), ("POST", "/api/admin/organisations", {"name": "Acme"}),
                               ("POST", f"/api/admin/users/{doctor.id}/disable", None)):
        response = await (admin.get(path) if method == "GET" else admin.post(path, json=body))
        assert response.status == 403, (path, await response.text())
        assert (await response.json())["error"]["code"] == "totp_enrolment_required"
    async with db.acquire() as conn:  # the refused changes changed nothing
        assert await conn.fetchval("SELECT count(*) FROM organisations") == 0
        assert await conn.fetchval("SELECT disabled_at FROM users WHERE id = $1", int(doctor.id)) is None
    assert (await doctor.get("/api/doctor/queue")).status == 200  # other roles are not asked for one
    me = await (await admin.get("/api/me")).json()
    assert me["totp_enrolment_required"] is True
    assert (await (await doctor.get("/api/me")).json())["totp_enrolment_required"] is False
    assert (await admin.get("/admin")).status == 200  # the page loads, to show the enrolment

    started = await admin.post("/api/me/totp")
    assert started.status == 201
    body = await started.json()
    assert body["qr"].startswith("data:image/svg+xml")
    assert (await admin.get("/api/admin/users")).status == 403  # pending is not enrolled
    assert (await admin.post("/api/me/totp/confirm", json={"code": totp.code(body["secret"])})).status == 204
    assert (await admin.get("/api/admin/users")).status == 200
    assert (await (await admin.get("/api/me")).json())["totp_enrolment_required"] is False


async def test_the_admin_page_enrols_and_the_start_page_then_asks_for_the_code(server, people):
    admin = await people.staff("admin")
    base = f"http://127.0.0.1:{server.port}"
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            page = await new_page(browser, base)
            await sign_in(page, people.emails[admin.id], PASSWORD)
            await page.wait_for_url("**/admin")
            await page.wait_for_selector("#admin-totp:not([hidden])")
            assert await page.locator("#admin-people").is_hidden() and await page.locator("#admin-stats").is_hidden()
            await page.locator("#totp-begin").click()
            await page.wait_for_selector("#totp-setup:not([hidden])")
            secret = (await page.locator("#totp-secret").text_content()).replace(" ", "")
            assert (await page.locator("#totp-link").get_attribute("href")).startswith("otpauth://totp/")
            assert await page.locator("#totp-qr").evaluate("img => img.complete && img.naturalWidth > 0")
            await page.locator("#totp-form [name=code]").fill(totp.code(secret))
            await page.locator("#totp-form button[type=submit]").click()
            await page.wait_for_selector("#admin-people:not([hidden])")
            await page.wait_for_selector("#admin-content table")
            assert await page.locator("#admin-totp").is_hidden()

            again = await new_page(browser, base, lang="zh")
            await sign_in(again, people.emails[admin.id], PASSWORD)
            await again.wait_for_selector("#login-totp:not([hidden])")
            assert "验证码" in await again.locator('.form-error[data-for="login-form"]').text_content()
            await again.locator("#login-form [name=totp]").fill(totp.code(secret))
            await again.locator("#login-form button[type=submit]").click()
            await again.wait_for_url("**/admin")
            await again.wait_for_selector("#admin-content table")
        finally:
            await browser.close()
