"""An agreement's terms as its customer signs them: a frozen copy, its hash, and what changed since.

``freeze(agreement)`` is the copy: plain JSON (strings, numbers as exact decimal strings, lists in a fixed order) of

* the agreement: code, kind, title, customer, services, validity, fee and currency, maintenance notice and cap,
  review cycle and description;
* each target (by code): name, objective, window, budgeting method and its slices, what missing data counts as,
  service hours, warning threshold, minimum events, description, and its credit tiers (highest threshold first).

What is not a term is left out, so that it changes no version: the owner, the status, the next review date (holding
a review moves it), the indicator a target measures (the monitoring app's wiring).

``terms_hash(terms)`` is the SHA-256 of the copy written canonically (keys sorted, no spaces, UTF-8): the same terms
give the same hash on every database, the JSON column's own key order notwithstanding.
"""

import datetime as dt
import hashlib
import json
from decimal import Decimal

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from agreements.choices import BudgetingMethod, WindowKind
from agreements.counting import terms_text
from agreements.models import Agreement, ServiceLevelTarget
from core.formatting import money_amount, plain_number

FORMAT = 1
AGREEMENT_TERMS = (
    "kind",
    "title",
    "valid_from",
    "valid_to",
    "monthly_fee",
    "currency",
    "maintenance_notice_days",
    "maintenance_cap_minutes",
    "review_cycle",
    "description",
)
TARGET_TERMS = (
    "name",
    "objective",
    "window_kind",
    "calendar_period",
    "rolling_days",
    "budgeting_method",
    "slice_minutes",
    "slice_target",
    "missing_data",
    "warning_threshold",
    "minimum_events",
    "description",
)

PERCENT_TERMS = ("objective", "slice_target", "warning_threshold")


def _plain(value):
    """A field's value as JSON: dates in ISO 8601, decimals as their exact digits, None as null."""
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return plain_number(value)


def freeze(agreement):
    """The agreement's terms now, as plain JSON (see the module's docstring)."""
    targets = (
        ServiceLevelTarget.objects.filter(agreement=agreement)
        .select_related("service_hours")
        .prefetch_related("credit_tiers")
        .order_by("code")
    )
    return {
        "format": FORMAT,
        "agreement": {
            "code": agreement.code,
            **{name: _plain(getattr(agreement, name)) for name in AGREEMENT_TERMS},
            "customer": {"code": agreement.customer.code, "name": agreement.customer.name},
            "services": [
                {"code": service.code, "name": service.name} for service in agreement.services.order_by("code")
            ],
        },
        "targets": [
            {
                "code": target.code,
                **{name: _plain(getattr(target, name)) for name in TARGET_TERMS},
                "service_hours": (
                    {"code": target.service_hours.code, "name": target.service_hours.name}
                    if target.service_hours
                    else None
                ),
                "credit_tiers": [
                    {"below_attainment": _plain(tier.below_attainment), "credit_percent": _plain(tier.credit_percent)}
                    for tier in sorted(target.credit_tiers.all(), key=lambda tier: tier.below_attainment, reverse=True)
                ],
            }
            for target in targets
        ],
    }


