from celery import shared_task
from django.core import management


@shared_task
def clear_expired_sessions() -> None:
    """Drop expired sessions so the session table does not grow without end."""
    management.call_command("clearsessions")
