"""Burn-rate alerts of the targets being evaluated: fire, keep firing, resolve; and the notifications to send."""

from django.db.models import prefetch_related_objects

from monitoring import slo
from monitoring.choices import AlertState
from monitoring.models import Alert, Notification, NotificationChannel
from monitoring.signals import notifications_pending


class AlertBook:
    """The firing alerts of a chunk of targets, updated in memory and written once by ``save()``."""

    def __init__(self, targets, rules, at):
        self.rules = rules
        self.at = at
        self.targets = {target.pk: target for target in targets}
        self.firing = {}
        for alert in Alert.objects.firing().filter(target__in=targets).select_related("rule"):
            alert.target = self.targets[alert.target_id]  # the chunk's own, with its agreement: no query per alert
            self.firing[(alert.target_id, alert.rule_id)] = alert
        self.new, self.changed, self.events = [], [], []

    def update(self, target, burns):
        """Apply this evaluation's burn rates (None: no open period, so nothing fires); True if any rule fires."""
        any_firing = False
        for rule in self.rules:
            spec = slo.BurnRule(
                rule.name, rule.severity, rule.long_window_minutes, rule.short_window_minutes, rule.threshold
            )
            long_burn = burns.get(rule.long_window_minutes) if burns else None
            short_burn = burns.get(rule.short_window_minutes) if burns else None
            fires = slo.rule_fires(spec, long_burn, short_burn)
            alert = self.firing.get((target.pk, rule.pk))
            if fires:
                any_firing = True
                if alert is None:
                    alert = Alert(target=target, rule=rule, started_at=self.at)
                    self.new.append(alert)
                    self.events.append((alert, AlertState.FIRING, long_burn, short_burn))
                else:
                    self.changed.append(alert)
                alert.long_burn, alert.short_burn = long_burn, short_burn
            elif alert is not None:
                self._resolve(alert, long_burn, short_burn)
        # A rule switched off since its alert fired is no longer evaluated, so nothing else would ever resolve it.
        active = {rule.pk for rule in self.rules}
        for (target_id, rule_id), alert in self.firing.items():
            if target_id == target.pk and rule_id not in active and alert.state == AlertState.FIRING:
                self._resolve(alert, alert.long_burn, alert.short_burn)
        return any_firing

    def _resolve(self, alert, long_burn, short_burn):
        alert.state = AlertState.RESOLVED
        alert.resolved_at = self.at
        alert.long_burn, alert.short_burn = long_burn, short_burn
        self.changed.append(alert)
        self.events.append((alert, AlertState.RESOLVED, long_burn, short_burn))

    def save(self):
        """Write alert changes and queue one notification per channel and event; returns (fired, resolved)."""
        Alert.objects.bulk_create(self.new)
        if self.changed:
            Alert.objects.bulk_update(self.changed, ["state", "resolved_at", "long_burn", "short_burn"])
        notifications = []
        if self.events:
            channels = list(NotificationChannel.objects.filter(is_active=True))
            prefetch_related_objects([alert.target.agreement for alert, *_ in self.events], "services")
            for alert, event, *burns in self.events:
                if alert.is_silenced(self.at):
                    continue  # a service manager silenced it: nothing is sent until the silence ends
                for channel in channels_for(alert.target, channels):
                    if channel.accepts(alert.rule.severity):
                        notifications.append(
                            Notification(
                                alert=alert,
                                channel=channel,
                                event=event,
                                long_burn=burns[0],
                                short_burn=burns[1],
                            )
                        )
        created = Notification.objects.bulk_create(notifications, ignore_conflicts=True)
        if created:
            notifications_pending.send(sender=AlertBook, count=len(created))
        fired = sum(1 for _alert, event, *_burns in self.events if event == AlertState.FIRING)
        return fired, len(self.events) - fired


def channels_for(target, channels):
    """Channels of the target's agreement, of one of its services, or of everything (neither set)."""
    service_ids = {service.pk for service in target.agreement.services.all()}
    return [
        channel
        for channel in channels
        if channel.agreement_id == target.agreement_id
        or (channel.service_id is not None and channel.service_id in service_ids)
        or (channel.agreement_id is None and channel.service_id is None)
    ]
