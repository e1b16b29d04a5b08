"""The CSP watch of tests/browser/conftest.py sees what the browser blocks."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_blocked_inline_style_and_image_are_reported(live_server, page, browser_ready, request):
    page.goto(f"{live_server.url}/accounts/login/")
    assert request.node.csp_violations == []  # the login page itself breaks no rule
    # What a template with an inline style and a remote image would do under our policy.
    page.evaluate(
        """() => {
          const style = document.createElement("style");
          style.textContent = "body { color: red; }";
          document.head.append(style);
          const img = document.createElement("img");
          img.src = "https://tracker.example/pixel.png";
          document.body.append(img);
        }"""
    )
    page.wait_for_function("() => document.images.length > 0")
    page.wait_for_timeout(300)  # the events arrive asynchronously
    seen = "\n".join(request.node.csp_violations)
    assert "style-src" in seen, seen
    assert "img-src" in seen and "tracker.example" in seen, seen
    request.node.csp_violations.clear()  # seen and checked: this test itself passes
