"""Every browser test fails when the page broke a Content-Security-Policy rule.

The policy has no 'unsafe-inline': an inline script, style attribute or handler, or a file from
another origin, is blocked by the browser, which then logs it to the console and fires a
``securitypolicyviolation`` event. Both are collected for each test's page; a test that saw any
fails, naming the directive and what was blocked — unless the test is marked
``@pytest.mark.csp_blocks("…")`` with a part of that message: a third-party page we serve as is
(ReDoc) that tries something our policy is meant to stop.
"""

import pytest

# Runs in every document before its own scripts (injected by the browser's debugging protocol,
# so the policy does not block it) and reports each violation to Python.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile || document.location.href}:${event.lineNumber}`
  );
});
"""


@pytest.fixture(autouse=True)
def _fail_on_csp_violations(request):
    """Watch the test's page (only tests that open one) for CSP violations."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    violations: list[str] = []
    page.expose_binding("__cspViolation", lambda _source, text: violations.append(text))
    page.add_init_script(REPORT_VIOLATIONS)

    def on_console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            violations.append(f"console: {message.text}")

    page.on("console", on_console)
    request.node.csp_violations = violations
    yield


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After the test body: fail it if its page reported a violation."""
    result = yield
    expected = [text for mark in item.iter_markers("csp_blocks") for text in mark.args]
    violations = [
        violation
        for violation in getattr(item, "csp_violations", None) or []
        if not any(text in violation for text in expected)
    ]
    if violations:
        pytest.fail(
            "Content-Security-Policy violations in the browser:\n" + "\n".join(violations),
            pytrace=False,
        )
    return result


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "csp_blocks(text, ...): CSP violations this page is expected to have blocked"
    )
