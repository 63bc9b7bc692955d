"""The safety net: every URL pattern of the root URLconf (admin and API included), as every role, answers without a
server error.

For each pattern the test fills its arguments from the demo data (plus a row of every model the demo lacks), and as
anonymous, an outsider (a customer user of an organisation with nothing), each customer's user, the service manager
and the superuser it sends: a GET; GETs with hostile query parameters (dates at the ends of the calendar, huge and
negative numbers, a NUL character); an empty POST; and every form the page shows, submitted as the page fills it.
Any 5xx, or an exception a view lets out, fails the pattern's test with the role, method and URL.

A pattern with arguments that has no sample values here fails too: a new URL must be added to `samples()`.
"""

import io
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from agreements.choices import AgreementStatus, MaintenanceStatus
from agreements.models import (
    Agreement,
    Membership,
    ServiceLevelTarget,
    SignOff,
)
from improvement.choices import PlanStatus
from improvement.models import Action, ImprovementPlan, ReviewMeeting
from monitoring.models import (
    Alert,
    Breach,
    ComplianceSnapshot,
    DataSource,
    HttpProbe,
    Indicator,
    Ticket,
    TicketUpload,
)
from requirements_analysis.choices import CampaignStatus, RequirementStatus
from requirements_analysis.models import ServiceLevelRequirement, SurveyCampaign
from tests.every_url_rows import _extra_rows

# Every test of the module is a database test, so that pytest-django keeps them together and the module's data is
# made once (it orders database tests before the others).
pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "hanbit", "saebyeok", "manager", "admin"]
NUL = "\x00"
HOSTILE_QUERIES = [
    {
        "period": "9999-12",
        "day": "9999-12-31",
        "page": "99999999999999999999",
        "objective": "1e400",
        "breach": "99999999999999999999",
        "decision": "99999999999999999999",
        "target": "hanbit-digital-sla/availability",
        "owner": "99999999999999999999",
        "q": "x" * 2000,
    },
    {
        "period": "0001-01",
        "day": "0001-01-01",
        "page": "-1",
        "objective": "-0",
        "breach": "-1",
        "target": "/",
        "status": "²",
        "customer": "-",
    },
    dict.fromkeys(
        (
            "period",
            "day",
            "page",
            "objective",
            "breach",
            "decision",
            "target",
            "requirement",
            "service",
            "customer",
            "owner",
            "status",
            "kind",
            "q",
            "next",
        ),
        NUL,
    ),
]
# The plan form is pre-filled from one parameter of several, the first it finds: each gets its own turn.
HOSTILE_QUERIES += [{"target": "a/" + "b" * 300}, {"requirement": "-" * 300}, {"service": "²"}]
# Navigation-bar forms on every page: tested once, on their own URLs.
SKIPPED_FORM_ACTIONS = ("/accounts/logout/", "/i18n/setlang/")


