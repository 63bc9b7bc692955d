"""Start the web server, a Celery worker and Celery beat together; stop all three on Ctrl-C.

This is what `make run` ends with. Each part is a child process with its own output, prefixed by its name. The
three are told the port (PORT), so that without SLM_PORTAL_URL the links the worker e-mails (survey invitations,
alerts, digests) point at the port the web server serves on.
"""

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand

from slm_portal.demo import DEMO_PEOPLE


def _pump(name, stream, out):
    for line in iter(stream.readline, ""):
        out.write(f"{name:>6} | {line}")
        out.flush()


class Command(BaseCommand):
    help = "Run web, Celery worker and Celery beat together (development)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, port, host, **options):
        # A SIGTERM or SIGHUP (a closed terminal, `kill`) stops the children just like Ctrl-C does.
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.default_int_handler)
        python = sys.executable
        celery = [python, "-m", "celery", "-A", "slm_portal"]
        commands = {
            "web": [python, "manage.py", "runserver", f"{host}:{port}", "--noreload"],
            "worker": [*celery, "worker", "--loglevel", "INFO", "--concurrency", "2", "--hostname", "worker@%h"],
            "beat": [*celery, "beat", "--loglevel", "INFO", "--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME],
        }
        environment = {**os.environ, "PORT": str(port)}
        children = {}
        for name, command in commands.items():
            children[name] = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                command,
                cwd=settings.BASE_DIR,
                env=environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,
            )
            threading.Thread(target=_pump, args=(name, children[name].stdout, self.stdout), daemon=True).start()

        url = f"http://{host}:{port}/"
        self._announce(url)
        try:
            while all(child.poll() is None for child in children.values()):
                time.sleep(0.5)
            stopped = [name for name, child in children.items() if child.poll() is not None]
            self.stderr.write(f"{', '.join(stopped)} stopped; shutting the others down.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping web, worker and beat…")
        finally:
            self._stop(children)

    def _announce(self, url):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url + "health", timeout=2):  # noqa: S310 - our own local URL
                    break
            except OSError as error:
                if getattr(error, "code", None):  # an HTTP answer (503 before the first heartbeat) is fine
                    break
                time.sleep(0.5)
        logins = ", ".join(username for username, *_ in DEMO_PEOPLE)
        self.stdout.write(
            self.style.SUCCESS(
                f"\nSLM Portal is running at {url}\n"
                f"  demo logins (password slm-demo): {logins}\n"
                f"  admin: {url}admin/   health: {url}health\n"
                "  Ctrl-C stops web, worker and beat.\n"
            )
        )

    def _stop(self, children):
        for child in children.values():
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
