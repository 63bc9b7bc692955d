"""Benchmark commands of the portal, run against databases of their own; the portal never imports this package.

- `python -m benchmarks.engine [driver|ingest|evaluate]` (`make bench`): COPY with both PostgreSQL drivers,
  ingestion through the measurement API and evaluation of many targets.
- `python -m benchmarks.pages` (`make loadbench`): the dashboards under load, driven by wrk, beside a bare view.

`benchmarks.common` holds what both share: the database set-up, the machine description, a gunicorn to measure.
Results go by hand into docs/benchmarks.md, with the date and the machine.
"""
