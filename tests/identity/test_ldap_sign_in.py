"""Directory sign-in: the login form against a real OpenLDAP server (slapd), the role rules deciding the roles.

Every test starts its own slapd (tests/identity/directory_server.py) on a free port; it is skipped without slapd or
python-ldap, and fails under SLM_REQUIRE_SERVICES=1.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model, user_logged_in, user_login_failed

from agreements.models import Membership
from core.tenancy import customer_id_of, is_service_manager
from slm_portal.identity.models import DirectoryAccount
from tests.factories import PASSWORD as LOCAL_PASSWORD
from tests.factories import ManagerFactory, UserFactory
from tests.identity.directory_server import (
    BASE,
    PASSWORD,
    configure_directory,
    directory_rules,
    directory_server,
    group_dn,
    require_python_ldap,
    uid_dn,
)
from tests.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
User = get_user_model()
LOGIN = "/accounts/login/"
WRONG = "Please enter a correct username and password"


@pytest.fixture
def directory(tmp_path):
    require_python_ldap()
    with directory_server(tmp_path / "slapd") as server:
        yield server


@pytest.fixture
def ldap_on(settings, directory, db):
    configure_directory(settings, directory.uri)
    directory_rules()
    return directory


@pytest.fixture
def signals():
    """The sign-ins and refusals Django announced: (signal name, user name)."""
    heard = []

    def logged_in(sender, request, user, **kwargs):
        heard.append(("logged_in", user.username))

    def failed(sender, credentials, request=None, **kwargs):
        heard.append(("failed", credentials.get("username")))

    user_logged_in.connect(logged_in, dispatch_uid="test-ldap-logged-in")
    user_login_failed.connect(failed, dispatch_uid="test-ldap-failed")
    yield heard
    user_logged_in.disconnect(dispatch_uid="test-ldap-logged-in")
    user_login_failed.disconnect(dispatch_uid="test-ldap-failed")


def sign_in(client, username, password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def test_a_directory_manager_signs_in_through_the_login_form_as_a_service_manager(client, ldap_on, signals):
    response = sign_in(client, "minsu")

    assert response.status_code == 302
    assert response.url == "/"
    user = User.objects.get(username="minsu")
    assert (user.first_name, user.last_name, user.email) == ("Minsu", "Park", "minsu.park@example.com")
    assert not user.has_usable_password(), "the directory holds the password, not the portal"
    assert is_service_manager(user)  # through portal-leads, a group inside portal-managers
    assert customer_id_of(user) is None
    account = DirectoryAccount.objects.get(user=user)
    assert account.dn == uid_dn("minsu")
    assert account.groups == ["portal-leads", "portal-managers", "staff"]
    assert account.signed_in_at is not None
    assert signals == [("logged_in", "minsu")]
    # A service manager uses two factors whatever the way in: first an authenticator app to enrol.
    assert client.get("/")["Location"] == "/accounts/two-factor/setup/?next=%2F"


def test_a_directory_person_in_a_customer_group_becomes_a_member_of_that_customer(client, ldap_on, customer_a):
    response = sign_in(client, "jiwoo")

    assert response.status_code == 302
    user = User.objects.get(username="jiwoo")
    assert customer_id_of(user) == customer_a.pk
    assert not is_service_manager(user)
    assert client.get(f"/customers/{customer_a.code}/").status_code == 200


def test_a_wrong_password_is_refused_and_creates_no_account(client, ldap_on, signals):
    response = sign_in(client, "minsu", "not-the-password")

    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert not User.objects.filter(username="minsu").exists()
    assert signals == [("failed", "minsu")]


def test_a_person_no_rule_gives_a_role_is_refused_and_gets_no_account(client, ldap_on, signals):
    response = sign_in(client, "yuna")

    assert response.status_code == 200
    assert "Your directory account has no role in this portal" in response.content.decode()
    assert not User.objects.filter(username="yuna").exists()
    assert DirectoryAccount.objects.count() == 0
    assert signals == [("failed", "yuna")]


def test_a_sign_in_the_rules_refuse_shows_their_message_and_creates_no_account(client, ldap_on, customer_a):
    ldap_on.add_group("customer-initech", uid_dn("jiwoo"))  # no customer has the code initech

    response = sign_in(client, "jiwoo")

    assert response.status_code == 200
    assert "(initech) is not a customer of this portal" in response.content.decode()
    assert not User.objects.filter(username="jiwoo").exists()
    assert Membership.objects.count() == 0


def test_a_person_removed_from_the_managers_group_loses_the_role_at_the_next_sign_in(client, ldap_on):
    import ldap

    assert sign_in(client, "minsu").status_code == 302
    assert is_service_manager(User.objects.get(username="minsu"))
    client.logout()
    ldap_on.modify(group_dn("portal-leads"), [(ldap.MOD_REPLACE, "member", [uid_dn("yuna")])])

    response = sign_in(client, "minsu")

    assert response.status_code == 200
    assert "Your directory account has no role in this portal" in response.content.decode()
    assert not is_service_manager(User.objects.get(username="minsu"))
    assert client.get("/").status_code == 302, "not signed in"


def test_a_person_moved_to_another_customer_group_changes_customer_at_the_next_sign_in(
    client, ldap_on, customer_a, customer_b
):
    import ldap

    assert sign_in(client, "jiwoo").status_code == 302
    client.logout()
    ldap_on.modify(group_dn("customer-acme"), [(ldap.MOD_REPLACE, "member", [uid_dn("yuna")])])
    ldap_on.add_group("customer-globex", uid_dn("jiwoo"))

    assert sign_in(client, "jiwoo").status_code == 302

    user = User.objects.get(username="jiwoo")
    assert customer_id_of(user) == customer_b.pk
    assert Membership.objects.filter(user=user).count() == 1
    assert DirectoryAccount.objects.get(user=user).groups == ["customer-globex", "staff"]


def test_the_directory_down_shows_a_clear_message_and_local_sign_in_still_works(client, settings, db, signals):
    require_python_ldap()
    configure_directory(settings, f"ldap://127.0.0.1:{free_port()}", timeout=2)  # nothing listens there
    directory_rules()
    ManagerFactory(username="local-admin")

    response = sign_in(client, "minsu")

    assert response.status_code == 200
    assert "The directory server (LDAP) could not be reached" in response.content.decode()
    assert not User.objects.filter(username="minsu").exists()
    response = sign_in(client, "local-admin", LOCAL_PASSWORD)
    assert response.status_code == 302
    assert signals == [("failed", "minsu"), ("logged_in", "local-admin")]


def test_a_local_account_of_the_same_user_name_is_not_taken_over_by_the_directory(client, ldap_on):
    local = UserFactory(username="minsu", email="someone.else@example.org")

    response = sign_in(client, "minsu")

    assert response.status_code == 200
    assert "A local account already has the user name minsu" in response.content.decode()
    local.refresh_from_db()
    assert local.email == "someone.else@example.org"
    assert not is_service_manager(local)
    assert not DirectoryAccount.objects.exists()
    assert sign_in(client, "minsu", LOCAL_PASSWORD).status_code == 302, "its local password still works"


def test_an_account_an_admin_linked_to_the_directory_signs_in_through_it(client, ldap_on):
    local = UserFactory(username="minsu")
    DirectoryAccount.objects.create(user=local)

    assert sign_in(client, "minsu").status_code == 302

    local.refresh_from_db()
    assert is_service_manager(local)
    assert local.email == "minsu.park@example.com"
    assert DirectoryAccount.objects.get(user=local).dn == uid_dn("minsu")


def test_a_dn_template_finds_the_person_without_a_search(client, settings, directory, db):
    configure_directory(settings, directory.uri, dn_template=True)
    directory_rules()

    assert sign_in(client, "minsu", "wrong").status_code == 200
    assert sign_in(client, "minsu").status_code == 302
    assert DirectoryAccount.objects.get().dn == uid_dn("minsu")


def test_plain_group_of_names_leaves_nested_groups_out(client, settings, directory, db):
    configure_directory(settings, directory.uri, group_type="groupOfNames")
    directory_rules()

    response = sign_in(client, "minsu")  # in portal-leads, which is in portal-managers: not followed

    assert "Your directory account has no role in this portal" in response.content.decode()


def test_the_user_name_is_not_case_sensitive_and_makes_one_account(client, ldap_on):
    assert sign_in(client, "MINSU").status_code == 302
    client.logout()
    assert sign_in(client, "minsu").status_code == 302
    assert list(User.objects.values_list("username", flat=True)) == ["minsu"]


# --- settings from the environment -----------------------------------------------------------------------------


def settings_in_a_fresh_process(**variables):
    """Imports the settings with ``variables`` in the environment (as a start-up does); returns the process."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AUTH_LDAP_")}
    env.update(DEBUG="1", DJANGO_SETTINGS_MODULE="slm_portal.settings", **variables)
    code = (
        "from django.conf import settings as s\n"
        "print(s.AUTHENTICATION_BACKENDS)\n"
        "search = getattr(s, 'AUTH_LDAP_USER_SEARCH', None)\n"
        "group_type = getattr(s, 'AUTH_LDAP_GROUP_TYPE', None)\n"
        "print(search and search.base_dn, search and search.filterstr, type(group_type))\n"
        "print(sorted(getattr(s, 'AUTH_LDAP_CONNECTION_OPTIONS', {}).values()))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )


def test_without_a_server_uri_directory_sign_in_is_off():
    result = settings_in_a_fresh_process()
    assert result.returncode == 0, result.stderr
    backends = result.stdout.splitlines()[0]
    assert backends == (
        "['slm_portal.identity.backends.LockoutBackend', 'django.contrib.auth.backends.ModelBackend', "
        "'slm_portal.identity.backends.SingleSignOnBackend']"
    )


def test_the_environment_configures_active_directory_sign_in():
    require_python_ldap()
    result = settings_in_a_fresh_process(
        AUTH_LDAP_SERVER_URI="ldap://dc1.corp.example",
        AUTH_LDAP_USER_SEARCH_BASE="DC=corp,DC=example",
        AUTH_LDAP_USER_SEARCH_FILTER="(sAMAccountName=%(user)s)",
        AUTH_LDAP_GROUP_SEARCH_BASE="OU=Groups,DC=corp,DC=example",
        AUTH_LDAP_GROUP_TYPE="nestedActiveDirectory",
        AUTH_LDAP_TIMEOUT="3",
    )
    assert result.returncode == 0, result.stderr
    backends, search, options = result.stdout.splitlines()
    assert backends.endswith("'slm_portal.identity.directory.DirectoryBackend']")
    assert search.startswith("DC=corp,DC=example (sAMAccountName=%(user)s) ")
    assert search.endswith("NestedActiveDirectoryGroupType'>")
    assert options == "[0, 3, 3]", "referrals off for Active Directory; network and operation timeouts of 3 s"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({}, "set AUTH_LDAP_USER_SEARCH_BASE (with AUTH_LDAP_USER_SEARCH_FILTER) or AUTH_LDAP_USER_DN_TEMPLATE"),
        ({"AUTH_LDAP_USER_SEARCH_BASE": BASE, "AUTH_LDAP_GROUP_TYPE": "lotus"}, "AUTH_LDAP_GROUP_TYPE='lotus'"),
        ({"AUTH_LDAP_USER_SEARCH_BASE": BASE, "AUTH_LDAP_USER_SEARCH_FILTER": "(uid=*)"}, "must contain %(user)s"),
        ({"AUTH_LDAP_USER_DN_TEMPLATE": "uid=x," + BASE, "AUTH_LDAP_TIMEOUT": "0"}, "AUTH_LDAP_TIMEOUT='0'"),
    ],
)
def test_a_set_up_that_cannot_work_stops_start_up_naming_the_variable(variables, message):
    require_python_ldap()
    result = settings_in_a_fresh_process(AUTH_LDAP_SERVER_URI="ldap://127.0.0.1", **variables)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_passwords_switched_off_for_managers_leave_the_directory_sign_in_alone(client, ldap_on, settings):
    settings.SLM_PASSWORD_SIGN_IN_OFF = ["managers"]
    ManagerFactory(username="local-manager")

    assert sign_in(client, "minsu").status_code == 302, "the directory's password is not the portal's"
    client.logout()
    response = sign_in(client, "local-manager", LOCAL_PASSWORD)
    assert response.status_code == 200
    assert "their passwords are switched off" in response.content.decode()


def test_an_account_an_admin_deactivates_is_signed_out_and_cannot_sign_in_again(client, ldap_on):
    assert sign_in(client, "minsu").status_code == 302
    User.objects.filter(username="minsu").update(is_active=False)

    assert client.get("/").status_code == 302, "the session ends"
    response = sign_in(client, "minsu")
    assert response.status_code == 200
    assert "This account is inactive." in response.content.decode()
