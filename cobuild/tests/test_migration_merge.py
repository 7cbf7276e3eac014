"""Migration 0004 on data shaped as before it: the same bureau registered once per community
(as the old demo and the old UniqueConstraint(region, name) made it) becomes one unit; each
community's records stay with their community; the new constraints hold afterwards."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("cobuild", "0003_one_unit_per_organization")]


def _leaf(executor):
    return [key for key in executor.loader.graph.leaf_nodes() if key[0] == "cobuild"]


def test_migration_merges_per_community_copies(tree):
    executor = MigrationExecutor(connection)
    after = _leaf(executor)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Unit, Agreement = old.get_model("cobuild", "ResidentUnit"), old.get_model("cobuild", "Agreement")
    Deed, Resource = old.get_model("cobuild", "Deed"), old.get_model("cobuild", "Resource")
    Rating = old.get_model("cobuild", "StarRating")
    copies = {}
    for c in (tree.east1, tree.east2, tree.west1):
        u = Unit.objects.create(name="县财政局", kind="government", region_id=c.pk,
                                leader_name="" if c == tree.east1 else f"{c.name}负责人")
        copies[c.pk] = u
        Agreement.objects.create(unit=u, region_id=c.pk, title=f"{c.name}协议", start=date(2026, 1, 1),
                                 end=date(2026, 12, 31), activities=["service"])
        Deed.objects.create(unit=u, region_id=c.pk, activity="service", date=date(2026, 3, 1),
                            title=f"{c.name}实事")
        Resource.objects.create(unit=u, kind="venue", title=f"{c.name}会议室")  # community implied by the unit
        Rating.objects.create(unit=u, region_id=c.pk, year=2026, stars=3 if c == tree.west1 else 5)
    Unit.objects.create(name="东一物业公司", kind="private_firm", region_id=tree.east1.pk)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)

    from cobuild.models import Agreement as A
    from cobuild.models import Deed as D
    from cobuild.models import ResidentUnit as U
    from cobuild.models import Resource as R
    from cobuild.models import StarRating as S

    assert sorted(U.objects.values_list("name", flat=True)) == ["东一物业公司", "县财政局"]
    unit = U.objects.get(name="县财政局")
    assert unit.pk == min(u.pk for u in copies.values())  # the oldest record is kept
    assert unit.region_id == tree.district.pk  # 东街道 and 西镇 meet at the county
    assert unit.leader_name == "东二社区负责人"  # an empty fact taken from a copy
    for model in (A, D, R, S):
        assert sorted(model.objects.filter(unit=unit).values_list("region__name", flat=True)) == \
            ["东一社区", "东二社区", "西一社区"], model
    assert dict(S.objects.filter(unit=unit).values_list("region__name", "stars")) == \
        {"东一社区": 5, "东二社区": 5, "西一社区": 3}  # rated differently in each community, kept so
    assert {r.title: r.region.name for r in R.objects.filter(unit=unit)} == \
        {"东一社区会议室": "东一社区", "东二社区会议室": "东二社区", "西一社区会议室": "西一社区"}
    assert U.objects.get(name="东一物业公司").region_id == tree.east1.pk  # a single copy is left as it was
