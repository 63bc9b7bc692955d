"""Migration monitoring 0012: uploads left "waiting for confirmation" with problems become "rejected" and drop their
content; good uploads waiting for confirmation, and stored or discarded ones, stay as they were."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.monitoring.factories import ThresholdIndicatorFactory

BEFORE = [("monitoring", "0011_alert_acknowledge_and_silence")]
AFTER = [("monitoring", "0012_upload_rejected")]
GOOD = "t,value\n2026-03-02T09:00:00Z,1\n"
BAD = "t,value\n2026-03-02T09:00:00,1\n"
PROBLEM = [{"line": 2, "field": "t", "message": "line 2: t has no time zone"}]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_uploads_with_problems_become_rejected_and_keep_only_their_problems():
    indicator = ThresholdIndicatorFactory()
    old = _migrate(BEFORE)
    try:
        uploads = old.get_model("monitoring", "CsvUpload").objects
        made = {
            name: uploads.create(
                indicator_id=indicator.pk, filename=f"{name}.csv", content=content, status=status, errors=errors
            ).pk
            for name, content, status, errors in [
                ("bad", BAD, "preview", PROBLEM),
                ("good", GOOD, "preview", []),
                ("stored", GOOD, "stored", []),
                ("discarded", BAD, "discarded", PROBLEM),
            ]
        }
        new = _migrate(AFTER)
        rows = new.get_model("monitoring", "CsvUpload").objects
        assert {
            name: rows.filter(pk=pk).values_list("status", "content", "errors").get() for name, pk in made.items()
        } == {
            "bad": ("rejected", "", PROBLEM),
            "good": ("preview", GOOD, []),
            "stored": ("stored", GOOD, []),
            "discarded": ("discarded", BAD, PROBLEM),
        }
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
