"""Underpinning links on the agreement page: an SLA target rests on OLA and UC targets, an OLA target on UC targets.

The scene: Acme's SLA (an availability target), the operations team's OLA (a platform target, and a second one) and
a hosting supplier's UC (a data centre target). A link that points back at itself, closes a loop or goes up the
ladder is refused under the field, and nothing is stored; each link made or removed is in the agreement's history.
"""

import pytest
from django.core.exceptions import ValidationError

from agreements.choices import AgreementKind, AgreementStatus
from agreements.models import Agreement, Underpinning
from agreements.underpinning import link_problems, loop_through
from tests.agreements.forms_data import edit_post, targets_of
from tests.agreements.page_checks import field_error, history_rows, page_text, saves_nothing
from tests.factories import AgreementFactory, CustomerFactory, TargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operations(db):
    return CustomerFactory(code="operations", name="IT Operations (internal)")


@pytest.fixture
def sla(customer_a):
    agreement = AgreementFactory(code="acme-sla", customer=customer_a, status=AgreementStatus.ACTIVE)
    TargetFactory(agreement=agreement, code="availability", name="Availability")
    return agreement


@pytest.fixture
def ola(operations):
    agreement = AgreementFactory(code="ops-ola", kind=AgreementKind.OLA, customer=operations)
    TargetFactory(agreement=agreement, code="platform", name="Platform up")
    TargetFactory(agreement=agreement, code="database", name="Database up")
    return agreement


@pytest.fixture
def uc(operations):
    agreement = AgreementFactory(code="dc-uc", kind=AgreementKind.UC, customer=operations)
    TargetFactory(agreement=agreement, code="power", name="Data centre power")
    return agreement


def target_of(agreement, code):
    return agreement.targets.get(code=code)


def rest(agreement, code, *others):
    """The agreement's edit page posted back with target ``code`` resting on ``others`` (targets)."""
    rows = targets_of(agreement)
    for row in rows:
        if row["code"] == code:
            row["rests_on"] = [str(other.pk) for other in others]
    return edit_post(agreement, rows)


def links():
    return sorted(
        (
            f"{link.target.agreement.code}/{link.target.code}",
            f"{link.underpinning.agreement.code}/{link.underpinning.code}",
        )
        for link in Underpinning.objects.select_related("target__agreement", "underpinning__agreement")
    )


def error_of(response, agreement, code):
    index = [row["code"] for row in targets_of(agreement)].index(code)
    return field_error(response, f"id_targets-{index}-rests_on")


def test_an_sla_target_rests_on_ola_and_uc_targets_and_the_history_says_so(manager_client, sla, ola, uc):
    page = manager_client.get(f"/agreements/{sla.code}/edit/")
    assert 'name="targets-0-rests_on"' in page.text
    assert "ops-ola · Platform up ≥ 99.9 % (Draft)" in page_text(page)  # the choices name the agreement and status

    response = manager_client.post(
        f"/agreements/{sla.code}/edit/", rest(sla, "availability", target_of(ola, "platform"), target_of(uc, "power"))
    )

    assert response.status_code == 302
    assert links() == [("acme-sla/availability", "dc-uc/power"), ("acme-sla/availability", "ops-ola/platform")]
    edit = manager_client.get(f"/agreements/{sla.code}/edit/")
    assert f'<option value="{target_of(ola, "platform").pk}" selected>' in edit.text
    rows = history_rows(manager_client.get(f"/agreements/{sla.code}/"))
    made = sorted((who, what) for who, what, _changes in rows if "rests on" in what)
    assert made == [
        ("Minsu Park", "Target Availability rests on dc-uc / power (created)"),
        ("Minsu Park", "Target Availability rests on ops-ola / platform (created)"),
    ]


def test_posting_the_page_back_unchanged_keeps_the_links_and_an_emptied_choice_removes_them(manager_client, sla, ola):
    Underpinning.objects.create(target=target_of(sla, "availability"), underpinning=target_of(ola, "platform"))
    assert manager_client.post(f"/agreements/{sla.code}/edit/", edit_post(sla)).status_code == 302
    assert links() == [("acme-sla/availability", "ops-ola/platform")]

    assert manager_client.post(f"/agreements/{sla.code}/edit/", rest(sla, "availability")).status_code == 302

    assert links() == []
    rows = history_rows(manager_client.get(f"/agreements/{sla.code}/"))
    assert "Target Availability rests on ops-ola / platform (deleted)" in [what for _who, what, _c in rows]


def test_a_target_resting_on_itself_is_refused_and_nothing_is_stored(manager_client, ola):
    platform = target_of(ola, "platform")
    with saves_nothing():
        response = manager_client.post(f"/agreements/{ola.code}/edit/", rest(ola, "platform", platform))
    assert response.status_code == 200
    assert error_of(response, ola, "platform") == "A target cannot rest on itself."


