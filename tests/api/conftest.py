"""Fixtures the API tests share with the usage tests: a tool, a performer, a consent and a use."""

from tests.usage.conftest import evidence  # noqa: F401  (a fixture, used by name)
