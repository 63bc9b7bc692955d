"""Settings for the test suite: the portal's own settings, plus a throwaway key and a fast password hasher."""

import os
import secrets
import uuid
from pathlib import Path

# A key strong enough for DEBUG off, new for every run (the worker processes the tests start inherit it).
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
# Tests keep their files (SQLite database, file-system broker) apart from a development run's var/.
os.environ.setdefault("SLM_VAR_DIR", str(Path(__file__).resolve().parent.parent / "var" / "test"))
# A queue of this test session's own, so that a worker of another run on the same broker never takes its tasks.
os.environ.setdefault("SLM_TEST_QUEUE", f"slm-tests-{uuid.uuid4().hex[:8]}")

from slm_portal.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_AUTOREFRESH = True
CELERY_TASK_DEFAULT_QUEUE = os.environ["SLM_TEST_QUEUE"]

# A test database of this session's own, so that two test runs on one machine do not clobber each other's.
_test_db = DATABASES["default"].setdefault("TEST", {})  # noqa: F405
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    _test_db["NAME"] = f"{SLM_VAR_DIR / 'tests'}-{os.getpid()}.sqlite3"  # noqa: F405
else:
    _test_db["NAME"] = f"test_slm_{os.getpid()}"
