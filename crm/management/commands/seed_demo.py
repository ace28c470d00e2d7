"""Load the demo bank: organisation, accounts and (where the apps exist) customers."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from crm.demo import DEMO_ACCOUNTS, demo_password, seed_organisation
from crm.models import Branch


class Command(BaseCommand):
    help = "Load demo data: branches, one account per role, customers. Refused in production."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=3000,
                            help="number of customers to generate (default 3000)")
        parser.add_argument("--seed", type=int, default=2026,
                            help="random seed; the same seed gives the same bank")
        parser.add_argument("--if-empty", action="store_true",
                            help="do nothing if the organisation has already been loaded")

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo is refused with DJANGO_ENV=production.")
        if options["customers"] < 0:
            raise CommandError("--customers must be zero or more.")
        if options["if_empty"] and Branch.objects.exists():
            self.stdout.write("Demo data already loaded; nothing to do.")
            return
        counts = seed_organisation()
        self.stdout.write(f"Branches: {counts['branches']}, accounts: {counts['accounts']}")
        for extend in _extensions():
            for line in extend(customers=options["customers"], seed=options["seed"]):
                self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Accounts (password "
                                             f"{demo_password()!r}):"))
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.username:<18} {account.role.label}")


def _extensions():
    """Generators of the domain apps, run after the organisation exists, in dependency order."""
    from customers.demo import seed_customers
    from loyalty.demo import seed_engagement, seed_loyalty

    return [seed_customers, seed_loyalty, seed_engagement]
