"""The permission ladder of the two-factor pages: each person's own pages, so no one is refused one (the outsider
gets their own page too); anonymous people are sent to sign in."""

import pytest
from django.urls import reverse

from tests.ladder import Rung, climb


@pytest.mark.parametrize(
    "name", ["identity:two_factor", "identity:two_factor_setup", "identity:two_factor_recovery_codes"]
)
def test_two_factor_pages_ladder(client, name, alice, bob, manager):
    climb(client, Rung(reverse(name), scoped=False), owner=alice, outsider=bob, manager=manager)
