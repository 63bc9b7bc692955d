"""The WSGI application the web server (gunicorn) serves.

What a worker keeps for its whole life (the settings, the apps and their models, the URLconf and the views it
imports) is loaded here, then frozen out of the garbage collector's sight (``processes.freeze_loaded``). Loading the
URLconf here also means a broken one stops the worker at start-up rather than at its first request.
"""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from slm_portal.processes import freeze_loaded

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "slm_portal.settings")

application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 - imports every view now, not on the first request
freeze_loaded()
