"""Role rules: claims of an outside identity grant the service manager role or a customer membership."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from agreements.models import Membership
from core.tenancy import SERVICE_MANAGERS_GROUP, customer_id_of, is_service_manager
from slm_portal.identity.choices import ClaimMatch, GrantedRole, RuleSource
from slm_portal.identity.models import RoleRule
from slm_portal.identity.rules import SignInRefused, apply_decision, apply_role_rules, decide_roles
from tests.factories import MembershipFactory, UserFactory


def rule(**fields):
    fields.setdefault("source", RuleSource.OIDC)
    return RoleRule.objects.create(**fields)


@pytest.fixture
def rules(customer_a):
    """Managers by group; acme's people by e-mail domain; any customer by a customer:<code> group."""
    return [
        rule(
            order=10, claim="groups", match=ClaimMatch.CONTAINS, value="slm-managers", role=GrantedRole.SERVICE_MANAGER
        ),
        rule(
            order=20,
            claim="email",
            match=ClaimMatch.EMAIL_DOMAIN,
            value="acme.example",
            role=GrantedRole.CUSTOMER_MEMBER,
            customer=customer_a,
        ),
        rule(
            order=30,
            claim="groups",
            match=ClaimMatch.CUSTOMER_PREFIX,
            value="customer:",
            role=GrantedRole.CUSTOMER_MEMBER,
        ),
    ]


def test_group_grants_service_manager(rules):
    decision = decide_roles("oidc", {"email": "kim@corp.example", "groups": ["staff", "slm-managers"]})
    assert decision.service_manager is True
    assert decision.customer is None
    assert decision.rules == (rules[0].pk,)


def test_email_domain_grants_membership_of_the_named_customer(rules, customer_a):
    decision = decide_roles("oidc", {"email": "Lee@ACME.example", "groups": []})
    assert decision.customer == customer_a
    assert decision.roles == ["customer:acme"]


def test_domain_does_not_match_a_longer_domain(rules):
    assert decide_roles("oidc", {"email": "lee@notacme.example", "groups": []}).customer is None
    assert decide_roles("oidc", {"email": "lee@mail.acme.example.org", "groups": []}).customer is None


def test_customer_code_prefix_finds_the_customer(rules, customer_b):
    decision = decide_roles("oidc", {"email": "jo@globex.example", "groups": ["customer:globex"]})
    assert decision.customer == customer_b


def test_claim_for_another_customer_never_grants_this_one(rules, customer_a, customer_b):
    decision = decide_roles("oidc", {"email": "jo@globex.example", "groups": ["customer:globex"]})
    assert decision.customer != customer_a
    assert decision.roles == ["customer:globex"]


def test_unknown_customer_code_refuses(rules):
    with pytest.raises(SignInRefused, match="nosuch"):
        decide_roles("oidc", {"email": "x@y.example", "groups": ["customer:nosuch"]})


def test_two_customers_refuse(rules, customer_b):
    with pytest.raises(SignInRefused, match="acme, globex"):
        decide_roles("oidc", {"email": "lee@acme.example", "groups": ["customer:globex"]})


def test_same_customer_twice_is_one_membership(rules, customer_a):
    decision = decide_roles("oidc", {"email": "lee@acme.example", "groups": ["customer:acme"]})
    assert decision.customer == customer_a


def test_rules_of_another_source_or_provider_do_not_apply(customer_a):
    rule(
        claim="groups",
        match=ClaimMatch.CONTAINS,
        value="slm-managers",
        role=GrantedRole.SERVICE_MANAGER,
        provider="entra",
    )
    rule(
        source=RuleSource.LDAP,
        claim="groups",
        match=ClaimMatch.CONTAINS,
        value="acme-users",
        role=GrantedRole.CUSTOMER_MEMBER,
        customer=customer_a,
    )
    claims = {"email": "a@b.example", "groups": ["slm-managers", "acme-users"]}
    assert decide_roles("oidc", claims, provider="keycloak").roles == []
    assert decide_roles("oidc", claims, provider="entra").roles == ["service_manager"]
    assert decide_roles("ldap", claims).roles == ["customer:acme"]


