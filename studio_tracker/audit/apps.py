from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "studio_tracker.audit"
    label = "audit"
    verbose_name = "Audit log"
