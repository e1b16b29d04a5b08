"""Load the demo organisation and print the demo logins. Safe to run twice."""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from studio_tracker.demo import seed


class Command(BaseCommand):
    help = "Create the demo organisation (productions, people, shots, …) and print the logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only load the demo into an empty database; print the logins either way.",
        )
        parser.add_argument(
            "--shots",
            type=int,
            help="Scale the feature film to N shots with about three uses each, bulk inserted "
            "(50000 works). Without it: 200 shots and ~150 hand-picked uses.",
        )

        parser.add_argument(
            "--no-reports",
            action="store_true",
            help="Leave out the demo's compiled, submitted and approved reports.",
        )

    def handle(self, *args, **options):
        if options["if_empty"] and get_user_model().objects.exists():
            self.stdout.write("The database already has data; the demo was not loaded again.")
            self._print_logins([(name, what) for name, _, what in seed.PEOPLE])
            return
        started = time.monotonic()
        shots = options["shots"]
        result = seed.seed(
            feature_shots=shots or 200,
            bulk_uses=shots is not None,
            reports=not options["no_reports"] and shots is None,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded in {time.monotonic() - started:.1f} s "
                f"({result.shots_created} new shots, {result.uses_logged} new uses, "
                f"{result.reports_made} reports)."
            )
        )
        self._print_logins(result.logins)

    def _print_logins(self, logins):
        self.stdout.write(f"\nDemo logins (password for all: {seed.DEMO_PASSWORD}):")
        for username, what in logins:
            self.stdout.write(f"  {username:<6} {what}")
