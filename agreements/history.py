"""The change history shown on an agreement's page: who changed what, when, with old and new values."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from agreements.models import Exclusion, MaintenanceWindow, ServiceCreditTier, ServiceLevelTarget, Underpinning
from agreements.models.maintenance import shown
from core.formatting import person_name

ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
# One save of a page writes several history records: the row, then each many-to-many step (a set() is a removal
# and an addition). A record that only moves many-to-many fields, by the same person within seconds of the one
# before, belongs to that save and is shown as part of its entry.
SAME_SAVE = timedelta(seconds=5)


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class ChangeEntry:
    when: datetime
    who: str
    subject: str
    action: str
    changes: list = field(default_factory=list)
    kind: str = "~"
    many_to_many_only: bool = False

    def absorbs(self, later):
        """Whether ``later`` belongs to the same save as this entry (and needs no line of its own)."""
        return (
            later.kind == "~"
            and later.many_to_many_only
            and self.kind in "+~"
            and later.who == self.who
            and later.when - self.when <= SAME_SAVE
        )

    def absorb(self, later):
        if self.kind == "+":
            return  # the creation line stands for the object as it was saved
        for change in later.changes:
            earlier = next((c for c in self.changes if c.field == change.field), None)
            if earlier is None:
                self.changes.append(change)
            else:
                earlier.new = change.new
        self.changes = [c for c in self.changes if c.old != c.new]


def _display(model, field_name, value):
    if value is None or value == "":
        return "—"
    try:
        model_field = model._meta.get_field(field_name)
    except Exception:  # noqa: BLE001 - m2m diffs name fields the history model does not have
        return str(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        related = model_field.related_model.objects.filter(pk=value).first()
        if related is None:
            return f"#{value}"
        return person_name(related) if isinstance(related, get_user_model()) else str(related)
    if isinstance(value, list):  # many-to-many rows from simple-history
        return ", ".join(str(item) for item in value) or "—"
    if isinstance(value, datetime):  # a moment as the pages show one: the portal's zone, named
        return shown(value)
    if isinstance(value, date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


def _field_label(model, field_name):
    try:
        return str(model._meta.get_field(field_name).verbose_name)
    except Exception:  # noqa: BLE001
        return field_name


def _m2m_display(model, field_name, rows):
    related = model._meta.get_field(field_name).related_model
    ids = [row[related._meta.model_name] for row in rows]
    names = related.objects.filter(pk__in=ids).order_by("name").values_list("name", flat=True)
    return ", ".join(names) or "—"


def _differences(record, previous):
    """(field, old, new) for each tracked field that differs between two historical records.

    diff_against() compares editable fields only, but the status is not editable in forms: transitions change it,
    and a status change is the history's most important line.
    """
    changes = [(change.field, change.old, change.new) for change in record.diff_against(previous).changes]
    for model_field in record.tracked_fields:
        if not model_field.editable:
            old, new = getattr(previous, model_field.attname), getattr(record, model_field.attname)
            if old != new:
                changes.append((model_field.name, old, new))
    return changes


def _entries(model, records, subject):
    """Entries for one object's historical records, oldest first, each compared with the record before it."""
    entries, previous = [], None
    for record in records:
        entry = ChangeEntry(
            when=record.history_date,
            who=person_name(record.history_user) if record.history_user_id else _("system"),
            subject=subject(record),
            action=str(ACTIONS.get(record.history_type, record.history_type)),
            kind=record.history_type,
        )
        if previous is not None and record.history_type == "~":
            m2m = {f.name for f in getattr(record, "_history_m2m_fields", ())}
            differences = _differences(record, previous)
            entry.many_to_many_only = bool(differences) and all(name in m2m for name, _old, _new in differences)
            for field_name, old_value, new_value in differences:
                if field_name in m2m:
                    old = _m2m_display(model, field_name, old_value)
                    new = _m2m_display(model, field_name, new_value)
                else:
                    old = _display(model, field_name, old_value)
                    new = _display(model, field_name, new_value)
                entry.changes.append(Change(_field_label(model, field_name), old, new))
            if not entry.changes:
                previous = record
                continue
        previous = record
        if entries and entries[-1].absorbs(entry):
            entries[-1].absorb(entry)
            continue
        entries.append(entry)
    return [entry for entry in entries if entry.kind != "~" or entry.changes]


