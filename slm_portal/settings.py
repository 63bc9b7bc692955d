"""Settings of SLM Portal, read from the environment (see the configuration table in README.md).

Development defaults make `make run` work with no configuration: a SQLite file and Celery's file-system broker under
var/. Production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY and ALLOWED_HOSTS.

Names. A setting (and its environment variable) that only the portal has carries the SLM_ prefix: SLM_PORTAL_URL,
SLM_VAR_DIR, SLM_EVALUATION_INTERVAL... A variable that sets Django's, Celery's or a library's own setting keeps
that setting's standard name (SECRET_KEY, DEBUG, ALLOWED_HOSTS, TIME_ZONE, LANGUAGE_CODE, EMAIL_*, CELERY_*), or
its usual short form: HSTS_* for SECURE_HSTS_*, BEHIND_TLS_PROXY for SECURE_PROXY_SSL_HEADER, DATABASE_URL and
CACHE_URL for DATABASES and CACHES, LOG_LEVEL for the root logger's level. Module constants that only build a
library's setting (the app lists, the CSP hashes) are not read by anything else. Renamed variables are still read
under their old names (PORTAL_NAME, PORTAL_URL, HEARTBEAT_INTERVAL_SECONDS), with a RenamedVariableWarning.

Importing this module creates nothing on disk: SLM_VAR_DIR and the file-system broker's folders are made when
Django starts (SlmPortalConfig.ready, slm_portal/folders.py).
"""

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from slm_portal.env import (
    env_bool,
    env_broker_url,
    env_cache,
    env_choice,
    env_database,
    env_encryption_key,
    env_int,
    env_list,
    env_networks,
    env_rate,
    env_secret_key,
    env_str,
    env_time_zone,
)
from slm_portal.identity.ldap_config import DIRECTORY_BACKEND, USER_ATTR_MAP, directory_objects
from slm_portal.identity.providers import parse_providers

