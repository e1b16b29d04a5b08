from celery import shared_task

from . import reminders


@shared_task
def send_consent_reminders() -> int:
    """Daily: tell producers about expiring consents and revoked ones that uses rely on."""
    return reminders.send_consent_reminders()
