# SLM Portal: `make run` sets up and starts the portal; `make test` sets up and runs the whole suite.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test test-at install lint format lock migrate demo messages bench evalbench loadbench ticketbench partbench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Directory sign-in's python-ldap compiles against the OpenLDAP and SASL headers (libldap2-dev, libsasl2-dev): it is
# installed when it builds; without them the portal runs with LDAP off and the LDAP tests are skipped
# (docs/decisions/0008-ldap-sign-in.md). The build's output is kept in $(VENV)/ldap-build.log.
$(VENV)/.installed: requirements/dev.txt requirements/ldap.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/dev.txt
	@if $(BIN)/pip install -r requirements/ldap.txt >$(VENV)/ldap-build.log 2>&1; then \
		echo "Directory sign-in (python-ldap) installed."; \
	else \
		echo "python-ldap did not build (it needs libldap2-dev and libsasl2-dev): LDAP sign-in stays off and its tests are skipped ($(VENV)/ldap-build.log; install them, then rm $@)."; \
	fi
	touch $@

install: $(VENV)/.installed

run: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --no-input
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed_demo
	DEBUG=$${DEBUG:-1} PORT=$(PORT) $(BIN)/python manage.py runportal --port $(PORT)

test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: that is a failure"; exit 1; fi; exit $$status

# The whole `make test` with the clock moved to AT (UTC), for make and every process it starts (pytest, Celery
# workers, Chromium): Debian's faketime, offset from the real clock so that time still runs.
#   make test-at AT="2027-01-31 14:59:30"
test-at:
	@test -n "$(AT)" || { echo 'usage: make test-at AT="2027-01-31 14:59:30" (UTC)'; exit 2; }
	@command -v faketime >/dev/null || { echo "test-at needs faketime (apt-get install faketime)"; exit 2; }
	offset=$$(( $$(date -u -d "$(AT) UTC" +%s) - $$(date -u +%s) )); \
	faketime -f "+$${offset}s" $(MAKE) test

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Regenerate the pinned requirements from requirements/*.in.
lock: $(BIN)/python
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links -o requirements/base.txt requirements/base.in
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links -o requirements/dev.txt requirements/dev.in
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links -o requirements/ldap.txt requirements/ldap.in

migrate: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate

demo: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed_demo

# Benchmarks of ingestion and evaluation on PostgreSQL (BENCH_DATABASE_URL); results go to docs/benchmarks.md.
bench: install
	$(BIN)/python -m benchmarks.engine $(BENCH_ARGS)

# 10,000 targets evaluated by Celery workers with one and two processes (EVALBENCH_DATABASE_URL, Redis broker).
evalbench: install
	$(BIN)/python -m benchmarks.evaluation $(EVALBENCH_ARGS)

# Load benchmark of the dashboards with wrk (LOADBENCH_DATABASE_URL, Redis cache); results go to docs/benchmarks.md.
loadbench: install
	$(BIN)/python -m benchmarks.pages $(LOADBENCH_ARGS)

# Ticket SLAs on PostgreSQL (TICKETBENCH_DATABASE_URL): clocks recomputed, events ingested, ticket pages under load.
ticketbench: install
	$(BIN)/python -m benchmarks.tickets $(TICKETBENCH_ARGS)

# A month of raw measurements dropped as a partition against deleted (PARTBENCH_DATABASE_URL); migration 0025 timed.
partbench: install
	$(BIN)/python -m benchmarks.partitions $(PARTBENCH_ARGS)

# Rebuild the Korean catalogue's .mo from its .po (pure Python, no gettext needed).
messages: install
	$(BIN)/python -m slm_portal.i18n compile

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache .hypothesis