BASE_DIR = Path(__file__).resolve().parent.parent
SLM_VAR_DIR = Path(env_str("SLM_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# Required and strong (by Django's own deployment checks) with DEBUG off; the stand-in is reachable only with DEBUG on.
SECRET_KEY = env_secret_key("SECRET_KEY", DEBUG, "development-only-key-never-used-with-debug-off")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
]
LOCAL_APPS = [
    "core",
    "slm_portal",
    "slm_portal.identity",
    "agreements",
    "monitoring",
    "requirements_analysis",
    "improvement",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "slm_portal.middleware.refuse_nul_characters",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "slm_portal.middleware.person_from_cache",
    "slm_portal.identity.middleware.require_second_factor",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "slm_portal.middleware.csp_nonce_on_every_response",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a sign-in refused for a lockout into the login page that says so.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "slm_portal.urls"
WSGI_APPLICATION = "slm_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "slm_portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{SLM_VAR_DIR / 'slm_portal.sqlite3'}")}
CACHES = {
    "default": env_cache("CACHE_URL", "locmem://"),
    # Renderings that depend only on the code, the translations and who asks (the navigation bar, by role, language
    # and the person's name), kept in each process: nothing an edit or an evaluation changes, so nothing to share.
    "process": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "slm-portal-process"},
}
# With a shared cache (Redis) sessions are read from it, and written to it and to the database (which keeps them if the
# cache is emptied): one query less on every page. With a cache of each process's own, from the database only: a
# session ended in one process must be ended in all of them.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.db"
    if CACHES["default"]["BACKEND"].endswith("LocMemCache")
    else "django.contrib.sessions.backends.cached_db"
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password sign-in (Django's ModelBackend) and single sign-on (its callback signs the person in with this backend).
# django-axes' lockout check first (it lets nobody in by itself), then passwords, then single sign-on's (which only
# finds the signed-in person again); the directory's is added below when LDAP is configured.
AUTHENTICATION_BACKENDS = [
    "slm_portal.identity.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    "slm_portal.identity.backends.SingleSignOnBackend",
]
# OpenID Connect providers, a JSON list (slm_portal/identity/providers.py); each names the variable of its secret.
SLM_OIDC_PROVIDERS = parse_providers(env_str("SLM_OIDC_PROVIDERS", ""))
# Roles that may not sign in with a password: "managers", "customers" (superusers always may).
SLM_PASSWORD_SIGN_IN_OFF = env_list("SLM_PASSWORD_SIGN_IN_OFF")
if set(SLM_PASSWORD_SIGN_IN_OFF) - {"managers", "customers"}:
    raise ImproperlyConfigured("SLM_PASSWORD_SIGN_IN_OFF takes managers, customers or both (comma-separated).")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Directory sign-in (LDAP / Active Directory) for the provider's own staff: off, and python-ldap never imported, unless
# AUTH_LDAP_SERVER_URI is set. The names are django-auth-ldap's settings; README "Directory sign-in" explains them.
AUTH_LDAP_SERVER_URI = env_str("AUTH_LDAP_SERVER_URI", "")
if AUTH_LDAP_SERVER_URI:
    # Local accounts are tried first: an administrator still signs in while the directory is down.
    AUTHENTICATION_BACKENDS.append(DIRECTORY_BACKEND)
    AUTH_LDAP_BIND_DN = env_str("AUTH_LDAP_BIND_DN", "")
    AUTH_LDAP_BIND_PASSWORD = env_str("AUTH_LDAP_BIND_PASSWORD", "")
    AUTH_LDAP_START_TLS = env_bool("AUTH_LDAP_START_TLS", False)
    AUTH_LDAP_USER_DN_TEMPLATE = env_str("AUTH_LDAP_USER_DN_TEMPLATE")
    AUTH_LDAP_USER_ATTR_MAP = USER_ATTR_MAP
    _directory = directory_objects(
        user_dn_template=AUTH_LDAP_USER_DN_TEMPLATE,
        user_search_base=env_str("AUTH_LDAP_USER_SEARCH_BASE"),
        user_search_filter=env_str("AUTH_LDAP_USER_SEARCH_FILTER", "(uid=%(user)s)"),
        group_search_base=env_str("AUTH_LDAP_GROUP_SEARCH_BASE"),
        group_search_filter=env_str("AUTH_LDAP_GROUP_SEARCH_FILTER"),
        group_type=env_str("AUTH_LDAP_GROUP_TYPE", "groupOfNames"),
        timeout=env_int("AUTH_LDAP_TIMEOUT", 5, minimum=1),
    )
    AUTH_LDAP_USER_SEARCH = _directory["AUTH_LDAP_USER_SEARCH"]
    AUTH_LDAP_GROUP_SEARCH = _directory["AUTH_LDAP_GROUP_SEARCH"]
    AUTH_LDAP_GROUP_TYPE = _directory["AUTH_LDAP_GROUP_TYPE"]
    AUTH_LDAP_CONNECTION_OPTIONS = _directory["AUTH_LDAP_CONNECTION_OPTIONS"]

LANGUAGE_CODE = env_choice("LANGUAGE_CODE", "en", ("en", "ko"))
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_time_zone("TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["slm_portal.formats"]  # one date and one date-time format per language

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "slm_portal.staticfiles.PlotlyFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Sign-in lockout (django-axes): after AXES_FAILURE_LIMIT failed sign-ins for one username from one address, that
# pair is locked for AXES_COOLOFF_MINUTES; a success in between starts the count again. Attempts are kept in the
# database (admins unlock in Django admin: Axes > Access attempts). The portal keeps its own sign-in record, so
# axes' log of successful sign-ins is off.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_CLIENT_IP_CALLABLE = "slm_portal.identity.client.client_ip"
AXES_LOCKOUT_CALLABLE = "slm_portal.identity.views.lockout.locked_out"
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated); none by default, so the
# address a request comes from is its own.
SLM_TRUSTED_PROXIES = env_networks("SLM_TRUSTED_PROXIES")
# Days an invitation link works; days the sign-in record is kept (0: for ever).
SLM_INVITATION_DAYS = env_int("SLM_INVITATION_DAYS", 7, minimum=1)
SLM_SIGN_IN_RECORD_DAYS = env_int("SLM_SIGN_IN_RECORD_DAYS", 365, minimum=0)

# Security: cookies and headers that hold in production; DEBUG keeps plain-HTTP development working.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
SECURE_REDIRECT_EXEMPT = [r"^health$"]  # load balancers may probe over plain HTTP
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Two-factor sign-in (django-otp): Django admin never shows an authenticator's key once it is saved.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Secrets kept encrypted in the database (authenticator apps' keys, core/encryption.py): the key is derived from
# SLM_FIELD_ENCRYPTION_KEY, or from SECRET_KEY (and SECRET_KEY_FALLBACKS) when it is empty; the old keys listed still
# decrypt, so that a key can be changed (then `manage.py reencrypt_secrets`).
SLM_FIELD_ENCRYPTION_KEY = env_encryption_key("SLM_FIELD_ENCRYPTION_KEY", DEBUG)
SLM_FIELD_ENCRYPTION_OLD_KEYS = env_list("SLM_FIELD_ENCRYPTION_OLD_KEYS")

# Content-Security-Policy (django-csp) on every response: the portal serves all its scripts, styles, fonts and images
# itself (static/vendor/, drf-spectacular-sidecar), so nothing comes from elsewhere and no inline script runs without
# the request's nonce. Behaviour that templates used to put in on*= attributes lives in static/js/portal.js.
EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"  # sha256 of ""
PLOTLY_MAPLIBRE_CSS_HASH = "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='"
PLOTLY_PIXELATED_STYLE_HASH = "'sha256-AR/cKIZjWPcPmBUPDA6oti9XBiTbJvz0Cro2J1VzzS8='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        # plotly.js (4.1.1) needs four exceptions, found in Chromium by tests/browser/test_content_security_policy.py
        # and allowed by hash, so that nothing else is. <style> elements: an empty one that plotly.js then fills with
        # its base rules through the CSSOM (which CSP does not police), and maplibre's stylesheet bundled in it.
        # style="" attributes ('unsafe-hashes' lets a hash match an attribute; script-src has no such keyword): an
        # empty one on the heatmap's colour bar, and "image-rendering: …pixelated" on the heatmap's image, without
        # which the browser blurs the cells into each other. tests/test_content_security_policy.py checks these
        # hashes against the plotly.js the portal serves, so an upgrade that changes them fails there first.
        "style-src": [SELF, EMPTY_STYLE_HASH, PLOTLY_MAPLIBRE_CSS_HASH],
        "style-src-attr": ["'unsafe-hashes'", EMPTY_STYLE_HASH, PLOTLY_PIXELATED_STYLE_HASH],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "SLM Portal <slm-portal@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: the embedded default is the file-system broker in var/, so a first run needs no server. Its folders are
# made at start-up (slm_portal/folders.py), before a worker or the web server uses the broker.
CELERY_BROKER_URL = env_broker_url("CELERY_BROKER_URL", "filesystem://")
SLM_BROKER_FOLDER = SLM_VAR_DIR / "celery-broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(SLM_BROKER_FOLDER / "queue"),
        "data_folder_out": str(SLM_BROKER_FOLDER / "queue"),
        "processed_folder": str(SLM_BROKER_FOLDER / "processed"),
        "control_folder": str(SLM_BROKER_FOLDER / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240, minimum=1)
if CELERY_TASK_SOFT_TIME_LIMIT >= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_TASK_SOFT_TIME_LIMIT must be lower than CELERY_TASK_TIME_LIMIT.")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(SLM_VAR_DIR / "celerybeat-schedule")
# How often beat sends the heartbeat and evaluates every target; /health reads these, not the beat schedule.
SLM_HEARTBEAT_INTERVAL = timedelta(
    seconds=env_int("SLM_HEARTBEAT_INTERVAL_SECONDS", 30, minimum=1, deprecated="HEARTBEAT_INTERVAL_SECONDS")
)
SLM_EVALUATION_INTERVAL = timedelta(seconds=env_int("SLM_EVALUATION_INTERVAL_SECONDS", 300, minimum=10))
# Prometheus sources: a minute is pulled once it is this old; /health names a source this far behind.
SLM_PROMETHEUS_SETTLE_SECONDS = env_int("SLM_PROMETHEUS_SETTLE_SECONDS", 60, minimum=0)
SLM_PROMETHEUS_BEHIND_SECONDS = env_int("SLM_PROMETHEUS_BEHIND_SECONDS", 600, minimum=60)
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "slm_portal.tasks.heartbeat", "schedule": SLM_HEARTBEAT_INTERVAL.total_seconds()},
    "evaluate-slos": {"task": "monitoring.tasks.evaluate_all", "schedule": SLM_EVALUATION_INTERVAL.total_seconds()},
    "run-probes": {"task": "monitoring.tasks.run_probes", "schedule": env_int("SLM_PROBE_TICK_SECONDS", 15, minimum=1)},
    # Pulls each Prometheus source's settled minutes (monitoring.intake.prometheus).
    "pull-prometheus": {"task": "monitoring.tasks.pull_prometheus", "schedule": 60},
    "retry-notifications": {"task": "monitoring.tasks.send_pending_notifications", "schedule": 300},
    # Tickets left open past their goal are counted breached within a minute (evaluation settles them too).
    "settle-ticket-clocks": {"task": "monitoring.tasks.settle_ticket_clocks", "schedule": 60},
    # The monthly service reports: queued once the month just closed is final, sent (and retried) every hour.
    "service-reports": {"task": "monitoring.tasks.deliver_service_reports", "schedule": 3600},
    # Queues and sends the maintenance notices that are due, and completes the windows that are over.
    "maintenance-notices": {"task": "monitoring.tasks.send_maintenance_notices", "schedule": 180},
    # Tells agreements' contacts of ticket clocks' warning points and breaches, inside the clocks' working hours.
    "ticket-notices": {"task": "monitoring.tasks.send_ticket_notices", "schedule": 60},
    # 08:00 in the portal's time zone (CELERY_TIMEZONE); a second run the same day sends nothing.
    "action-digests": {"task": "improvement.tasks.send_action_digests", "schedule": crontab(hour=8, minute=0)},
    # 00:30: agreements whose valid-to day has passed are marked expired and leave evaluation (agreements.expiry).
    "expire-agreements": {"task": "agreements.tasks.expire_agreements", "schedule": crontab(hour=0, minute=30)},
    # Reminders of service reviews coming and passed, each sent once: a second run the same day sends nothing.
    "review-reminders": {"task": "improvement.tasks.send_review_reminders", "schedule": crontab(hour=8, minute=5)},
    # 02:40: PostgreSQL's monthly partitions of raw measurements, SLM_MEASUREMENT_PARTITIONS_AHEAD months ahead.
    "measurement-partitions": {
        "task": "monitoring.tasks.ensure_measurement_partitions",
        "schedule": crontab(hour=2, minute=40),
    },
    # 03:15: sign-in events older than SLM_SIGN_IN_RECORD_DAYS leave the record.
    "prune-sign-in-record": {
        "task": "slm_portal.identity.tasks.prune_sign_in_record",
        "schedule": crontab(hour=3, minute=15),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "monitoring.api.authentication.BearerTokenAuthentication",
        "slm_portal.identity.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "monitoring.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "monitoring.api.parsers.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Every token, and every person signed in by session, has its own budget of requests (SLM_API_RATE and
    # SLM_API_MACHINE_RATE below, read at each request); over it the API answers 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": ["monitoring.api.throttling.ApiRateThrottle"],
}
# Requests a person may make through the API (with their API token, or signed in), and a data source or a service
# desk with its token (the ingestion of a busy feed sends many batches a minute). "off": no limit.
SLM_API_RATE = env_rate("SLM_API_RATE", "1200/min")
SLM_API_MACHINE_RATE = env_rate("SLM_API_MACHINE_RATE", "6000/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "SLM Portal API",
    "DESCRIPTION": "Everything the portal's pages do, for scripts: the catalogue, agreements and their targets, "
    "indicators and data sources, compliance, breaches and alerts, requirements and surveys, improvement plans. "
    "Measurements and ticket events in with machine tokens.",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.add_error_responses",
    ],
    # Statuses of different rows, each its own enum (named by the row, not by the field).
    # Choice sets of fields that share a name ("status", "kind") in several bodies: one name each in the schema.
    "ENUM_NAME_OVERRIDES": {
        "ServiceStatusEnum": "agreements.choices.ServiceStatus",
        "AgreementStatusEnum": "agreements.choices.AgreementStatus",
        "AgreementKindEnum": "agreements.choices.AgreementKind",
        "MaintenanceStatusEnum": "agreements.choices.MaintenanceStatus",
        "BudgetingMethodEnum": "agreements.choices.BudgetingMethod",
        "SnapshotStatusEnum": "monitoring.choices.SnapshotStatus",
        "IndicatorKindEnum": "monitoring.kinds.IndicatorKind",
        "AlertStateEnum": "monitoring.choices.AlertState",
        "ClockStatusEnum": "monitoring.choices.ClockStatus",
        "RequirementCategoryEnum": "requirements_analysis.choices.Category",
        "RequirementStatusEnum": "requirements_analysis.choices.RequirementStatus",
        "SurveyStatusEnum": "requirements_analysis.choices.CampaignStatus",
        "PlanStatusEnum": "improvement.choices.PlanStatus",
        "ActionStatusEnum": "improvement.choices.ActionStatus",
    },
    "VERSION": "1",
    # Operations grouped by what they are about (customers, agreements, tickets…), not all under "v1".
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# A batch of 10,000 samples is about 600 kB of JSON.
DATA_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    # django-axes logs every sign-in at INFO; the portal's sign-in record holds them, so only its warnings show.
    "loggers": {"axes": {"level": "WARNING"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
    },
}

