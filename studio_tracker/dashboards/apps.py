from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "studio_tracker.dashboards"
    label = "dashboards"
    verbose_name = "Dashboards"
