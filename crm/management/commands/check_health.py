"""Exit 0 when the database, Redis and a Celery worker answer; print the report as JSON."""

import json

from django.core.management.base import BaseCommand, CommandError

from crm.health import service_health


class Command(BaseCommand):
    help = "Check the database, Redis and Celery workers (used by container health checks)."

    def add_arguments(self, parser):
        parser.add_argument("--skip-celery", action="store_true",
                            help="report Celery but do not fail when no worker answers")

    def handle(self, *args, **options):
        report = service_health()
        self.stdout.write(json.dumps(report))
        failing = [name for name, check in report["checks"].items()
                   if not check["ok"] and not (options["skip_celery"] and name == "celery")]
        if failing:
            raise CommandError(f"unhealthy: {', '.join(failing)}")
