"""Daily reminders to producers: consents about to expire, and revoked consents that uses
still rely on."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone

from studio_tracker.productions.models import Membership, Production

from .models import ConsentRecord

EXPIRY_WARNING_DAYS = 14


@dataclass
class Attention:
    production: Production
    expiring: list[ConsentRecord] = field(default_factory=list)
    revoked_in_use: list[ConsentRecord] = field(default_factory=list)


def consents_needing_attention(today: date) -> list[Attention]:
    """Per production: live consents ending within 14 days, and revoked ones still relied on."""
    by_production: dict[int, Attention] = {}
    related = ConsentRecord.objects.select_related("production", "performer")

    def slot(consent):
        return by_production.setdefault(consent.production_id, Attention(consent.production))

    expiring = related.filter(
        revoked_at__isnull=True,
        valid_until__gte=today,
        valid_until__lte=today + timedelta(days=EXPIRY_WARNING_DAYS),
    )
    for consent in expiring.order_by("valid_until", "id"):
        slot(consent).expiring.append(consent)
    revoked = related.filter(revoked_at__isnull=False, usage_links__isnull=False).distinct()
    for consent in revoked.order_by("revoked_at", "id"):
        slot(consent).revoked_in_use.append(consent)
    return sorted(by_production.values(), key=lambda item: item.production.pk)


def send_consent_reminders(today: date | None = None) -> int:
    """Email each affected production's producers; return how many emails were sent."""
    today = today or timezone.localdate()
    producers = defaultdict(list)
    attention = consents_needing_attention(today)
    memberships = Membership.objects.filter(
        production__in=[item.production for item in attention],
        role=Membership.Role.PRODUCER,
        user__is_active=True,
    ).select_related("user")
    for membership in memberships:
        if membership.user.email:
            producers[membership.production_id].append(membership.user.email)
    sent = 0
    for item in attention:
        recipients = producers.get(item.production.pk)
        if not recipients:
            continue
        context = {"attention": item, "today": today, "days": EXPIRY_WARNING_DAYS}
        subject = render_to_string("emails/consent-reminder-subject.txt", context).strip()
        body = render_to_string("emails/consent-reminder-body.txt", context)
        send_mail(subject, body, None, sorted(recipients))
        sent += 1
    return sent