def terms_hash(terms):
    """SHA-256 (hex) of the terms written canonically."""
    text = json.dumps(terms, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- what changed -------------------------------------------------------------------------------------------------


def _label(model, name):
    return capfirst(model._meta.get_field(name).verbose_name)


def _shown(model, name, value):
    """A frozen value as a person reads it: a choice by its label, nothing as a dash."""
    if value in (None, ""):
        return "—"
    if name in ("valid_from", "valid_to"):
        return _day(value)
    choices = dict(model._meta.get_field(name).flatchoices)
    return str(choices.get(value, value))


def _tiers_text(tiers):
    if not tiers:
        return _("none")
    return "; ".join(
        _("below %(below)s %%: %(credit)s %% credit")
        % {"below": tier["below_attainment"], "credit": tier["credit_percent"]}
        for tier in tiers
    )


def _named(rows):
    return ", ".join(f"{row['name']} ({row['code']})" for row in rows) or "—"


def differences(signed, current):
    """Lines that say how ``current`` terms differ from ``signed`` ones (both frozen copies); [] when they agree."""
    lines = []
    before, after = signed["agreement"], current["agreement"]
    for name in AGREEMENT_TERMS:
        if name == "monthly_fee":
            fees = [
                f"{intcomma(money_amount(Decimal(side[name]), side['currency']))} {side['currency']}"
                for side in (before, after)
            ]
            if fees[0] != fees[1]:
                lines.append(f"{_label(Agreement, name)}: {fees[0]} → {fees[1]}")
        elif before.get(name) != after.get(name):
            lines.append(
                f"{_label(Agreement, name)}: {_shown(Agreement, name, before.get(name))} → "
                f"{_shown(Agreement, name, after.get(name))}"
            )
    if before["customer"] != after["customer"]:
        lines.append(f"{_label(Agreement, 'customer')}: {before['customer']['name']} → {after['customer']['name']}")
    if before["services"] != after["services"]:
        lines.append(f"{_label(Agreement, 'services')}: {_named(before['services'])} → {_named(after['services'])}")
    old = {target["code"]: target for target in signed["targets"]}
    new = {target["code"]: target for target in current["targets"]}
    for code in sorted(old.keys() - new.keys()):
        lines.append(_("Target removed: %(name)s (%(code)s)") % {"name": old[code]["name"], "code": code})
    for code in sorted(new.keys() - old.keys()):
        lines.append(_("Target added: %(name)s (%(code)s)") % {"name": new[code]["name"], "code": code})
    for code in sorted(old.keys() & new.keys()):
        was, now = old[code], new[code]
        for name in TARGET_TERMS:
            if was.get(name) != now.get(name):
                label = _label(ServiceLevelTarget, name)
                values = [_shown(ServiceLevelTarget, name, side.get(name)) for side in (was, now)]
                if name in PERCENT_TERMS:  # "Objective: 99.9 % → 99.95 %", not "Objective (%) 99.9 → 99.95"
                    label = label.split(" (")[0]
                    values = [value if value == "—" else f"{value} %" for value in values]
                lines.append(f"{now['name']}: {label} {values[0]} → {values[1]}")
        if was.get("service_hours") != now.get("service_hours"):
            hours = [
                _("around the clock") if side is None else side["name"]
                for side in (was["service_hours"], now["service_hours"])
            ]
            lines.append(f"{now['name']}: {_label(ServiceLevelTarget, 'service_hours')} {hours[0]} → {hours[1]}")
        if was["credit_tiers"] != now["credit_tiers"]:
            lines.append(
                _("%(target)s: credit tiers %(old)s → %(new)s")
                % {
                    "target": now["name"],
                    "old": _tiers_text(was["credit_tiers"]),
                    "new": _tiers_text(now["credit_tiers"]),
                }
            )
    return lines


# --- the copy as a page shows it -------------------------------------------------------------------------------------


def _window(target):
    if WindowKind(target["window_kind"]) == WindowKind.ROLLING:
        return _("rolling %(days)s days") % {"days": target["rolling_days"]}
    return _shown(ServiceLevelTarget, "calendar_period", target["calendar_period"])


def _day(iso):
    return formats.date_format(dt.date.fromisoformat(iso), "DATE_FORMAT")


def readable(terms):
    """The frozen copy as the sign-off page shows it: {"facts": [(label, text)], "services": text, "targets":
    [{"code", "name", "objective", "rows": [(label, text)], "tiers": [text]}]}; choices by their labels."""
    agreement = terms["agreement"]
    fee, currency = agreement["monthly_fee"], agreement["currency"]
    clause = Agreement(
        maintenance_notice_days=agreement["maintenance_notice_days"],
        maintenance_cap_minutes=agreement["maintenance_cap_minutes"],
    )
    facts = [
        (_label(Agreement, "kind"), _shown(Agreement, "kind", agreement["kind"])),
        (_label(Agreement, "code"), agreement["code"]),
        (_label(Agreement, "title"), agreement["title"]),
        (_label(Agreement, "customer"), agreement["customer"]["name"]),
        (_label(Agreement, "services"), ", ".join(service["name"] for service in agreement["services"]) or "—"),
        (_label(Agreement, "valid_from"), _day(agreement["valid_from"])),
        (_label(Agreement, "valid_to"), _day(agreement["valid_to"]) if agreement["valid_to"] else _("open-ended")),
        (_label(Agreement, "monthly_fee"), f"{intcomma(money_amount(Decimal(fee), currency))} {currency}"),
        (_("Maintenance"), terms_text(clause)),
        (_label(Agreement, "review_cycle"), _shown(Agreement, "review_cycle", agreement.get("review_cycle"))),
    ]
    targets = []
    for target in terms["targets"]:
        method = _shown(ServiceLevelTarget, "budgeting_method", target["budgeting_method"])
        if not BudgetingMethod(target["budgeting_method"]).counts_events:
            method += " · " + _("%(minutes)s-minute slices") % {"minutes": target["slice_minutes"]}
        rows = [
            (_("Window"), _window(target)),
            (_("Budgeting method"), method),
            (
                _("Service hours"),
                target["service_hours"]["name"] if target["service_hours"] else _("around the clock"),
            ),
            (_label(ServiceLevelTarget, "warning_threshold"), f"{target['warning_threshold']} %"),
        ]
        if target.get("minimum_events") is not None:
            rows.append((_label(ServiceLevelTarget, "minimum_events"), target["minimum_events"]))
        targets.append(
            {
                "code": target["code"],
                "name": target["name"],
                "objective": f"{target['objective']} %",
                "description": target.get("description", ""),
                "rows": rows,
                "tiers": [
                    _("below %(below)s %%: %(credit)s %% credit")
                    % {"below": tier["below_attainment"], "credit": tier["credit_percent"]}
                    for tier in target["credit_tiers"]
                ],
            }
        )
    return {"facts": facts, "description": agreement.get("description", ""), "targets": targets}
