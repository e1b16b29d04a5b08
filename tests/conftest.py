"""pytest wiring shared by every test.

The CI policy lives here: a test that needs a service (Redis, PostgreSQL) or a browser skips with a
reason on a bare laptop, and fails instead when ``CI=true``, so CI can never go green by skipping.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop in the test thread; the ORM refuses to run there
# otherwise. Only for the pytest process: `check --deploy` runs in a clean subprocess.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOT_DIR = Path(__file__).resolve().parent.parent / "var" / "screenshots"


def require(available: bool, reason: str) -> None:
    """Skip the test when something it needs is missing, except under CI, where that fails it."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Use Debian's Chromium: Playwright cannot download its own browser here."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM_PATH}


@pytest.fixture
def browser_ready():
    require(
        Path(CHROMIUM_PATH).exists() or shutil.which(CHROMIUM_PATH) is not None,
        f"no Chromium at {CHROMIUM_PATH} (apt-get install chromium)",
    )


@pytest.fixture
def screenshot(request):
    """Save a full-page screenshot under var/screenshots/ named after the test, to look at."""

    def take(page, suffix: str = "") -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        name = request.node.name + (f"-{suffix}" if suffix else "")
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def cast(db):
    from tests.cast import build_cast

    return build_cast()


@pytest.fixture(autouse=True)
def _audit_chains_verified(request):
    """Run verify_audit_log on the chains each database test wrote (tests/audit/chains.py)."""
    from tests.audit.chains import verify_chains_after

    yield from verify_chains_after(request)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing passwords properly is slow by design; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    """Throttle counters live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` authenticates as that user."""
    from rest_framework.test import APIClient

    class Client(APIClient):
        def as_user(self, user):
            self.force_authenticate(user)
            return self

    return Client()
