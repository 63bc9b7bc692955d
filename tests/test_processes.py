"""A long-lived process freezes what it loaded at start out of the garbage collector's sight."""

import gc

from celery.signals import worker_process_init

import slm_portal.celery  # noqa: F401 - connects the receiver a worker's pool processes run at start
from slm_portal.processes import freeze_loaded


def test_freezing_moves_every_living_object_out_of_the_collectors_generations():
    gc.unfreeze()
    alive = len(gc.get_objects())
    try:
        freeze_loaded()
        assert gc.get_freeze_count() >= alive // 2
        assert len(gc.get_objects()) < alive // 10
    finally:
        gc.unfreeze()


def test_each_process_of_a_celery_workers_pool_freezes_what_it_loaded_when_it_starts():
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        worker_process_init.send(sender="worker@test")
        assert gc.get_freeze_count() > 50_000
    finally:
        gc.unfreeze()
