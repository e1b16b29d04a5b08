from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A person who signs in. What they may see comes from their memberships, not from here."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username
