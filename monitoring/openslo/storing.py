"""Store an OpenSLO import plan, all or nothing."""

from django.db import transaction

from agreements.models import ServiceCreditTier, ServiceLevelTarget
from monitoring.models import Indicator, OpenSloMetadata, TargetIndicator


@transaction.atomic
def apply(plan):
    """Store a plan with no problems: all of it or, on any error, nothing. Only rows that change are saved, so an
    import that changes nothing records no history."""
    if plan.problems:
        raise ValueError("A plan with problems is never applied.")
    for service, values in plan.services:
        for key, value in values.items():
            setattr(service, key, value)
        service.save()
    indicators = {}
    for code, (indicator, values, service, _metric) in plan.indicators.items():
        row = indicator or Indicator(code=code, service=service)
        if indicator is None or any(getattr(row, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            row.full_clean()
            row.save()
        indicators[code] = row
    for target, code, values, indicator_code, tiers in plan.targets:
        row = target or ServiceLevelTarget(agreement=plan.agreement, code=code)
        if target is None or any(getattr(row, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            row.full_clean(exclude=["agreement"])
            row.save()
        link = TargetIndicator.objects.filter(target=row).first()
        if link is None:
            TargetIndicator.objects.create(target=row, indicator=indicators[indicator_code])
        elif link.indicator_id != indicators[indicator_code].pk:
            link.indicator = indicators[indicator_code]
            link.save()
        if tiers is not None:
            store_tiers(row, tiers)
    for kind, name, labels, annotations, metric in plan.metadata:
        OpenSloMetadata.objects.update_or_create(
            agreement=plan.agreement,
            kind=kind,
            name=name,
            defaults={"labels": labels, "annotations": annotations, "metric": metric},
        )
    return plan.changes


def store_tiers(target, tiers):
    wanted = dict(tiers)
    for tier in list(target.credit_tiers.all()):
        credit = wanted.pop(tier.below_attainment.normalize(), None)
        if credit is None:
            tier.delete()
        elif tier.credit_percent != credit:
            tier.credit_percent = credit
            tier.save()
    for below, credit in wanted.items():
        ServiceCreditTier.objects.create(target=target, below_attainment=below, credit_percent=credit)
