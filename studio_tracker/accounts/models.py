from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who signs in. What they may see comes from their memberships, not from here."""

    must_use_two_factor = models.BooleanField(
        default=False,
        help_text=(
            "Set while the user is a compliance admin of an organisation that requires two "
            "factors: they must enrol an authenticator app before doing anything else, and the "
            "API refuses them a token without a code. Kept up to date by the organisation's "
            "switch and by granting or removing the role."
        ),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the key is shown once.

    A token stops working when it expires, when it is revoked (deleted), when its user is
    deactivated, and when its user's password changes (``password_stamp`` no longer matches).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(
        max_length=12, help_text="The key's first characters, to tell tokens apart."
    )
    name = models.CharField(max_length=100, blank=True)
    password_stamp = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
