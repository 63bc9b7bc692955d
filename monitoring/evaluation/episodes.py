"""Breach episodes of rolling windows: one breach from the moment a window's budget is found spent until it is
found back, however many days the episode spans.

A rolling window never closes, so its breach cannot be "the period's". Each evaluation reads the windows of the
days it (re)computes, oldest first; the book compares them with the target's latest episode. A window ending
after the latest one already seen either opens an episode (spent, none open), extends the open one (spent: the
worst attainment is kept) or ends it (not spent). Windows seen before change nothing, so evaluating again at the
same instant writes nothing new.
"""

from zoneinfo import ZoneInfo

from django.db.models import OuterRef, Subquery

from agreements.choices import WindowKind
from monitoring import slo
from monitoring.choices import BreachKind
from monitoring.evaluation.plan import target_time_zone
from monitoring.models import Breach

EPISODE_FIELDS = ["period_end", "attainment", "ended_at"]


class EpisodeBook:
    """The latest episode of each rolling target of a chunk, updated in memory and written once by ``save()``."""

    def __init__(self, targets):
        rolling = [target for target in targets if target.window_kind == WindowKind.ROLLING]
        episodes = Breach.objects.filter(kind=BreachKind.WINDOW_EXHAUSTED)
        # Only each target's latest episode, whatever the number of older ones (a correlated subquery: one query).
        last_start = episodes.filter(target=OuterRef("target")).order_by("-period_start").values("period_start")[:1]
        self.latest = {
            episode.target_id: episode
            for episode in episodes.filter(target__in=rolling, period_start=Subquery(last_start))
        }
        self.new, self.changed = [], {}

    def observe(self, target, window_end, snapshot):
        """The snapshot of ``target``'s window ending at ``window_end``; call oldest first."""
        attainment = snapshot.attainment
        episode = self.latest.get(target.pk)
        if episode is not None and window_end <= (episode.ended_at or episode.period_end):
            return  # seen before
        spent = snapshot.status == slo.Status.BREACHED
        if episode is not None and episode.ended_at is None:
            if spent:
                episode.period_end = window_end
                if attainment is not None and (episode.attainment is None or attainment < episode.attainment):
                    episode.attainment = attainment
            else:
                episode.ended_at = window_end
            if episode.pk:
                self.changed[episode.pk] = episode
            return
        if spent:
            episode = Breach(
                target=target,
                period_start=window_end,
                period_end=window_end,
                # The day it began in the target's zone: the label of that day's snapshot, which pages link to.
                period_label=window_end.astimezone(ZoneInfo(target_time_zone(target))).strftime("%Y-%m-%d"),
                kind=BreachKind.WINDOW_EXHAUSTED,
                detected_at=window_end,
                attainment=attainment,
                objective=snapshot.objective,
            )
            self.new.append(episode)
            self.latest[target.pk] = episode

    def save(self):
        """Write the new episodes and the changed ones; returns how many episodes began."""
        Breach.objects.bulk_create(self.new, ignore_conflicts=True)
        Breach.objects.bulk_update(list(self.changed.values()), EPISODE_FIELDS)
        return len(self.new)
