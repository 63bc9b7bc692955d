"""The portal's settings with the benchmark's URLconf (``benchmarks.urls``): the pages benchmark hands this module
to gunicorn (DJANGO_SETTINGS_MODULE) so that a bare view is served beside the portal's pages by the same workers.
Nothing else differs; the portal itself never loads it."""

from slm_portal.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
