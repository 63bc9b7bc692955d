"""Codes at the code page: a right one passes; a wrong one, one used already (a replay), an expired one and a recovery
code used twice are refused and say why. The clock is moved, never slept on."""

import hashlib
import html
import re

import pytest
from django.db import connection
from django.urls import reverse

from slm_portal.identity.models import RecoveryCode
from slm_portal.identity.two_factor import VERIFIED_SESSION_KEY
from tests.factories import PASSWORD
from tests.two_factor import code_at, give_authenticator

pytestmark = pytest.mark.two_factor

CODE_PAGE = reverse("identity:two_factor_code")


def sign_in(client, user):
    assert client.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302


def enter(client, code):
    return client.post(CODE_PAGE, {"code": code, "next": "/"})


def errors(response):
    assert response.status_code == 200
    return html.unescape(" ".join(re.findall(r'id="error_\d+_id_code"><strong>(.*?)</strong>', response.text)))


def passed(client, user):
    return client.session.get(VERIFIED_SESSION_KEY) == user.pk


@pytest.fixture
def held_manager(client, manager, clock):
    device = give_authenticator(manager)
    sign_in(client, manager)
    return device


def test_the_code_the_app_shows_now_passes(client, manager, held_manager):
    response = enter(client, code_at(held_manager))
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert passed(client, manager)


def test_a_code_with_a_space_in_the_middle_passes(client, manager, held_manager):
    code = code_at(held_manager)
    assert enter(client, f"{code[:3]} {code[3:]}").status_code == 302


def test_a_wrong_code_is_refused(client, manager, held_manager):
    valid = {code_at(held_manager, steps=s) for s in range(-25, 3)}
    wrong = next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in valid)
    assert "That code is wrong" in errors(enter(client, wrong))
    assert not passed(client, manager)
    assert client.get("/").status_code == 302


def test_a_code_used_already_is_refused_as_a_replay(client, manager, held_manager, clock):
    code = code_at(held_manager)
    assert enter(client, code).status_code == 302
    client.post(reverse("logout"))
    sign_in(client, manager)
    clock.shift(3)
    assert "already been used" in errors(enter(client, code))
    assert not passed(client, manager)


def test_a_code_of_some_minutes_ago_is_refused_as_expired(client, manager, held_manager):
    assert "expired" in errors(enter(client, code_at(held_manager, steps=-4)))
    assert not passed(client, manager)


def test_the_previous_steps_code_still_passes_for_a_slow_typist(client, manager, held_manager):
    assert enter(client, code_at(held_manager, steps=-1)).status_code == 302


def test_wrong_codes_in_a_row_are_throttled_then_allowed_again(client, manager, held_manager, clock):
    enter(client, "000000" if code_at(held_manager) != "000000" else "111111")
    assert "Too many wrong codes. Wait 1 second" in errors(enter(client, code_at(held_manager)))
    clock.shift(2)
    assert enter(client, code_at(held_manager)).status_code == 302


def test_recovery_codes_are_stored_as_hashes_only(client, manager, held_manager):
    from slm_portal.identity.two_factor import issue_recovery_codes

    class Request:
        session = {}

    issue_recovery_codes(Request, manager)
    codes = Request.session["identity_two_factor_new_codes"]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    stored = list(RecoveryCode.objects.filter(device__user=manager).values_list("digest", flat=True))
    assert sorted(stored) == sorted(hashlib.sha256(c.replace("-", "").encode()).hexdigest() for c in codes)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {RecoveryCode._meta.db_table}")  # noqa: S608 (the model's own table name)
        table = repr(cursor.fetchall())
    for code in codes:
        assert code not in table
        assert code.replace("-", "") not in table


def test_a_recovery_code_signs_in_once_and_is_refused_the_second_time(client, manager, held_manager, clock):
    from slm_portal.identity.two_factor import issue_recovery_codes

    class Request:
        session = {}

    issue_recovery_codes(Request, manager)
    code = Request.session["identity_two_factor_new_codes"][0]

    response = enter(client, code.upper())  # as typed from the printout, in capitals
    assert response.status_code == 302
    assert passed(client, manager)
    assert "9 are left" in client.get("/").text

    client.post(reverse("logout"))
    sign_in(client, manager)
    assert "already been used" in errors(enter(client, code))
    assert not passed(client, manager)
    clock.shift(2)
    assert "not one of yours" in errors(enter(client, "abcd-efgh-jkmn"))


def test_the_qr_code_carries_the_key_and_the_portal_name_and_passes_the_csp(manager):
    from slm_portal.identity.two_factor import qr_code_svg, secret_text, setup_uri

    device = give_authenticator(manager)
    uri = setup_uri(device)
    assert uri == (
        "otpauth://totp/SLM%20Portal%3Amanager?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        "&issuer=SLM%20Portal&algorithm=SHA1&digits=6&period=30"
    )
    assert secret_text(device) == "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"
    svg = qr_code_svg(uri)
    assert svg.startswith("<svg")
    assert "<path" in svg
    assert "style" not in svg
    assert "script" not in svg
