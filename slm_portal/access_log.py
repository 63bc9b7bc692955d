"""gunicorn's access log without the secrets some links carry in their path.

A personal calendar-feed link (``/maintenance/feed/<token>.ics``) and a survey invitation (``/survey/<token>/``) are
their own credentials: the database keeps only their hashes, and the access log must not keep them in clear. The
web container runs gunicorn with ``--logger-class slm_portal.access_log.RedactingLogger``.
"""

import re

from gunicorn.glogging import Logger

SECRET_PATHS = re.compile(r"(/maintenance/feed/|/survey/)[^/?\s]+?(\.ics)?(?=[/?\s]|$)")


def redact(text):
    """``text`` with the token of a feed or survey link replaced by "…": "/maintenance/feed/….ics"."""
    if not text:
        return text
    return SECRET_PATHS.sub(lambda match: f"{match.group(1)}…{match.group(2) or ''}", text)


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U"):
            atoms[key] = redact(atoms[key])
        atoms["f"] = redact(atoms["f"])  # a page opened from such a link names it as the referrer
        return atoms
