"""The Celery application: configured from Django settings (``CELERY_*``), tasks found per app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio_tracker.settings")

app = Celery("studio_tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="studio_tracker.ping")
def ping(value: str = "pong") -> str:
    """Echo a value back: proves a message went through the broker and a worker answered."""
    return value
