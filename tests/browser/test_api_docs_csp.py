"""The API's Swagger UI and ReDoc pages render from local assets without breaking the CSP.

ReDoc's bundle always tries to show Redocly's logo from their CDN; our policy blocks it (the
image hides itself when it fails), so the page loads nothing from a third party.
"""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@pytest.mark.csp_blocks(REDOC_LOGO)
@pytest.mark.parametrize(("path", "ready"), [("docs", ".swagger-ui"), ("redoc", ".redoc-wrap")])
def test_the_api_documentation_renders_without_csp_violations(
    live_server, page, browser_ready, request, path, ready
):
    page.goto(f"{live_server.url}/api/v1/{path}/")
    page.locator(ready).first.wait_for()
    page.get_by_text("Studio Tracker API").first.wait_for()
    if path == "redoc":
        page.wait_for_function("() => document.querySelector('a[href*=redocly]') !== null")
        page.wait_for_timeout(500)  # the violation event arrives asynchronously
        assert any(REDOC_LOGO in v for v in request.node.csp_violations), (
            request.node.csp_violations
        )
