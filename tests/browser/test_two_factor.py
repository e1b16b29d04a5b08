"""A person sets up an authenticator app in a real browser, then logs in with a code; no CSP
violation on the way (the QR code is an inline SVG image)."""

import pytest
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.totp import next_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-pass-phrase"


def test_a_user_sets_up_two_factor_sign_in_and_logs_in_with_a_code(
    live_server, page, browser_ready, screenshot
):
    get_user_model().objects.create_user("ada", password=PASSWORD)
    problems = []
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Welcome, ada").wait_for()

    page.get_by_text("ada", exact=True).click()  # the user menu
    page.get_by_role("link", name="Two-factor sign-in").click()
    page.get_by_role("heading", name="Set up two-factor sign-in").wait_for()
    qr = page.get_by_role("img", name="QR code to add Studio Tracker to an authenticator app")
    assert qr.evaluate("image => image.complete && image.naturalWidth > 0")
    screenshot(page, "setup")

    # The phone: the code computed from the key the QR code carries, as stored for the device.
    device = TOTPDevice.objects.get(user__username="ada")
    page.get_by_label("Code from your authenticator app").fill(next_code(device))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    page.get_by_text("Two-factor sign-in is on").wait_for()
    screenshot(page, "enrolled")

    page.get_by_text("ada", exact=True).click()
    page.get_by_role("button", name="Log out").click()
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Enter your code").wait_for()
    screenshot(page, "code")
    page.get_by_label("Code from your authenticator app").fill(next_code(device))
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Welcome, ada").wait_for()

    assert problems == []
