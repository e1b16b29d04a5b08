"""Two-factor sign-in with an authenticator app (TOTP, django-otp).

A user enrols one device: :func:`start_enrolment` makes an unconfirmed device and its QR code,
:func:`confirm_enrolment` confirms it with a first code, :func:`remove_device` deletes it after the
password is given again. Once confirmed, the login page asks for a code after the password and the
token endpoint wants it in ``otp``.

``User.must_use_two_factor`` is set by the ``productions`` app (an organisation that requires two
factors, for its compliance admins); this module only reads it, so ``accounts`` imports no domain
app. Such a user without a device is held on the enrolment page
(:class:`~studio_tracker.accounts.middleware.TwoFactorRequiredMiddleware`) and refused tokens.
"""

from base64 import b32encode

import segno
from django.db import transaction
from django.db.models import Exists, OuterRef
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "Authenticator app"


def confirmed_device(user) -> TOTPDevice | None:
    if not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_device(user) -> bool:
    return user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def annotate_has_device(users):
    """The users queryset with ``has_two_factor``: whether each has a confirmed device (one
    subquery, for lists of people)."""
    return users.annotate(
        has_two_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
    )


def needs_enrolment(user) -> bool:
    """True when the user must use two factors and has no confirmed device yet."""
    return bool(getattr(user, "must_use_two_factor", False)) and not has_device(user)


def start_enrolment(user) -> TOTPDevice:
    """The user's unconfirmed device, made now if there is none (the same one on a reload, so the
    QR code already scanned stays valid)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an SVG QR code in a data: URI (allowed by the CSP's
    img-src; an <img> cannot run scripts)."""
    # A white quiet zone: in dark mode a transparent QR code would not scan.
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2, light="white")


def secret_for_typing(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for apps that cannot scan."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def verify_code(device: TOTPDevice, code: str) -> bool:
    """Whether the code is right now. django-otp refuses a code used before and slows down
    guessing after failures (its own throttle, besides the lockout)."""
    code = "".join((code or "").split())
    if not code.isdigit():
        return False
    return bool(device.verify_token(code))


@transaction.atomic
def confirm_enrolment(request, device: TOTPDevice, code: str) -> bool:
    """Confirm the device with a first code and mark this session as verified."""
    if not verify_code(device, code):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    otp_login(request, device)
    return True


@transaction.atomic
def remove_device(user) -> int:
    """Delete the user's devices (the caller has checked the password again)."""
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    return deleted
