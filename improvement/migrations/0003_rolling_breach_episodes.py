"""A rolling window's breach is one episode (monitoring 0010): the per-day breaches written before are merged, one
row per run of consecutive days, and the improvement plans that addressed any day of a run address the episode.

Kept here, not in monitoring: the plans' links to breaches belong to this app, which may read monitoring's tables.
"""

import datetime as dt

from django.db import migrations

NEXT_DAY = dt.timedelta(hours=25)  # a local day is 23 to 25 hours long


def merge_rolling_breaches(apps, schema_editor):
    Breach = apps.get_model("monitoring", "Breach")
    Snapshot = apps.get_model("monitoring", "ComplianceSnapshot")
    Link = apps.get_model("improvement", "ImprovementPlan").breaches.through
    days = Breach.objects.filter(target__window_kind="rolling", kind="budget_exhausted").order_by(
        "target_id", "period_start"
    )
    runs, run = [], []
    for breach in days:
        if run and (breach.target_id != run[-1].target_id or breach.period_start - run[-1].period_start > NEXT_DAY):
            runs.append(run)
            run = []
        run.append(breach)
    if run:
        runs.append(run)
    for run in runs:
        episode, merged = run[0], run[1:]
        back = (
            Snapshot.objects.filter(target_id=episode.target_id, period_start__gt=run[-1].period_start)
            .exclude(status="breached")
            .order_by("period_start")
            .first()
        )
        episode.kind = "window_exhausted"
        episode.period_end = run[-1].period_end
        episode.ended_at = back.period_end if back else None
        episode.attainment = min((b.attainment for b in run if b.attainment is not None), default=None)
        episode.save(update_fields=["kind", "period_end", "ended_at", "attainment"])
        ids = [breach.pk for breach in merged]
        planned = set(Link.objects.filter(breach_id=episode.pk).values_list("improvementplan_id", flat=True))
        for link in Link.objects.filter(breach_id__in=ids):
            if link.improvementplan_id in planned:
                link.delete()
            else:
                planned.add(link.improvementplan_id)
                Link.objects.filter(pk=link.pk).update(breach_id=episode.pk)
        Breach.objects.filter(pk__in=ids).delete()


class Migration(migrations.Migration):
    dependencies = [("improvement", "0002_verbose_names"), ("monitoring", "0010_breach_episodes")]

    operations = [migrations.RunPython(merge_rolling_breaches, migrations.RunPython.noop)]
