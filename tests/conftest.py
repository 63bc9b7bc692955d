"""The standard cast: a service manager, a customer user of organisation A, one of organisation B (the outsider),
and an admin; plus an active agreement of A with one target."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from agreements.choices import AgreementStatus
from tests.factories import (
    AgreementFactory,
    CustomerFactory,
    ManagerFactory,
    MembershipFactory,
    TargetFactory,
    UserFactory,
)
from tests.smtp import send_mail_to, smtp_server


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: nothing one test read is served to the next (whose rows may have the same
    ids, at the same frozen instant)."""
    cache.clear()


@pytest.fixture(autouse=True)
def portal_language():
    """Each test starts in the portal's language: a request in Korean activates Korean for the thread, and a test
    that reads translated labels outside a request (a chart's, say) would otherwise get whatever the last test left."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def manager(db):
    return ManagerFactory(username="manager", first_name="Minsu", last_name="Park")


@pytest.fixture
def customer_a(db):
    return CustomerFactory(code="acme", name="Acme Bank")


@pytest.fixture
def customer_b(db):
    return CustomerFactory(code="globex", name="Globex Logistics")


@pytest.fixture
def alice(customer_a):
    """A customer user of organisation A: reads A's data, writes none of it."""
    return MembershipFactory(user=UserFactory(username="alice"), customer=customer_a).user


@pytest.fixture
def bob(customer_b):
    """A customer user of organisation B: the outsider for everything of A."""
    return MembershipFactory(user=UserFactory(username="bob"), customer=customer_b).user


@pytest.fixture
def nobody(db):
    """A logged-in person with no customer and no role."""
    return UserFactory(username="nobody")


@pytest.fixture
def agreement_a(customer_a):
    agreement = AgreementFactory(code="acme-sla", title="Acme online banking", customer=customer_a)
    TargetFactory(agreement=agreement, code="availability", name="Availability")
    agreement.status = AgreementStatus.ACTIVE
    agreement.save()
    return agreement


@pytest.fixture
def agreement_b(customer_b):
    agreement = AgreementFactory(code="globex-sla", title="Globex warehouse", customer=customer_b)
    TargetFactory(agreement=agreement, code="availability", name="Availability")
    return agreement


@pytest.fixture
def smtp_inbox(settings):
    """A real SMTP server on 127.0.0.1, and Django's SMTP backend pointed at it; yields its Inbox."""
    with smtp_server() as inbox:
        send_mail_to(settings, inbox)
        yield inbox


@pytest.fixture(autouse=True)
def force_login_passes_two_factor(request, monkeypatch):
    """``client.force_login(user)`` also marks the session as having passed two-factor sign-in, so that the suite's
    many tests that sign managers and admins in this way keep testing their pages, not the code page.

    Tests only: the portal itself never marks a session this way. Tests of two-factor sign-in opt out with
    ``@pytest.mark.two_factor``, and then a forced login is held at the code page like any other sign-in.
    """
    if request.node.get_closest_marker("two_factor"):
        return
    from django.test import Client

    from slm_portal.identity.two_factor import VERIFIED_SESSION_KEY

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session[VERIFIED_SESSION_KEY] = user.pk
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)
