from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from slm_portal.demo import DEMO_PEOPLE, seed_demo


class Command(BaseCommand):
    help = "Load the demo data (idempotent): customers, services, a business calendar, SLAs and demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--password", default="slm-demo", help="Password of new demo users (default: slm-demo).")
        parser.add_argument(
            "--allow-production", action="store_true", help="Seed even with DEBUG off (demo logins are public)."
        )

    def handle(self, *args, password, allow_production, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError("Refusing to create demo logins with DEBUG off; pass --allow-production to insist.")
        result = seed_demo(password)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready: {len(result['agreements'])} agreements, {len(DEMO_PEOPLE)} people.")
        )
