"""What a long-lived process of the portal does once its code is loaded: a web worker (``slm_portal.wsgi``), and a
Celery worker before its pool forks and in each process of the pool (``slm_portal.celery``)."""

import gc


def freeze_loaded():
    """Move every object alive now out of the garbage collector's sight (``gc.freeze``), after a collection of what
    is garbage already. What a process loads at start (settings, apps, models, views, tasks: some 170,000 objects)
    lives as long as the process, yet every full collection would walk it again: a tenth of a web worker's CPU on a
    batch of ticket events, and a third of the Python CPU of rebuilding 5,000 tickets' clocks."""
    gc.collect()
    gc.freeze()
