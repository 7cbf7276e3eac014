from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from orgs import services
from orgs.models import OrgForm, OrgLevel, PartyOrg
from orgs.selectors import coverage

pytestmark = pytest.mark.django_db


def test_create_grid_branch_under_community_org(personas, tree):
    org = services.org_create(actor=personas.secretary, name="网格1党支部", level=OrgLevel.GRID, form=OrgForm.BRANCH,
                              region=tree.east1_grid1, parent=tree.east1_org, secretary_name="李四")
    assert org.parent == tree.east1_org
    assert AuditEntry.objects.filter(action="create", object_type="orgs.partyorg", object_id=str(org.pk)).exists()


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"level": OrgLevel.GRID, "region": "east1"}, "网格党支部应设在网格一级"),
        ({"level": OrgLevel.GRID, "region": "east1_grid1", "parent": None}, "必须有上级党组织"),
        ({"level": OrgLevel.GRID, "region": "east1_grid1", "parent": "west1_org"}, "不管辖"),
        ({"level": OrgLevel.RESIDENT_UNIT, "region": "east1", "parent": None}, "必须填写所在单位"),
        ({"level": OrgLevel.GRID, "region": "east1_grid1", "name": "<script>x</script>"}, "不能包含"),
        ({"level": OrgLevel.GRID, "region": "east1_grid1", "established_on": "future"}, "成立日期不能晚于今天"),
    ],
)
def test_bad_org_input_is_refused(kwargs, message, personas, tree):
    args = {"name": "新支部", "form": OrgForm.BRANCH, "parent": "east1_org", **kwargs}
    args["region"] = getattr(tree, args["region"])
    args["parent"] = getattr(tree, args["parent"]) if args["parent"] else None
    if args.get("established_on") == "future":
        args["established_on"] = date.today() + timedelta(days=3)
    before = PartyOrg.objects.count()
    with pytest.raises(ValidationError, match=message):
        services.org_create(actor=personas.district_admin, **args)
    assert PartyOrg.objects.count() == before


def test_parent_cycle_is_refused(personas, tree):
    child = services.org_create(actor=personas.secretary, name="网格1党支部", level=OrgLevel.GRID,
                                form=OrgForm.BRANCH, region=tree.east1_grid1, parent=tree.east1_org)
    compound_org = services.org_create(actor=personas.secretary, name="阳光小区党支部", level=OrgLevel.COMPOUND,
                                       form=OrgForm.BRANCH, region=tree.compound, parent=child)
    with pytest.raises(ValidationError):
        services.org_update(actor=personas.district_admin, org=child, name=child.name, form=child.form,
                            parent=compound_org)
    child.refresh_from_db()
    assert child.parent == tree.east1_org


def test_delete_with_children_is_refused(personas, tree):
    with pytest.raises(ValidationError, match="下级党组织"):
        services.org_delete(actor=personas.district_admin, org=tree.east1_org.parent)


def test_secretary_cannot_edit_another_community(personas, tree):
    with pytest.raises(ValidationError, match="没有"):
        services.org_update(actor=personas.secretary, org=tree.west1_org, name="改名", form=OrgForm.BRANCH,
                            parent=tree.west1_org.parent)


def test_coverage_counts_compounds_buildings_and_grids(personas, tree):
    lines = {c.label: c for c in coverage(tree.east1)}
    assert (lines["小区党组织覆盖"].covered, lines["小区党组织覆盖"].total) == (0, 1)
    services.org_create(actor=personas.secretary, name="阳光小区党支部", level=OrgLevel.COMPOUND,
                        form=OrgForm.BRANCH, region=tree.compound, parent=tree.east1_org)
    lines = {c.label: c for c in coverage(tree.east1)}
    assert (lines["小区党组织覆盖"].covered, lines["小区党组织覆盖"].rate) == (1, 100.0)
    assert lines["网格党支部覆盖"].total == 2


def test_org_pages(personas, tree, client_for):
    c = client_for(personas.secretary)
    html = c.get("/orgs/").content.decode()
    assert "东一社区党总支" in html and "西一社区党支部" not in html
    resp = c.post("/orgs/", {"level": OrgLevel.GRID, "region": tree.east1_grid1.pk, "name": "网格1党支部",
                             "form": OrgForm.BRANCH, "parent": tree.east1_org.pk}, follow=True)
    assert "已新建党组织“网格1党支部”" in resp.content.decode()
    resp = c.post("/orgs/", {"level": OrgLevel.GRID, "region": tree.east1.pk, "name": "错层支部",
                             "form": OrgForm.BRANCH, "parent": tree.east1_org.pk})
    assert "网格党支部应设在网格一级" in resp.content.decode()
    assert not PartyOrg.objects.filter(name="错层支部").exists()


def test_the_secretary_saves_their_own_organization_as_the_page_shows_it(personas, tree, client_for):
    """The form comes back with the founding date and the parent (above the secretary's scope) kept."""
    import re

    org = tree.east1_org
    org.established_on = date(2008, 7, 1)
    org.save()
    c = client_for(personas.secretary)
    html = c.get(f"/orgs/{org.pk}/").content.decode()
    assert 'value="2008-07-01"' in html
    assert re.search(rf'<option value="{org.parent_id}" selected>', html)
    fields = {"name": org.name, "form": org.form, "parent": org.parent_id, "host_name": "",
              "secretary_name": "书记乙", "established_on": "2008-07-01"}
    resp = c.post(f"/orgs/{org.pk}/", fields, follow=True)
    assert "已保存" in resp.content.decode()
    org.refresh_from_db()
    assert org.secretary_name == "书记乙" and org.established_on == date(2008, 7, 1)
    assert org.parent.name == "东街道党工委"
    # Another organization out of the scope is still no choice.
    west = PartyOrg.objects.get(name="西镇党委")
    resp = c.post(f"/orgs/{org.pk}/", fields | {"parent": west.pk})
    assert "选择一个有效的选项" in resp.content.decode()
