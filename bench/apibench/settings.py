"""The product's settings, with the bench URLconf (the product's routes plus one plain view)."""

from studio_tracker.settings import *  # noqa: F403

ROOT_URLCONF = "bench.apibench.urls"
