"""Walk every audit chain and say whether it is intact; exit non-zero at the first break."""

from django.core.management.base import BaseCommand, CommandError

from studio_tracker.audit import trail


class Command(BaseCommand):
    help = (
        "Recompute every audit event's hash and check each chain's links and head. Prints a "
        "summary and exits 0 when intact; otherwise names the first bad event and exits 1."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--organization", type=int, metavar="ID", help="Check only this organisation's chain."
        )

    def handle(self, *args, **options):
        check = trail.check_chains(options["organization"])
        if check.problems:
            first, more = check.problems[0], len(check.problems) - 1
            suffix = f" ({more} more problem{'s' if more != 1 else ''} after it)" if more else ""
            raise CommandError(f"audit log broken at {first}{suffix}")
        self.stdout.write(f"audit log intact: {check.events} events in {check.chains} chains")
