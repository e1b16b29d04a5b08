"""The usage tests' evidence (a performer with a consent, its pay terms and a use that relies on
it) and a throwaway MEDIA_ROOT, so erasure deletes files nobody else needs."""

import pytest

from tests.usage.conftest import evidence  # noqa: F401  (a fixture, used by name)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
