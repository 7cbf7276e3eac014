import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from core import treepaths as paths
from regions import services
from regions.models import Region, RegionKind
from regions.services import check_tree

pytestmark = pytest.mark.django_db


def test_paths_are_fixed_width_digit_segments(tree):
    assert tree.building.path == "".join(paths.segment(i) for i in
                                         [tree.district.pk, tree.east.pk, tree.east1.pk, tree.east1_grid1.pk,
                                          tree.compound.pk, tree.building.pk])
    assert tree.building.depth == 6
    assert paths.upper_bound("0000000100000009") == "0000000100000010"


def test_under_is_one_range_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = set(Region.objects.under(tree.east.path).values_list("name", flat=True))
    assert names == {"东街道", "东一社区", "东二社区", "网格1", "网格2", "阳光小区", "1号楼"}


def test_move_rewrites_the_whole_subtree(personas, tree):
    services.region_move(actor=personas.district_admin, region=tree.compound, new_parent=tree.east2_grid1)
    tree.building.refresh_from_db()
    assert tree.building.is_under(tree.east2_grid1)
    assert tree.building.depth == 6
    assert check_tree() == []
    assert set(Region.objects.under(tree.east2.path).values_list("name", flat=True)) >= {"阳光小区", "1号楼"}
    assert not Region.objects.under(tree.east1.path).filter(name="1号楼").exists()
    assert AuditEntry.objects.filter(action="move", object_id=str(tree.compound.pk)).exists()


def test_move_refuses_a_name_clash(personas, tree):
    with pytest.raises(ValidationError, match="目标上级下已有名为“网格1”"):
        services.region_move(actor=personas.district_admin, region=tree.east1_grid1, new_parent=tree.east2)


def test_move_into_own_subtree_is_a_cycle(personas, tree):
    before = list(Region.objects.values_list("pk", "path"))
    with pytest.raises(ValidationError, match="会形成循环"):
        services.region_move(actor=personas.district_admin, region=tree.east, new_parent=tree.east1)
    assert list(Region.objects.values_list("pk", "path")) == before


def test_grid_under_grid_is_refused(personas, tree):
    with pytest.raises(ValidationError, match="网格不能放在“网格2”（网格）下"):
        services.region_move(actor=personas.district_admin, region=tree.east1_grid1, new_parent=tree.east1_grid2)
    with pytest.raises(ValidationError, match="网格不能放在"):
        services.region_create(actor=personas.district_admin, name="网格9", kind=RegionKind.GRID,
                               parent=tree.east1_grid1)
    assert not Region.objects.filter(name="网格9").exists()


def test_delete_refuses_to_orphan(personas, tree):
    with pytest.raises(ValidationError, match="下级节点"):
        services.region_delete(actor=personas.district_admin, region=tree.east1)
    # The community's Party organization would lose its place.
    with pytest.raises(ValidationError, match="党组织"):
        services.region_delete(actor=personas.district_admin, region=_leaf_with_org(tree))
    assert Region.objects.filter(pk=tree.east1.pk).exists()


def _leaf_with_org(tree):
    from orgs.models import OrgForm, OrgLevel, PartyOrg

    PartyOrg.objects.create(name="网格支部", level=OrgLevel.GRID, form=OrgForm.BRANCH, region=tree.east2_grid1,
                            parent=tree.east1_org)
    return tree.east2_grid1


def test_delete_leaf_is_audited(personas, tree):
    pk = tree.building.pk
    services.region_delete(actor=personas.secretary, region=tree.building)
    assert not Region.objects.filter(pk=pk).exists()
    entry = AuditEntry.objects.get(action="delete", object_id=str(pk))
    assert entry.changes["name"] == ["1号楼", None]


def test_create_validates_and_audits(personas, tree):
    with pytest.raises(ValidationError, match="名称不能为空"):
        services.region_create(actor=personas.secretary, name="  ", kind=RegionKind.GRID, parent=tree.east1)
    with pytest.raises(ValidationError, match="已有名为“网格1”"):
        services.region_create(actor=personas.secretary, name="网格1", kind=RegionKind.GRID, parent=tree.east1)
    with pytest.raises(ValidationError, match="不能包含"):
        services.region_create(actor=personas.secretary, name="<b>x</b>", kind=RegionKind.GRID, parent=tree.east1)
    with pytest.raises(ValidationError, match="区划代码"):
        services.region_create(actor=personas.secretary, name="网格3", kind=RegionKind.GRID, parent=tree.east1,
                               division_code="12ab")
    grid = services.region_create(actor=personas.secretary, name="网格3", kind=RegionKind.GRID, parent=tree.east1)
    assert grid.path == tree.east1.path + paths.segment(grid.pk)
    entry = AuditEntry.objects.get(action="create", object_id=str(grid.pk))
    assert entry.actor_name == "secretary" and entry.changes["name"] == [None, "网格3"]


def test_secretary_cannot_create_outside_scope(personas, tree):
    with pytest.raises(ValidationError, match="没有"):
        services.region_create(actor=personas.secretary, name="网格3", kind=RegionKind.GRID, parent=tree.west1)


def test_rename_records_old_and_new(personas, tree):
    services.region_update(actor=personas.secretary, region=tree.east1_grid2, name="二网格")
    entry = AuditEntry.objects.get(action="update", object_id=str(tree.east1_grid2.pk))
    assert entry.changes == {"name": ["网格2", "二网格"]}


def test_move_page_flow(personas, tree, client_for):
    c = client_for(personas.street_staff)
    resp = c.post(f"/regions/{tree.east1_grid2.pk}/move/", {"new_parent": tree.east2.pk}, follow=True)
    assert "已将“网格2”移到“东二社区”下" in resp.content.decode()
    resp = c.post(f"/regions/{tree.east1.pk}/move/", {"new_parent": tree.east1_grid1.pk}, follow=True)
    assert "会形成循环" in resp.content.decode() or "不能放在" in resp.content.decode()


def test_tree_page_counts_and_org(personas, tree, client_for):
    html = client_for(personas.street_staff).get(f"/regions/{tree.east.pk}/children/").content.decode()
    assert "东一社区党总支" in html and "书记 书记甲" in html
    assert "网格 2" in html and "小区 1" in html and "楼栋 1" in html
