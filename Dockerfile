# SLM Portal: one image for the web server (gunicorn), the Celery worker(s) and Celery beat.
# docker-compose.yml runs it three ways; docs/deployment.md explains the whole set-up.
FROM python:3.11-slim

# SLM_VAR_DIR: the portal creates this folder when it starts, so it must be writable by the portal's user.
# WEB_CONCURRENCY: gunicorn's worker count (gunicorn reads this variable itself); override it in .env.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SLM_VAR_DIR=/app/var \
    WEB_CONCURRENCY=3

WORKDIR /app

# The portal runs as an unprivileged user with a fixed numeric id (so runAsNonRoot-style checks can verify it).
RUN groupadd --system --gid 10001 slm \
    && useradd --system --uid 10001 --gid slm --home-dir /app --no-create-home --shell /usr/sbin/nologin slm

# Pango and Korean fonts: WeasyPrint renders the monthly service report PDFs with them (docs/decisions/0006).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

# Only the pinned production requirements. --no-deps plus `pip check` makes an incomplete lock file fail the
# build instead of quietly pulling an unpinned package. ldap.txt is directory sign-in (docs/decisions/0008): its
# python-ldap has no wheel and compiles here against the OpenLDAP and SASL headers; the compiler and the headers leave
# in the same step, the client libraries they came with stay (apt-mark manual), and the import at the end proves it.
COPY requirements/base.txt requirements/ldap.txt requirements/
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev libldap2-dev libsasl2-dev \
    && pip install --no-deps -r requirements/base.txt -r requirements/ldap.txt \
    && pip check \
    && apt-mark manual $(apt-cache depends libldap-dev libsasl2-dev | awk '$1 == "Depends:" && $2 ~ /^lib(ldap|sasl2)/ {print $2}') \
    && apt-get purge -y --auto-remove gcc libc6-dev libldap2-dev libldap-dev libsasl2-dev \
    && rm -rf /var/lib/apt/lists/* \
    && python -c "import ldap, django_auth_ldap"

COPY . .

# Static files are collected into the image (WhiteNoise serves them). settings.py needs a SECRET_KEY to import:
# the value here is a dummy used by this build step only, never by a running container. DEBUG off selects
# WhiteNoise's CompressedManifestStaticFilesStorage, exactly as in production. The build's scratch SLM_VAR_DIR is
# thrown away; the runtime one belongs to the portal's user.
RUN SECRET_KEY=collectstatic-at-build-time-only-and-never-by-a-running-container-0123456789 DEBUG=0 SLM_VAR_DIR=/tmp/build-var \
        python manage.py collectstatic --no-input --verbosity 1 \
    && rm -rf /tmp/build-var \
    && mkdir -p /app/var \
    && chown slm:slm /app/var

USER 10001:10001

EXPOSE 8000

# /health answers 200 while the database and the broker are reachable (503 otherwise). The request names the first
# entry of ALLOWED_HOSTS as its Host (Django refuses any other host) and says it came through TLS, so that
# SECURE_SSL_REDIRECT with BEHIND_TLS_PROXY does not redirect it. curl is not in the slim image: Python does it.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; h = next((x.strip().lstrip('.') for x in os.environ.get('ALLOWED_HOSTS', '').split(',') if x.strip() not in ('', '*')), 'localhost'); r.urlopen(r.Request('http://127.0.0.1:8000/health', headers={'Host': h, 'X-Forwarded-Proto': 'https'}), timeout=5)"]

# The web server. The worker and beat services of docker-compose.yml replace this command with Celery's.
# --worker-tmp-dir: gunicorn's worker heartbeats on tmpfs. --no-control-socket: gunicorn would otherwise try to
# create a control socket under $HOME (/app, not writable by the portal's user) and warn at every start.
CMD ["gunicorn", "slm_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--logger-class", "slm_portal.access_log.RedactingLogger", "--error-logfile", "-", "--worker-tmp-dir", "/dev/shm", "--timeout", "60", "--graceful-timeout", "30", "--no-control-socket"]
