"""GET /health: database, broker and the age of the last Celery heartbeat."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from slm_portal.models import Heartbeat
from slm_portal.tasks import CELERY_HEARTBEAT, heartbeat, record_heartbeat


@pytest.mark.django_db
def test_health_is_public_and_names_database_broker_and_heartbeat(client):
    response = client.get("/health")
    assert response.status_code == 200
    report = response.json()
    assert report["database"]["ok"] is True
    assert report["broker"]["ok"] is True
    assert report["heartbeat"] == {
        "ok": False,
        "age_seconds": None,
        "last": None,
        "stale_after_seconds": 120.0,
    }
    assert report["status"] == "degraded"


@pytest.mark.django_db
def test_fresh_heartbeat_makes_health_ok(client):
    record_heartbeat(hostname="worker@test", now=timezone.now() - dt.timedelta(seconds=42))
    report = client.get("/health").json()
    assert report["status"] == "ok"
    assert report["heartbeat"]["ok"] is True
    assert 42 <= report["heartbeat"]["age_seconds"] < 60
    assert report["heartbeat"]["worker"] == "worker@test"


@pytest.mark.django_db
def test_heartbeat_older_than_four_intervals_is_stale(client):
    record_heartbeat(now=timezone.now() - dt.timedelta(minutes=3))
    report = client.get("/health").json()
    assert report["heartbeat"]["ok"] is False
    assert report["status"] == "degraded"
    assert client.get("/health").status_code == 200


@pytest.mark.django_db
def test_unreachable_broker_answers_503(client):
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0", CELERY_BROKER_TRANSPORT_OPTIONS={}):
        response = client.get("/health")
    assert response.status_code == 503
    report = response.json()
    assert report["broker"]["ok"] is False
    assert report["broker"]["transport"] == "redis"
    assert report["status"] == "down"


@pytest.mark.django_db
def test_heartbeat_task_upserts_one_row():
    heartbeat.apply()
    first = Heartbeat.objects.get(name=CELERY_HEARTBEAT).beat_at
    heartbeat.apply()
    assert Heartbeat.objects.count() == 1
    assert Heartbeat.objects.get(name=CELERY_HEARTBEAT).beat_at >= first


def test_health_refuses_writes(client):
    assert client.post("/health").status_code == 405


@pytest.mark.django_db
def test_health_reports_how_long_ago_targets_were_evaluated(client):
    assert client.get("/health").json()["evaluation"]["last"] is None
    from monitoring.signals import evaluation_finished

    evaluation_finished.send(sender=None, at=timezone.now(), summary=None)
    report = client.get("/health").json()
    assert report["evaluation"]["ok"] is True
    assert report["evaluation"]["age_seconds"] < 5
    assert report["evaluation"]["stale_after_seconds"] == 900.0
    assert Heartbeat.objects.filter(name="evaluation").count() == 1


@pytest.mark.django_db
def test_the_evaluation_is_stale_after_three_intervals_of_its_own_setting_not_of_the_beat_schedule(client):
    schedule = {"evaluate-slos": {"task": "monitoring.tasks.evaluate_all", "schedule": 999}}
    with override_settings(SLM_EVALUATION_INTERVAL=dt.timedelta(minutes=2), CELERY_BEAT_SCHEDULE=schedule):
        report = client.get("/health").json()
    assert report["evaluation"]["stale_after_seconds"] == 360.0
