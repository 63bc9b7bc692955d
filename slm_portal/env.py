"""Settings read from the environment, with helpers that fail loudly on a bad value.

Every helper names the variable in its error, so a typo in a deployment stops start-up with a message that says
which setting to fix instead of a half-configured portal. A variable that was renamed is still read under its old
name (``deprecated=``), with a warning that names the new one.
"""

import ipaddress
import os
import re
import warnings
import zoneinfo

import dj_database_url
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class RenamedVariableWarning(DeprecationWarning):
    """An environment variable is set under the name it had before it was renamed."""


# Python hides DeprecationWarnings outside __main__; this one is for whoever runs the portal, so it is printed (once
# per variable) on standard error at start-up.
warnings.filterwarnings("default", category=RenamedVariableWarning)


def _lookup(name, deprecated=None):
    """(the variable's value or None, the name it was found under). ``deprecated``: the variable's old name, read
    when ``name`` is not set; setting it warns either way."""
    value = os.environ.get(name)
    if deprecated and os.environ.get(deprecated) not in (None, ""):
        warnings.warn(
            f"The environment variable {deprecated} is deprecated: rename it {name} ({name} wins when both are set).",
            RenamedVariableWarning,
            stacklevel=3,
        )
        if value in (None, ""):
            return os.environ[deprecated], deprecated
    return value, name


def env_str(name, default=None, *, required=False, deprecated=None):
    value, name = _lookup(name, deprecated)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return default
    return value


def weak_key_problem(key):
    """Why Django's deployment checks (security.W009) would call ``key`` weak, or None when they would not."""
    if key.startswith(SECRET_KEY_INSECURE_PREFIX):
        return f"it starts with {SECRET_KEY_INSECURE_PREFIX!r}, the mark of a key generated for development"
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"it has {len(key)} characters, fewer than {SECRET_KEY_MIN_LENGTH}"
    if len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        return f"it has {len(set(key))} different characters, fewer than {SECRET_KEY_MIN_UNIQUE_CHARACTERS}"
    return None


def env_secret_key(name, debug, development_key):
    """The signing key: required, and strong, when ``debug`` is off; ``development_key`` stands in with debug on."""
    key = env_str(name)
    if not key:
        if not debug:
            raise ImproperlyConfigured(f"The environment variable {name} must be set when DEBUG is off.")
        return development_key
    if debug:
        return key
    if "change-me" in key:
        raise ImproperlyConfigured(f"{name} still holds the placeholder of .env.example; set a real key.")
    problem = weak_key_problem(key)
    if problem:
        raise ImproperlyConfigured(
            f"{name} is too weak for DEBUG off: {problem}. Generate one with "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )
    return key


def env_encryption_key(name, debug):
    """An optional key to derive an encryption key from: with ``debug`` off, one set must be 32+ characters (a Fernet
    key, or ``secrets.token_urlsafe(32)``), and not the placeholder of .env.example. Empty: None."""
    key = env_str(name)
    if not key or debug:
        return key
    if "change-me" in key:
        raise ImproperlyConfigured(
            f"{name} still holds the placeholder of .env.example; set a real key or leave it empty."
        )
    if len(key) < 32:
        raise ImproperlyConfigured(
            f"{name} has {len(key)} characters, too few for a key: give 32 or more random characters, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(32))'."
        )
    return key


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off.")


def env_int(name, default, *, minimum=None, deprecated=None):
    value, name = _lookup(name, deprecated)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} must be at least {minimum}.")
    return number


def env_choice(name, default, choices):
    """One of ``choices`` (compared without regard to case; returned as the choice is spelled)."""
    value = env_str(name, default)
    for choice in choices:
        if value.strip().lower() == choice.lower():
            return choice
    raise ImproperlyConfigured(f"{name}={value!r} is not one of {', '.join(choices)}.")


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_networks(name):
    """IP addresses or networks, comma-separated (``10.0.0.5, 10.1.0.0/16``), as ipaddress networks."""
    networks = []
    for item in env_list(name):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an IP address or network (10.0.0.5, 10.1.0.0/16)."
            ) from None
    return networks


_RATE = re.compile(r"^\s*([0-9]+)\s*/\s*(s|sec|second|m|min|minute|h|hour|d|day)\s*$", re.IGNORECASE)
_OFF = {"off", "none", "unlimited"}


def env_rate(name, default):
    """A request rate as Django REST framework writes it (``1200/min``: a number, a slash, s/sec, m/min, h/hour or
    d/day), or None for ``off`` (no limit)."""
    value = env_str(name, default)
    if value.strip().lower() in _OFF:
        return None
    match = _RATE.match(value)
    if match is None or int(match.group(1)) < 1:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a rate: write requests per period, such as 1200/min, 20/s or 50000/day, or off."
        )
    return f"{int(match.group(1))}/{match.group(2).lower()}"


def env_time_zone(name, default):
    value = env_str(name, default)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(f"{name}={value!r} is not a known IANA time zone (such as Asia/Seoul).") from None
    return value


def env_database(name, default):
    """A Django DATABASES entry from a URL such as postgres://user@host:5432/db or sqlite:///path."""
    url = env_str(name, default)
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}={url!r} is not a database URL: {error}") from None
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(f"{name}={url!r} names no database engine this portal supports.")
    if config["ENGINE"].endswith("sqlite3"):
        config["CONN_MAX_AGE"] = 0
        # Tests on SQLite use a file so that a Celery worker in another process sees the same test database.
        config["TEST"] = {"NAME": str(config["NAME"]) + ".test"}
        config["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    return config


def env_broker_url(name, default):
    url = env_str(name, default)
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in {"redis", "rediss", "filesystem", "amqp", "amqps", "memory"}:
        raise ImproperlyConfigured(
            f"{name}={url!r} is not a broker URL this portal supports (redis://, amqp://, filesystem://)."
        )
    return url


def env_cache(name, default):
    """A Django CACHES entry: locmem:// (one process) or redis://host:port/db (shared by web and workers)."""
    url = env_str(name, default)
    if url.startswith("locmem://"):
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "slm-portal"}
    if url.startswith(("redis://", "rediss://")):
        return {"BACKEND": "slm_portal.redis_cache.SharedClientRedisCache", "LOCATION": url, "KEY_PREFIX": "slm"}
    raise ImproperlyConfigured(f"{name}={url!r} is not a cache URL this portal supports (locmem://, redis://).")
