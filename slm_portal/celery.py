"""The Celery app of the portal: settings come from Django settings under the CELERY_ namespace."""

import os

from celery import Celery
from celery.signals import worker_process_init

from slm_portal.processes import freeze_loaded

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "slm_portal.settings")

app = Celery("slm_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def freeze_what_the_worker_loaded(**_kwargs):
    """Each child of a worker's pool starts with the tasks and Django loaded by the parent: frozen out of the
    collector's sight (``processes.freeze_loaded``)."""
    freeze_loaded()
