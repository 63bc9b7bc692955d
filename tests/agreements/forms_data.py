"""POST data for the agreement and calendar pages, built the way the browser sends it.

The agreement page posts the agreement's fields, the target formset (prefix ``targets``) and, inside each target,
its credit tier formset (prefix ``targets-<i>-tiers``). A target or tier dict that carries an ``id`` is a saved row
(counted in INITIAL_FORMS); saved rows come first, as Django renders them.
"""

from agreements.models import Agreement

AGREEMENT_FIELDS = {
    "kind": "sla",
    "code": "new-sla",
    "title": "New agreement",
    "owner": "",
    "valid_from": "2026-01-01",
    "valid_to": "2027-01-01",
    "next_review": "",
    "monthly_fee": "1000000",
    "currency": "KRW",
    "maintenance_notice_days": "5",
    "maintenance_cap_minutes": "0",
    "description": "",
}

TARGET_FIELDS = {
    "name": "Availability",
    "objective": "99.9",
    "window_kind": "calendar",
    "calendar_period": "month",
    "rolling_days": "",
    "budgeting_method": "occurrences",
    "slice_minutes": "1",
    "slice_target": "100",
    "missing_data": "ignore",
    "service_hours": "",
    "warning_threshold": "25",
    "minimum_events": "",
    "description": "",
}


def target(code="availability", tiers=(), **fields):
    """One target form's values; ``tiers`` are dicts from ``tier()``."""
    return {**TARGET_FIELDS, "code": code, **fields, "tiers": list(tiers)}


def tier(below_attainment, credit_percent, **fields):
    return {"below_attainment": str(below_attainment), "credit_percent": str(credit_percent), **fields}


def management_form(prefix, rows):
    return {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(sum(1 for row in rows if row.get("id"))),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def prefixed_rows(prefix, rows):
    data = management_form(prefix, rows)
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def agreement_post(customer, services, targets=(), /, **fields):
    """The whole agreement page as one POST: the agreement, its targets and each target's credit tiers."""
    data = {
        **AGREEMENT_FIELDS,
        "customer": str(customer.pk),
        "services": [str(service.pk) for service in services],
        **fields,
    }
    target_rows = [{key: value for key, value in row.items() if key != "tiers"} for row in targets]
    data.update(prefixed_rows("targets", target_rows))
    for index, row in enumerate(targets):
        data.update(prefixed_rows(f"targets-{index}-tiers", row["tiers"]))
    return data


def targets_of(agreement):
    """The saved targets and tiers as the edit page shows them, ready to change and post back."""
    rows = []
    for saved in agreement.targets.order_by("pk"):
        tiers = [
            tier(row.below_attainment, row.credit_percent, id=str(row.pk)) for row in saved.credit_tiers.order_by("pk")
        ]
        fields = {name: "" if getattr(saved, name) is None else str(getattr(saved, name)) for name in TARGET_FIELDS}
        fields["service_hours"] = str(saved.service_hours_id or "")
        fields["rests_on"] = [str(pk) for pk in saved.underpinning_links.values_list("underpinning_id", flat=True)]
        rows.append(target(saved.code, tiers, id=str(saved.pk), **fields))
    return rows


def edit_post(agreement: Agreement, targets=None, **fields):
    """The edit page posted back unchanged, except for ``fields`` and the given ``targets``."""
    agreement.refresh_from_db()
    current = {
        name: "" if getattr(agreement, name) is None else str(getattr(agreement, name)) for name in AGREEMENT_FIELDS
    }
    current["owner"] = str(agreement.owner_id or "")
    return agreement_post(
        agreement.customer,
        agreement.services.all(),
        targets_of(agreement) if targets is None else targets,
        **{**current, **fields},
    )


def calendar_post(hours=(), holidays=(), **fields):
    """The business calendar page: the calendar, its working hours (prefix ``hours``) and holidays (``holidays``).

    ``hours`` are (weekday, start, end) or dicts; ``holidays`` are (date, name) or dicts.
    """
    data = {"name": "Seoul office", "code": "seoul-office", "time_zone": "Asia/Seoul", "description": "", **fields}
    hour_rows = [
        row if isinstance(row, dict) else {"weekday": str(row[0]), "start": row[1], "end": row[2]} for row in hours
    ]
    holiday_rows = [row if isinstance(row, dict) else {"date": row[0], "name": row[1]} for row in holidays]
    data.update(prefixed_rows("hours", hour_rows))
    data.update(prefixed_rows("holidays", holiday_rows))
    return data