def test_disabled_rule_does_not_apply(rules):
    rules[0].enabled = False
    rules[0].save()
    assert decide_roles("oidc", {"email": "k@c.example", "groups": ["slm-managers"]}).service_manager is False


def test_equals_matches_any_other_claim(customer_a):
    rule(claim="department", match=ClaimMatch.EQUALS, value="SLM", role=GrantedRole.SERVICE_MANAGER)
    assert decide_roles("oidc", {"email": "", "groups": [], "department": "SLM"}).service_manager is True
    assert decide_roles("oidc", {"email": "", "groups": [], "department": "SLM-2"}).service_manager is False
    assert decide_roles("oidc", {"email": "", "groups": []}).service_manager is False


def test_apply_grants_and_takes_back_roles(rules, customer_a):
    user = UserFactory(username="kim")
    apply_role_rules(user, source="oidc", claims={"email": "kim@acme.example", "groups": ["slm-managers"]})
    user.refresh_from_db()
    assert is_service_manager(user)
    assert customer_id_of(user) == customer_a.pk

    # Removed from the group and moved to another mail domain: both roles go at the next sign-in.
    apply_role_rules(user, source="oidc", claims={"email": "kim@corp.example", "groups": []})
    user.refresh_from_db()
    assert not user.groups.filter(name=SERVICE_MANAGERS_GROUP).exists()
    assert Membership.objects.filter(user=user).count() == 0


def test_apply_moves_a_member_to_the_customer_the_rules_name(rules, customer_a, customer_b):
    user = MembershipFactory(user=UserFactory(username="jo"), customer=customer_a, may_sign_agreements=True).user
    apply_role_rules(user, source="oidc", claims={"email": "jo@x.example", "groups": ["customer:globex"]})
    membership = Membership.objects.get(user=user)
    assert membership.customer == customer_b
    assert membership.may_sign_agreements is False


def test_refusal_changes_nothing(rules, customer_a):
    user = MembershipFactory(user=UserFactory(username="jo"), customer=customer_a).user
    groups_before = Group.objects.get(name=SERVICE_MANAGERS_GROUP).user_set.count()
    with pytest.raises(SignInRefused):
        apply_role_rules(
            user, source="oidc", claims={"email": "jo@acme.example", "groups": ["slm-managers", "customer:nosuch"]}
        )
    assert Membership.objects.get(user=user).customer == customer_a
    assert Group.objects.get(name=SERVICE_MANAGERS_GROUP).user_set.count() == groups_before


def test_apply_decision_keeps_an_unchanged_membership(rules, customer_a):
    membership = MembershipFactory(user=UserFactory(username="lee"), customer=customer_a, may_sign_agreements=True)
    apply_decision(membership.user, decide_roles("oidc", {"email": "lee@acme.example", "groups": []}))
    kept = Membership.objects.get(user=membership.user)
    assert kept.pk == membership.pk
    assert kept.may_sign_agreements is True


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"role": GrantedRole.CUSTOMER_MEMBER, "match": ClaimMatch.CONTAINS}, "customer"),
        ({"role": GrantedRole.SERVICE_MANAGER, "match": ClaimMatch.CUSTOMER_PREFIX}, "match"),
        ({"role": GrantedRole.SERVICE_MANAGER, "match": ClaimMatch.EMAIL_DOMAIN, "value": "@x.example"}, "value"),
        ({"role": GrantedRole.SERVICE_MANAGER, "source": RuleSource.LDAP, "provider": "entra"}, "provider"),
    ],
)
def test_rule_validation_names_the_field(db, fields, field):
    fields = {"claim": "groups", "value": "x", "source": RuleSource.OIDC, "match": ClaimMatch.CONTAINS} | fields
    with pytest.raises(ValidationError) as error:
        RoleRule(**fields).full_clean()
    assert field in error.value.message_dict
