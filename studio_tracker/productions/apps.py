from django.apps import AppConfig


class ProductionsConfig(AppConfig):
    name = "studio_tracker.productions"
    label = "productions"
    verbose_name = "Productions"