SLM_PORTAL_NAME = env_str("SLM_PORTAL_NAME", "SLM Portal", deprecated="PORTAL_NAME")
# The portal's own address, for the links in its e-mails and notifications. Unset, it follows the port the portal
# serves on (PORT, which `make run` and runportal pass to the web server, the worker and beat), and a page that sends
# mail builds its links from the address it was reached at; set, it wins everywhere.
_portal_url = env_str("SLM_PORTAL_URL", deprecated="PORTAL_URL")
SLM_PORTAL_URL_IS_SET = _portal_url is not None
SLM_PORTAL_URL = _portal_url or f"http://127.0.0.1:{env_int('PORT', 8000, minimum=1)}"
SLM_MAX_FUTURE_SKEW_SECONDS = env_int("SLM_MAX_FUTURE_SKEW_SECONDS", 300, minimum=0)
SLM_CLOSE_GRACE_MINUTES = env_int("SLM_CLOSE_GRACE_MINUTES", 15, minimum=0)
SLM_BACKFILL_DAYS = env_int("SLM_BACKFILL_DAYS", 400, minimum=1)
# PostgreSQL: months of raw-measurement partitions made ahead of the current one (monitoring/partitions.py).
SLM_MEASUREMENT_PARTITIONS_AHEAD = env_int("SLM_MEASUREMENT_PARTITIONS_AHEAD", 3, minimum=1)
SLM_ROLLING_BACKFILL_DAYS = env_int("SLM_ROLLING_BACKFILL_DAYS", 35, minimum=1)
SLM_EVALUATION_CHUNK = env_int("SLM_EVALUATION_CHUNK", 200, minimum=1)
SLM_TICKET_REBUILD_CHUNK = env_int("SLM_TICKET_REBUILD_CHUNK", 5000, minimum=1)
SLM_WEBHOOK_TIMEOUT_SECONDS = env_int("SLM_WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
# Days before each occurrence of approved maintenance that its customers are reminded of it (0: no reminders).
SLM_MAINTENANCE_REMINDER_DAYS = env_int("SLM_MAINTENANCE_REMINDER_DAYS", 3, minimum=0)
# Days before an agreement's next review date that its owner is reminded of it (0: on the day itself).
SLM_REVIEW_REMINDER_DAYS = env_int("SLM_REVIEW_REMINDER_DAYS", 14, minimum=0)
