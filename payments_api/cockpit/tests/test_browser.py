"""The cockpit in a real browser: an operator's day in the admin, page by page, with a screenshot of each."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-password"


def test_smoke(live_server, page, screenshot, admin_operator):
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", admin_operator.email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    screenshot(page, "smoke")
    assert page.locator("#figure-pending").is_visible()
