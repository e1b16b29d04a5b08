"""Codes of an authenticator app, computed from a device's key in the database, as a phone would."""

from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice


def next_code(device: TOTPDevice) -> str:
    """The code the app would show now, or at the next step if this step's code was used already
    (django-otp accepts one step either side and refuses a step used before)."""
    device.refresh_from_db()
    clock = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    step = max(clock.t(), device.last_t + 1)  # t() counts the drift django-otp learnt
    return f"{hotp(device.bin_key, step, device.digits):0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    right = next_code(device)
    return f"{(int(right) + 1) % 10**device.digits:0{device.digits}d}"


def enrol(user) -> TOTPDevice:
    """A confirmed device, as if the user had scanned the QR code and confirmed it."""
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def log_in_with_code(client, user) -> TOTPDevice:
    """Log the client in as if the user had typed the password and a code (a verified session)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or enrol(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
