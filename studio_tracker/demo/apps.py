from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo organisation (`manage.py seed_demo`); sits above every app to use them all."""

    name = "studio_tracker.demo"
    label = "demo"
    verbose_name = "Demo data"
