"""Rules kept as data (demand categories, dues tiers, the registry's settings) come with `migrate`.
A live-server test empties the database when it ends (flush); the rules must come back, or the next
test on that worker finds no category and fails only in some orders."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from demands.defaults import DEFAULT_CATEGORIES
from demands.models import Category
from members.models import DuesTier, RegistrySettings


@pytest.mark.django_db(transaction=True)
def test_an_emptied_database_gets_its_rules_back():
    call_command("flush", interactive=False, verbosity=0)
    assert set(Category.objects.values_list("code", flat=True)) == {c[0] for c in DEFAULT_CATEGORIES}
    assert DuesTier.objects.filter(base="income", lower=Decimal("3000"), rate=Decimal("1.0")).exists()
    assert RegistrySettings.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_kept_rules_are_left_alone():
    Category.objects.filter(code="other").update(name="其他事项")
    call_command("migrate", verbosity=0)  # post_migrate runs again: nothing is re-seeded or reset
    assert Category.objects.get(code="other").name == "其他事项"
    assert Category.objects.count() == len(DEFAULT_CATEGORIES)
