import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from improvement.demo import seed_improvement_demo
from monitoring.demo import seed_monitoring_demo
from requirements_analysis.demo import seed_requirements_demo
from slm_portal.demo import DEMO_PEOPLE, DEMO_TOTP_BASE32, seed_demo


class Command(BaseCommand):
    help = "Load the demo data (idempotent): customers, services, a business calendar, SLAs and demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--password", default="slm-demo", help="Password of new demo users (default: slm-demo).")
        parser.add_argument(
            "--allow-production", action="store_true", help="Seed even with DEBUG off (demo logins are public)."
        )
        parser.add_argument(
            "--portal-url",
            default=f"http://127.0.0.1:{os.environ.get('PORT', '8000')}",
            help="Where the demo probe finds the portal's /health.",
        )

    def handle(self, *args, password, allow_production, portal_url, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError("Refusing to create demo logins with DEBUG off; pass --allow-production to insist.")
        started = time.monotonic()
        result = seed_demo(password)
        monitoring = seed_monitoring_demo(timezone.now(), portal_url)
        seed_requirements_demo(result["people"])
        seed_improvement_demo(result["people"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(result['agreements'])} agreements, {len(DEMO_PEOPLE)} people, "
                f"{monitoring['samples']} new samples, {monitoring['snapshots']} snapshots "
                f"({time.monotonic() - started:.1f} s)."
            )
        )
        if monitoring["token"]:
            self.stdout.write(f"Token of the demo data source (shown once): {monitoring['token']}")
        if monitoring["desk_token"]:
            self.stdout.write(f"Token of the demo service desk (shown once): {monitoring['desk_token']}")
        self.stdout.write(
            f"Demo admin and manager use two-factor sign-in: add the key {DEMO_TOTP_BASE32} to an authenticator app "
            f"(or run: oathtool --totp -b {DEMO_TOTP_BASE32})."
        )
