"""A person opens the app in a real browser: the login page works and breaks no CSP rule."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_user_logs_in_and_out_in_the_browser_without_csp_violations(
    live_server, page, browser_ready, screenshot
):
    get_user_model().objects.create_user("ada", password="a-long-pass-phrase")
    problems = []
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )

    page.goto(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Log in").is_visible()
    screenshot(page, "login")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("a-long-pass-phrase")
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("heading", name="Welcome, ada").wait_for()
    screenshot(page, "home")
    page.get_by_text("ada", exact=True).click()  # the user menu
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("heading", name="Log in").wait_for()

    assert problems == []