# --- the data ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def estate(django_db_setup, django_db_blocker):
    """The demo data and the extra rows, created once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--allow-production", "--portal-url", "http://127.0.0.1:9", stdout=io.StringIO())
        extra = _extra_rows()
        users = {user.username: user for user in get_user_model().objects.all()}
        yield {"extra": extra, "users": users, "samples": samples(extra)}
        transaction.set_rollback(True)


def _statuses(choices):
    return [*choices.values, "nonsense"]


def samples(extra):
    """{url name: [kwargs, ...]}: the arguments each pattern is called with."""
    plan = ImprovementPlan.objects.filter(status=PlanStatus.IN_PROGRESS).first()
    verified = ImprovementPlan.objects.filter(status=PlanStatus.VERIFIED).first()
    requirement = ServiceLevelRequirement.objects.order_by("code").first()
    campaign = SurveyCampaign.objects.get()
    target = ServiceLevelTarget.objects.select_related("agreement").get(
        agreement__code="hanbit-digital-sla", code="availability"
    )
    rolling = ServiceLevelTarget.objects.get(agreement__code="saebyeok-wms-sla", code="dispatch-success")
    review = ReviewMeeting.objects.order_by("pk").first()
    signed = SignOff.objects.get(agreement__code="hanbit-digital-sla", status="accepted")
    waiting = SignOff.objects.get(agreement__code="saebyeok-wms-sla", status="pending")
    membership = Membership.objects.get(user__username="hanbit")
    agreements = ["hanbit-digital-sla", "saebyeok-wms-sla", "saebyeok-email-sla", "no-such-agreement"]
    customers = ["hanbit-bank", "saebyeok-logistics", "no-such-customer"]
    target_kwargs = [
        {"code": target.agreement.code, "target": target.code},
        {"code": "saebyeok-wms-sla", "target": rolling.code},
        {"code": "hanbit-digital-sla", "target": "no-such-target"},
    ]
    codes = lambda values: [{"code": value} for value in values]  # noqa: E731
    # The first row of a model, by its id, and an id that names none.
    ids = lambda rows: [{"pk": rows.order_by("pk").first().pk}, {"pk": 999999}]  # noqa: E731
    ticket = Ticket.objects.order_by("pk").first()
    ticket_indicator = Indicator.objects.filter(kind="ticket").order_by("pk").first().code
    return {
        "agreements:agreement_detail": codes(agreements),
        "agreements:agreement_update": codes(agreements),
        "agreements:agreement_transition": [
            {"code": code, "status": status} for code in agreements[:3] for status in _statuses(AgreementStatus)
        ],
        "agreements:customer_detail": codes(customers),
        "agreements:customer_update": codes(customers),
        "agreements:service_detail": codes(["internet-banking", "wms", "no-such-service"]),
        "agreements:service_update": codes(["internet-banking", "wms"]),
        "agreements:calendar_detail": codes(["seoul-business-hours", "no-such-calendar"]),
        "agreements:maintenance_detail": [
            {"pk": pk} for pk in [*extra["windows"], extra["maintenance_window"].pk, 999999]
        ],
        "agreements:maintenance_update": [{"pk": pk} for pk in [*extra["windows"], 999999]],
        "agreements:maintenance_transition": [
            {"pk": pk, "status": status} for pk in extra["windows"] for status in _statuses(MaintenanceStatus)
        ],
        "agreements:exclusion_create": codes(agreements),
        "agreements:sign_off_create": codes(agreements),
        "agreements:sign_off_detail": [
            {"code": "hanbit-digital-sla", "pk": signed.pk},
            {"code": "saebyeok-wms-sla", "pk": waiting.pk},
            {"code": "hanbit-digital-sla", "pk": waiting.pk},  # another agreement's request
            {"code": "hanbit-digital-sla", "pk": 999999},
        ],
        "agreements:people": codes(customers),
        "agreements:person_active": [
            {"code": "hanbit-bank", "pk": membership.pk},
            {"code": "hanbit-bank", "pk": Membership.objects.get(user__username="calendar-reader").pk},
            {"code": "saebyeok-logistics", "pk": membership.pk},
            {"code": "hanbit-bank", "pk": 999999},
        ],
        "agreements:person_admin": [
            {"code": "hanbit-bank", "pk": Membership.objects.get(user__username="calendar-reader").pk},
            {"code": "saebyeok-logistics", "pk": membership.pk},
            {"code": "hanbit-bank", "pk": 999999},
        ],
        "agreements:invitation_withdraw": [
            {"code": "hanbit-bank", "pk": extra["invitation"].pk},
            {"code": "saebyeok-logistics", "pk": extra["invitation"].pk},
            {"code": "hanbit-bank", "pk": 999999},
        ],
        "identity:invitation_accept": [{"token": token} for token in [*extra["invitation_tokens"], "not-a-token"]],
        "agreements:membership_signing": [
            {"code": "hanbit-bank", "pk": membership.pk},
            {"code": "saebyeok-logistics", "pk": membership.pk},
            {"code": "hanbit-bank", "pk": 999999},
        ],
        "agreements:exclusion_delete": [
            {"code": extra["exclusion"].agreement.code, "pk": extra["exclusion"].pk},
            {"code": "saebyeok-wms-sla", "pk": extra["exclusion"].pk},
            {"code": "hanbit-digital-sla", "pk": 999999},
        ],
        "agreements:calendar_update": codes(["seoul-business-hours"]),
        "agreements:calendar_feed_ics": [{"token": extra["feed_token"]}, {"token": "not-a-token"}],
        "monitoring:indicator_detail": codes(
            ["ib-availability", "wms-dispatch", ticket_indicator, "no-such-indicator"]
        ),
        "monitoring:indicator_update": codes(["ib-availability", "wms-dispatch", ticket_indicator]),
        "monitoring:ticket_detail": [{"pk": ticket.pk}, {"pk": 999999}],
        "monitoring:upload_csv": codes(["ib-availability"]),
        "monitoring:upload_preview": [{"pk": extra["upload"].pk}, {"pk": 999999}],
        "monitoring:upload_confirm": [{"pk": extra["upload"].pk}],
        "monitoring:datasource_detail": codes([DataSource.objects.first().code, "no-such-source"]),
        "monitoring:datasource_update": codes([DataSource.objects.first().code]),
        "monitoring:datasource_token": codes([DataSource.objects.first().code]),
        "monitoring:ticketsource_detail": codes(["every-url-desk", "no-such-desk"]),
        "monitoring:ticketsource_update": codes(["every-url-desk"]),
        "monitoring:ticketsource_token": codes(["every-url-desk"]),
        "monitoring:ticket_upload": codes(["every-url-desk", "no-such-desk"]),
        "monitoring:ticket_upload_preview": [
            {"code": "every-url-desk", "pk": TicketUpload.objects.get().pk},
            {"code": "no-such-desk", "pk": TicketUpload.objects.get().pk},
            {"code": "every-url-desk", "pk": 999999},
        ],
        "monitoring:ticket_upload_confirm": [{"code": "every-url-desk", "pk": TicketUpload.objects.get().pk}],
        "api-ticket-webhook": codes(["every-url-desk", "no-such-desk"]),
        "monitoring:prometheus_detail": codes(["every-url-prom", "no-such-source"]),
        "monitoring:prometheus_update": codes(["every-url-prom"]),
        "monitoring:prometheus_backfill": codes(["every-url-prom"]),
        "monitoring:prometheus_query_create": codes(["every-url-prom"]),
        "monitoring:prometheus_query_update": [
            {"code": "every-url-prom", "pk": extra["prometheus_query"].pk},
            {"code": "every-url-prom", "pk": 999999},
        ],
        "monitoring:probe_update": codes([HttpProbe.objects.first().code, "no-such-probe"]),
        "monitoring:revoke_api_token": [{"pk": extra["api_token"].pk}, {"pk": 999999}],
        "monitoring:alert_acknowledge": [{"pk": Alert.objects.first().pk}, {"pk": 999999}],
        "monitoring:alert_silence": [{"pk": Alert.objects.first().pk}, {"pk": 999999}],
        "monitoring:customer_dashboard": codes(customers),
        "monitoring:target_detail": target_kwargs,
        "monitoring:bad_minutes": target_kwargs,
        "monitoring:what_if": target_kwargs,
        "monitoring:evaluate_now": target_kwargs,
        "monitoring:evaluation_status": target_kwargs,
        "monitoring:report": codes(agreements),
        "monitoring:report_csv": codes(agreements),
        "monitoring:openslo_export": codes(agreements),
        "monitoring:openslo_import": codes(agreements[:2]),
        "monitoring:openslo_preview": codes(agreements[:2]),
        "monitoring:openslo_confirm": codes(agreements[:2]),
        "monitoring:report_comment": codes(agreements[:2]),
        "monitoring:report_pdf": codes(agreements[:2]),
        "monitoring:report_resend": codes(agreements[:2]),
        "monitoring:report_preview": codes(agreements[:2]),
        "api-agreement-compliance": codes(agreements),
        "api-agreement-openslo": codes(agreements),
        "api-customer-detail": codes(customers),
        "api-service-detail": codes(["internet-banking", "wms", "no-such-service"]),
        "api-calendar-detail": codes(["seoul-business-hours", "no-such-calendar"]),
        "api-agreement-detail": codes(agreements),
        "api-agreement-transition": codes(agreements),
        "api-agreement-target-list": [{"agreement": code} for code in agreements],
        "api-agreement-target-detail": [{"agreement": row["code"], "code": row["target"]} for row in target_kwargs],
        "api-agreement-exclusion-list": [{"agreement": code} for code in agreements],
        "api-agreement-exclusion-detail": [
            {"agreement": extra["exclusion"].agreement.code, "pk": extra["exclusion"].pk},
            {"agreement": "saebyeok-wms-sla", "pk": extra["exclusion"].pk},
            {"agreement": "hanbit-digital-sla", "pk": 999999},
        ],
        "api-maintenance-window-detail": [{"pk": pk} for pk in [*extra["windows"], 999999]],
        "api-maintenance-window-transition": [{"pk": pk} for pk in extra["windows"]],
        "api-indicator-detail": codes(["ib-availability", ticket_indicator, "no-such-indicator"]),
        "api-data-source-detail": codes([DataSource.objects.first().code, "no-such-source"]),
        "api-prometheus-source-detail": codes(["every-url-prom", "no-such-source"]),
        "api-service-desk-detail": codes(["every-url-desk", "no-such-desk"]),
        "api-snapshot-detail": ids(ComplianceSnapshot.objects.filter(is_closed=True)),
        "api-breach-detail": ids(Breach.objects.all()),
        "api-alert-detail": ids(Alert.objects.all()),
        "api-alert-acknowledge": ids(Alert.objects.all()),
        "api-alert-silence": ids(Alert.objects.all()),
        "api-ticket-detail": ids(Ticket.objects.all()),
        "requirements_analysis:requirement_detail": codes([requirement.code, "no-such-requirement"]),
        "requirements_analysis:requirement_update": codes([requirement.code]),
        "requirements_analysis:requirement_targets": codes([requirement.code]),
        "requirements_analysis:requirement_decide": [
            {"code": requirement.code, "status": status} for status in _statuses(RequirementStatus)
        ],
        "requirements_analysis:campaign_detail": codes([campaign.code, "no-such-survey"]),
        "requirements_analysis:campaign_update": codes([campaign.code]),
        "requirements_analysis:campaign_invite": codes([campaign.code]),
        "requirements_analysis:campaign_send": codes([campaign.code]),
        "requirements_analysis:campaign_status": [
            {"code": campaign.code, "status": status} for status in _statuses(CampaignStatus)
        ],
        "requirements_analysis:survey_answer": [{"token": extra["survey_token"]}, {"token": "not-a-token"}],
        "improvement:plan_detail": codes([plan.code, verified.code, "no-such-plan"]),
        "improvement:plan_update": codes([plan.code]),
        "improvement:plan_transition": [
            {"code": code, "status": status} for code in (plan.code, verified.code) for status in _statuses(PlanStatus)
        ],
        "improvement:plan_review": codes([plan.code, verified.code]),
        "improvement:action_add": codes([plan.code]),
        "improvement:action_edit": [
            {"code": plan.code, "pk": Action.objects.filter(plan=plan).first().pk},
            {"code": plan.code, "pk": 999999},
        ],
        "api-requirement-detail": codes([requirement.code, "no-such-requirement"]),
        "api-requirement-transition": codes([requirement.code, "no-such-requirement"]),
        "api-survey-detail": codes([campaign.code, "no-such-survey"]),
        "api-plan-detail": codes([plan.code, verified.code, "no-such-plan"]),
        "api-plan-transition": codes([plan.code, verified.code, "no-such-plan"]),
        "api-plan-review": codes([plan.code, verified.code, "no-such-plan"]),
        "api-plan-action-list": [{"plan": plan.code}, {"plan": verified.code}, {"plan": "no-such-plan"}],
        "api-plan-action-detail": [
            {"plan": plan.code, "pk": Action.objects.filter(plan=plan).first().pk},
            {"plan": verified.code, "pk": Action.objects.filter(plan=plan).first().pk},
            {"plan": plan.code, "pk": 999999},
        ],
        "improvement:review_detail": codes([review.code, "no-such-review"]),
        "improvement:review_confirm": codes([review.code, "no-such-review"]),
        "improvement:review_create": codes(agreements),
        "improvement:review_pack": codes(customers),
        "improvement:review_pack_csv": codes(customers),
        # No provider is configured in the tests: both answer 404 (tests/identity/ signs in through real ones).
        "identity:oidc_start": [{"provider": "corp"}],
        "identity:oidc_callback": [{"provider": "corp"}],
        **_admin_samples(),
    }


def _admin_samples():
    """Arguments of the admin's object URLs: a row of every registered model (and an id that names none)."""
    result = {}
    for model in admin.site._registry:
        # The newest row: the superuser's own account is not the one the walk deletes through the admin.
        row = model._default_manager.order_by("-pk").first()
        assert row is not None, f"no {model._meta.label} row for the admin URLs: add one in _extra_rows()"
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        for action in ("change", "history", "delete"):
            result[f"{prefix}_{action}"] = [{"object_id": str(row.pk)}, {"object_id": "999999"}]
        result[f"{prefix}_redirect"] = [{"object_id": str(row.pk)}]
        if hasattr(row, "history"):  # django-simple-history's page of one past version
            result[f"{prefix}_simple_history"] = [(row.pk, row.history.first().history_id), (row.pk, 999999)]
    user = get_user_model().objects.get(username="hanbit")
    result["admin:auth_user_password_change"] = [{"id": str(user.pk)}]
    agreement = Agreement.objects.get(code="hanbit-digital-sla")
    result["admin:view_on_site"] = [
        {"content_type_id": str(ContentType.objects.get_for_model(Agreement).pk), "object_id": str(agreement.pk)}
    ]
    result["admin:app_list"] = [
        {"app_label": label} for label in sorted({m._meta.app_label for m in admin.site._registry})
    ]
    result["admin:catch_all"] = ["/admin/no/such/page/", "/admin/agreements/agreement/add"]
    return result