def test_a_link_that_closes_a_loop_is_refused_and_nothing_is_stored(manager_client, ola, uc):
    # The OLA's platform rests on the UC's power (stored through the page); the UC's power may not rest on it.
    platform, power = target_of(ola, "platform"), target_of(uc, "power")
    assert manager_client.post(f"/agreements/{ola.code}/edit/", rest(ola, "platform", power)).status_code == 302

    with saves_nothing():
        response = manager_client.post(f"/agreements/{uc.code}/edit/", rest(uc, "power", platform))

    assert response.status_code == 200
    assert error_of(response, uc, "power") == (
        "These links would make a loop: dc-uc / power → ops-ola / platform → dc-uc / power. "
        "A target cannot rest, even indirectly, on itself."
    )
    assert links() == [("ops-ola/platform", "dc-uc/power")]


def test_a_longer_loop_is_found_through_the_stored_links(sla, ola, uc):
    platform, database, power = target_of(ola, "platform"), target_of(ola, "database"), target_of(uc, "power")
    # Links stored behind the forms' back (a script, say): platform -> power -> database.
    Underpinning.objects.create(target=platform, underpinning=power)
    Underpinning.objects.create(target=power, underpinning=database)

    assert loop_through(database, [platform]) == [
        "ops-ola / database",
        "ops-ola / platform",
        "dc-uc / power",
        "ops-ola / database",
    ]
    assert loop_through(target_of(sla, "availability"), [platform]) is None


@pytest.mark.parametrize(
    ("kind_of", "code", "rests_on", "message"),
    [
        ("ola", "platform", "database", "An OLA target may rest only on targets of UCs, not on ops-ola / database."),
        ("uc", "power", "platform", "A target of an underpinning contract (UC) rests on no other target."),
    ],
    ids=["ola-on-ola", "uc-on-anything"],
)
def test_a_link_up_the_ladder_is_refused_and_nothing_is_stored(
    manager_client, ola, uc, kind_of, code, rests_on, message
):
    agreement = {"ola": ola, "uc": uc}[kind_of]
    with saves_nothing():
        response = manager_client.post(
            f"/agreements/{agreement.code}/edit/", rest(agreement, code, target_of(ola, rests_on))
        )
    assert response.status_code == 200
    assert error_of(response, agreement, code) == message


def test_an_sla_target_is_not_offered_as_something_to_rest_on(manager_client, sla, customer_a):
    other = AgreementFactory(code="acme-other-sla", customer=customer_a)
    TargetFactory(agreement=other, code="speed", name="Speed")
    page = manager_client.get(f"/agreements/{sla.code}/edit/")
    assert "acme-other-sla · Speed" not in page_text(page)
    with saves_nothing():
        response = manager_client.post(
            f"/agreements/{sla.code}/edit/", rest(sla, "availability", target_of(other, "speed"))
        )
    assert "is not one of the available choices" in error_of(response, sla, "availability")


def test_the_rules_refuse_an_sla_target_on_an_sla_target_where_the_form_cannot_be_used(sla, customer_a):
    other = AgreementFactory(code="acme-other-sla", customer=customer_a)
    speed = TargetFactory(agreement=other, code="speed", name="Speed")
    availability = target_of(sla, "availability")
    assert link_problems(availability, AgreementKind.SLA, [speed]) == [
        "An SLA target may rest only on targets of OLAs and UCs, not on acme-other-sla / speed."
    ]
    link = Underpinning(target=availability, underpinning=speed)  # as the admin's form would clean it
    with pytest.raises(ValidationError) as refused:
        link.full_clean()
    assert refused.value.message_dict["underpinning"] == [
        "An SLA target may rest only on targets of OLAs and UCs, not on acme-other-sla / speed."
    ]


def test_an_agreement_whose_targets_underpin_others_cannot_change_to_a_kind_that_could_not(manager_client, sla, ola):
    Underpinning.objects.create(target=target_of(sla, "availability"), underpinning=target_of(ola, "platform"))
    with saves_nothing():
        response = manager_client.post(f"/agreements/{ola.code}/edit/", edit_post(ola, kind="sla"))
    assert response.status_code == 200
    assert field_error(response, "id_kind") == (
        "Targets of other agreements rest on this agreement's targets (acme-sla / availability): an agreement of this "
        "kind could not underpin them. Remove those links first."
    )
    assert Agreement.objects.get(code="ops-ola").kind == AgreementKind.OLA
    # A UC may underpin an SLA too: that change is saved, and the link stays.
    assert manager_client.post(f"/agreements/{ola.code}/edit/", edit_post(ola, kind="uc")).status_code == 302
    assert links() == [("acme-sla/availability", "ops-ola/platform")]
