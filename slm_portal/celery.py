"""The Celery app of the portal: settings come from Django settings under the CELERY_ namespace."""

import os

from celery import Celery
from celery.signals import worker_init, worker_process_init

from slm_portal.processes import freeze_loaded

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "slm_portal.settings")

app = Celery("slm_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def freeze_before_the_pool_forks(**_kwargs):
    """The worker's main process, Django and the tasks loaded, freezes them (``processes.freeze_loaded``) before its
    pool forks: the children inherit them frozen, so no collection in a child writes to those pages of memory the
    child shares with its parent."""
    freeze_loaded()


@worker_process_init.connect
def freeze_what_the_pool_process_loaded(**_kwargs):
    """Each process of the pool freezes what it made as it started, beside what it inherited frozen."""
    freeze_loaded()
