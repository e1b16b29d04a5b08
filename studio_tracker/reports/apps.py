from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "studio_tracker.reports"
    label = "reports"
    verbose_name = "Disclosure reports"
