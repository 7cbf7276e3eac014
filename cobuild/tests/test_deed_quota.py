"""The 双报到 members' deed quota is one rule (members.RegistrySettings), read by co-building, the
member's own page and the workbench; the data migration carried a changed co-building quota over."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from cobuild import selectors, services
from cobuild.models import CobuildRules
from members.models import RegistrySettings
from members.selectors import deed_quota
from members.services import settings_update


@pytest.mark.django_db
def test_one_quota_read_everywhere(personas, client_for):
    assert not any(f.name.startswith("member_deeds") for f in CobuildRules._meta.fields)
    settings_update(actor=personas.district_admin, deed_quota_min=3, deed_quota_max=4)
    assert deed_quota() == (3, 4)
    html = client_for(personas.secretary).get(reverse("cobuild:shortfalls")).content.decode()
    assert "每名双报到党员每年 3–4 件实事" in html
    with pytest.raises(TypeError):  # the co-building rules no longer take it
        services.rules_update(actor=personas.district_admin, member_deeds_min=2)
    with pytest.raises(ValidationError) as exc:
        settings_update(actor=personas.district_admin, deed_quota_min=5, deed_quota_max=4)
    assert "实事下限不能大于上限" in exc.value.message_dict["deed_quota_min"][0]
    assert deed_quota() == (3, 4) and selectors.rules().min_unit_deeds == 1


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    members_leaf = [n for n in executor.loader.graph.leaf_nodes() if n[0] == "members"]
    return executor.loader.project_state(target + members_leaf).apps


@pytest.fixture
def back_to_the_latest_schema():
    """Going back to cobuild 0001 unapplies every later migration that depends on it (cobuild's own and
    other apps' since); the test database must end on the latest schema again for the tests after it."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_migration_carries_a_changed_cobuild_quota_to_members(back_to_the_latest_schema):
    old = _migrate([("cobuild", "0001_initial")])
    OldRules = old.get_model("cobuild", "CobuildRules")
    OldSettings = old.get_model("members", "RegistrySettings")
    OldRules.objects.all().delete()
    OldRules.objects.create(member_deeds_min=2, member_deeds_max=3)
    OldSettings.objects.all().delete()
    OldSettings.objects.create()  # members still at the defaults 1–2
    _migrate([("cobuild", "0002_member_deed_quota_in_members")])
    assert deed_quota() == (2, 3)
    # members' own figures win when both were changed
    old = _migrate([("cobuild", "0001_initial")])
    assert old.get_model("cobuild", "CobuildRules").objects.get().member_deeds_min == 2  # copied back
    old.get_model("cobuild", "CobuildRules").objects.update(member_deeds_min=4, member_deeds_max=5)
    RegistrySettings.objects.update(deed_quota_min=1, deed_quota_max=3)
    _migrate([("cobuild", "0002_member_deed_quota_in_members")])
    assert deed_quota() == (1, 3)
