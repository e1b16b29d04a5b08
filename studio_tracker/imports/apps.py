from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "studio_tracker.imports"
    label = "imports"
    verbose_name = "Imports"