def change_log(agreement, limit=50, user=None):
    """Newest-first changes of the agreement, its targets and their credit tiers (deleted ones included), and the
    links its targets rest on. With ``user``: only the links to targets of agreements that person may see (a
    customer does not read of the provider's internal OLA, nor its code)."""
    entries = []
    agreement_model = type(agreement)
    entries += _entries(
        agreement_model,
        agreement.history.select_related("history_user").order_by("history_date", "history_id"),
        lambda record: str(_("Agreement")),
    )
    target_records = (
        ServiceLevelTarget.history.filter(agreement_id=agreement.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    target_names = {}
    by_target = {}
    for record in target_records:
        by_target.setdefault(record.id, []).append(record)
        target_names[record.id] = record.name
    for records in by_target.values():
        entries += _entries(ServiceLevelTarget, records, lambda record: _("Target %(name)s") % {"name": record.name})
    by_tier = {}
    for record in (
        ServiceCreditTier.history.filter(target_id__in=list(by_target))
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    ):
        by_tier.setdefault(record.id, []).append(record)
    for records in by_tier.values():
        entries += _entries(
            ServiceCreditTier,
            records,
            # A target has several tiers: name the tier itself, or a deleted one could not be told apart.
            lambda record: (
                _("Credit tier of %(name)s (%(tier)s)")
                % {"name": target_names.get(record.target_id, "?"), "tier": record.instance}
            ),
        )
    link_records = Underpinning.history.filter(target_id__in=list(by_target))
    if user is not None and not user.has_perm("agreements.view_underpinning"):
        visible = ServiceLevelTarget.objects.for_user(user).values("pk")
        link_records = link_records.filter(underpinning_id__in=visible)
    by_link = {}
    for record in link_records.select_related("history_user").order_by("id", "history_date", "history_id"):
        by_link.setdefault(record.id, []).append(record)
    below = _link_ends([record for records in by_link.values() for record in records])
    for records in by_link.values():
        # A link is made or removed, never changed: each record is a line of its own.
        entries += _entries(
            Underpinning,
            records,
            lambda record: (
                _("Target %(name)s rests on %(other)s")
                % {"name": target_names.get(record.target_id, "?"), "other": below.get(record.underpinning_id, "?")}
            ),
        )
    by_exclusion = {}
    for record in (
        Exclusion.history.filter(agreement_id=agreement.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    ):
        by_exclusion.setdefault(record.id, []).append(record)
    for records in by_exclusion.values():
        # Deleted exclusions stay here: the history is where an exclusion that was taken back is still read.
        entries += _entries(Exclusion, records, _exclusion_subject)
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]


def _link_ends(records):
    """{target id: "agreement / target"} of the targets the link records rest on (deleted ones from their history)."""
    ids = {record.underpinning_id for record in records}
    names = {}
    for row in (
        ServiceLevelTarget.history.filter(id__in=ids).select_related("agreement").order_by("history_date", "history_id")
    ):
        names[row.id] = f"{row.agreement.code if row.agreement else '?'} / {row.code}"
    return names


def _exclusion_subject(record):
    return _("Exclusion (%(reason)s) from %(start)s to %(end)s") % {
        "reason": record.get_reason_display(),
        "start": shown(record.starts_at),
        "end": shown(record.ends_at),
    }


def window_change_log(window, limit=50):
    """Newest-first changes of a maintenance window: its times, its steps (who approved it, when), who changed it."""
    records = window.history.select_related("history_user").order_by("history_date", "history_id")
    entries = _entries(MaintenanceWindow, records, lambda record: str(_("Maintenance window")))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]