# --- the patterns --------------------------------------------------------------------------------------------------


def _walk(resolver, prefix="", namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = ":".join(part for part in (namespace, entry.name) if part) if entry.name else None
            yield prefix + str(entry.pattern), name


def url_patterns():
    """(route, name) of every pattern; the admin's unnamed object URLs are named <app>_<model>_redirect here."""
    patterns = []
    for route, name in _walk(get_resolver()):
        if name is None and route.startswith("admin/") and route.endswith("<path:object_id>/"):
            app_label, model_name = route.split("/")[1:3]
            name = f"admin:{app_label}_{model_name}_redirect"
        elif name is None and route == "admin/(?P<url>.*)$":
            name = "admin:catch_all"  # the admin's answer to any other path under /admin/
        patterns.append((route, name))
    return patterns


def urls_of(route, name, sample_values):
    """The URLs to try for a pattern: reversed by name with each set of sample arguments."""
    if not takes_arguments(route):
        return [reverse(name)] if name else ["/" + route]
    assert name in sample_values, f"{route} ({name}) takes arguments: add sample values to samples()"
    if name == "admin:catch_all":
        return sample_values[name]
    if name.endswith("_redirect"):
        return ["/" + route.replace("<path:object_id>", kwargs["object_id"]) for kwargs in sample_values[name]]
    return [
        reverse(name, args=sample) if isinstance(sample, tuple) else reverse(name, kwargs=sample)
        for sample in sample_values[name]
    ]


def takes_arguments(route):
    return "<" in route or "(" in route


# --- forms as a browser would send them -----------------------------------------------------------------------------


class FormReader(HTMLParser):
    """The POST forms of a page: their action and the fields as the page fills them (no file is attached)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._select, self._option, self._textarea = [], None, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if (attrs.get("method") or "get").lower() == "post":
                self._form = {"action": attrs.get("action") or "", "fields": [], "submitted": False}
                self.forms.append(self._form)
            return
        form = self._form
        if form is None or attrs.get("disabled") is not None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    form["fields"].append((name, attrs.get("value", "on")))
            elif kind in ("submit", "image", "button"):
                if not form["submitted"]:
                    form["fields"].append((name, attrs.get("value", "")))
                    form["submitted"] = True
            elif kind != "file":
                form["fields"].append((name, attrs.get("value", "")))
        elif tag == "button" and name and (attrs.get("type") or "submit") == "submit" and not form["submitted"]:
            form["fields"].append((name, attrs.get("value", "")))
            form["submitted"] = True
        elif tag == "select" and name:
            self._select = {"name": name, "multiple": "multiple" in attrs, "chosen": [], "first": None}
        elif tag == "option" and self._select is not None:
            self._option = {"value": attrs.get("value"), "text": "", "selected": "selected" in attrs}
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "option" and self._option is not None:
            option, select = self._option, self._select
            value = option["value"] if option["value"] is not None else option["text"].strip()
            if select["first"] is None:
                select["first"] = value
            if option["selected"]:
                select["chosen"].append(value)
            self._option = None
        elif tag == "select" and self._select is not None:
            select = self._select
            chosen = select["chosen"] or ([] if select["multiple"] or select["first"] is None else [select["first"]])
            if self._form is not None:
                self._form["fields"] += [(select["name"], value) for value in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            if self._form is not None:
                self._form["fields"].append(tuple(self._textarea))
            self._textarea = None


def page_forms(url, response):
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []
    reader = FormReader()
    reader.feed(response.content.decode(response.charset or "utf-8", "replace"))
    forms = []
    for form in reader.forms:
        action = urlsplit(urljoin(url, form["action"] or url))
        if action.path in SKIPPED_FORM_ACTIONS and urlsplit(url).path != action.path:
            continue
        data = {}
        for name, value in form["fields"]:
            data.setdefault(name, []).append(value)
        forms.append((action.path + (f"?{action.query}" if action.query else ""), data))
    return forms


# --- the walk ------------------------------------------------------------------------------------------------------


class Walker:
    def __init__(self, users):
        self.users = users
        self.failures = []
        self.requests = 0

    def client_as(self, role):
        client = Client(raise_request_exception=True)
        if role != "anonymous":
            client.force_login(self.users[role])
        return client

    def send(self, client, role, method, url, data=None):
        self.requests += 1
        try:
            response = client.get(url, data) if method == "GET" else client.post(url, data or {})
        except Exception as error:  # a view let an exception out: Django would answer 500
            self.failures.append(f"{role} {method} {url} {data and list(data)}: {type(error).__name__}: {error}")
            return None
        if response.status_code >= 500:
            self.failures.append(f"{role} {method} {url}: {response.status_code}")
        return response

    def walk(self, url, role):
        client = self.client_as(role)
        page = self.send(client, role, "GET", url)
        if role in ("hanbit", "manager"):
            for query in HOSTILE_QUERIES:
                self.send(client, role, "GET", url, query)
        self.send(client, role, "POST", url)
        if page is not None:
            for action, data in page_forms(url, page):
                if role != "anonymous":
                    client.force_login(self.users[role])  # a form submitted before may have signed out
                self.send(client, role, "POST", action, data)


PATTERNS = url_patterns()


@pytest.mark.parametrize(("route", "name"), PATTERNS, ids=[route or "/" for route, _ in PATTERNS])
def test_no_server_error_on_any_url_as_any_role(estate, route, name):
    walker = Walker(estate["users"])
    for url in urls_of(route, name, estate["samples"]):
        for role in ROLES:
            walker.walk(url, role)
    assert walker.requests > 0
    assert not walker.failures, "\n".join(walker.failures)


def test_the_walk_reads_forms_as_a_browser_sends_them():
    reader = FormReader()
    reader.feed(
        '<form method="post" action="/x/"><input name="a" value="1"><input type="checkbox" name="b" value="y">'
        '<input type="checkbox" name="c" value="z" checked><select name="d"><option value="p">P</option>'
        '<option value="q" selected>Q</option></select><select name="e"><option value="f">F</option></select>'
        '<select name="m" multiple><option value="1">1</option></select><textarea name="t">hello</textarea>'
        '<input type="file" name="f"><button name="go" value="now">Go</button><input type="submit" name="no"></form>'
        '<form method="get"><input name="ignored"></form>'
    )
    assert reader.forms == [
        {
            "action": "/x/",
            "fields": [("a", "1"), ("c", "z"), ("d", "q"), ("e", "f"), ("t", "hello"), ("go", "now")],
            "submitted": True,
        }
    ]


def test_every_pattern_with_arguments_has_sample_values(estate):
    missing = [
        f"{route} ({name})" for route, name in PATTERNS if takes_arguments(route) and name not in estate["samples"]
    ]
    assert not missing, "add sample values to samples() for: " + ", ".join(missing)
