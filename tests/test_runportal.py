"""`manage.py runportal` (what `make run` ends with) tells web, worker and beat the port it serves on, so that the
links the worker e-mails follow `PORT=8101 make run` (SLM_PORTAL_URL's default is built from PORT)."""

import io

from django.core.management import call_command

from slm_portal.management.commands import runportal


class FinishedChild:
    """A child process that has already stopped, with no output."""

    pid = 0
    stdout = io.StringIO()

    def poll(self):
        return 0

    def wait(self, timeout=None):
        return 0


def test_web_worker_and_beat_are_told_the_port_runportal_serves_on(monkeypatch):
    started = {}

    def popen(command, env, **options):
        name = command[2] if command[1] == "manage.py" else command[5]  # runserver, or the Celery sub-command
        started[name] = (command, env)
        return FinishedChild()

    monkeypatch.setenv("PORT", "8000")
    monkeypatch.setattr(runportal.subprocess, "Popen", popen)
    monkeypatch.setattr(runportal.Command, "_announce", lambda self, url: None)

    call_command("runportal", "--port", "8101", stdout=io.StringIO(), stderr=io.StringIO())

    assert sorted(started) == ["beat", "runserver", "worker"]
    assert started["runserver"][0][-2] == "127.0.0.1:8101"
    assert {name: env["PORT"] for name, (_command, env) in started.items()} == {
        "runserver": "8101",
        "worker": "8101",
        "beat": "8101",
    }
