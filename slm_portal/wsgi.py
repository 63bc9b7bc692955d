"""The WSGI application the web server (gunicorn) serves.

What a worker keeps for its whole life (the settings, the apps and their models, the URLconf and the views it
imports) is loaded here, then frozen out of the garbage collector's sight (``gc.freeze``). Otherwise every full
collection walks those 170,000 objects again: about a tenth of a worker's CPU on a batch of ticket events, spent
in pauses of a tenth of a second. Loading the URLconf here also means a broken one stops the worker at start-up
rather than at its first request.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "slm_portal.settings")

application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 - imports every view now, not on the first request
gc.collect()
gc.freeze()
