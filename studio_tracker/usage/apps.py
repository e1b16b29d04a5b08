from django.apps import AppConfig


class UsageConfig(AppConfig):
    name = "studio_tracker.usage"
    label = "usage"
    verbose_name = "AI usage"
