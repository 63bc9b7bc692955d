"""A long-lived process freezes what it loaded at start out of the garbage collector's sight."""

import gc

import pytest
from celery.signals import worker_init, worker_process_init

import slm_portal.celery  # noqa: F401 - connects the receivers a worker runs at start
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


@pytest.mark.parametrize("signal", [worker_init, worker_process_init])
def test_a_celery_worker_freezes_what_it_loaded_before_its_pool_forks_and_in_each_pool_process(signal):
    gc.unfreeze()
    try:
        signal.send(sender="worker@test")
        assert gc.get_freeze_count() > 50_000
    finally:
        gc.unfreeze()
