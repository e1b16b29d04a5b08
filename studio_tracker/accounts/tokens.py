"""API tokens: issue, authenticate, list and revoke."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from .models import ApiToken

KEY_PREFIX = "st_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def password_stamp(user) -> str:
    """Changes whenever the user's password does, which ends every token issued before."""
    return salted_hmac("studio_tracker.api-token", user.password, algorithm="sha256").hexdigest()


def issue_token(user, *, name: str = "") -> tuple[ApiToken, str]:
    """Create a token and return it with its key, which is not stored and cannot be shown again."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=_hash(key),
        prefix=key[:10],
        name=name,
        password_stamp=password_stamp(user),
        expires_at=timezone.now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS),
    )
    return token, key


def user_for_key(key: str):
    """The user a key authenticates, or None when it is unknown, expired, revoked or stale."""
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(key)).first()
    if token is None or token.expires_at <= timezone.now() or not token.user.is_active:
        return None
    if not constant_time_compare(token.password_stamp, password_stamp(token.user)):
        return None
    now = timezone.now()
    # Write at most once a minute: a busy client should not turn every GET into a write.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def live_tokens(user):
    return ApiToken.objects.filter(user=user, expires_at__gt=timezone.now())
