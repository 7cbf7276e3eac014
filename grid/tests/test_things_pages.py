"""Things and organizations of a grid: facilities (with state), units (shops, firms, social
organizations), liaisons, the coverage lines the units feed, and the map's "open events" metric."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from grid import selectors, services
from grid.models import Facility, GridLiaison, GridUnit
from orgs.models import OrgForm, OrgLevel, PartyOrg

pytestmark = pytest.mark.django_db

# Inside the square of 东一社区 网格1 drawn by the gdata fixture (89.50–89.51 E, 47.00–47.01 N).
G11 = {"lat": 47.005, "lng": 89.505}
G12 = {"lat": 47.005, "lng": 89.515}
W11 = {"lat": 46.505, "lng": 89.205}


@pytest.fixture
def facs(gdata, tree):
    return {
        "g11": services.facility_create(actor=None, grid=tree.east1_grid1, kind="camera", name="东门摄像头", **G11),
        "g12": services.facility_create(actor=None, grid=tree.east1_grid2, kind="hydrant", name="2号楼消防栓",
                                        **G12),
        "w11": services.facility_create(actor=None, grid=tree.west1_grid1, kind="aed", name="卫生室AED", **W11),
    }


def _post_facility(c, grid, **kw):
    data = {"grid": grid.pk, "kind": "camera", "name": "新摄像头", **G11}
    data.update(kw)
    return c.post("/grid/facilities/new/", data)


# ---------------------------------------------------------------------------
# Role matrix
# ---------------------------------------------------------------------------

# who → (list status, facilities seen, may write in g11, may write in g12)
MATRIX = {
    "district_admin": (200, {"g11", "g12", "w11"}, True, True),
    "street_staff": (200, {"g11", "g12"}, True, True),
    "secretary": (200, {"g11", "g12"}, True, True),
    "community_staff": (200, {"g11", "g12"}, True, True),
    "grid_worker": (200, {"g11"}, True, False),
    "other_grid_worker": (200, {"g12"}, False, True),
    "west_secretary": (200, {"w11"}, False, False),
    "member": (403, set(), False, False),
    "liaison": (403, set(), False, False),
    "auditor": (403, set(), False, False),
    "nobody": (403, set(), False, False),
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_role_matrix_facilities(who, personas, facs, client_for):
    status, seen, write_g11, write_g12 = MATRIX[who]
    c = client_for(getattr(personas, who))
    resp = c.get("/grid/facilities/")
    assert resp.status_code == status
    if status == 200:
        assert {f.name for f in resp.context["page"].object_list} == {facs[k].name for k in seen}
    # A grid role somewhere (every such role here may also write facilities somewhere): outside its scope a
    # facility is a 404 like a missing one. No grid role at all: 403 (docs/architecture.md, the data scope).
    outside = 404 if status == 200 else 403
    assert c.get("/grid/facilities/broken/").status_code == status
    for key, f in facs.items():
        assert c.get(f"/grid/facilities/{f.pk}/").status_code == (200 if key in seen else outside)
    for key, may in (("g11", write_g11), ("g12", write_g12)):
        f = facs[key]
        edit = c.get(f"/grid/facilities/{f.pk}/edit/").status_code
        post = c.post(f"/grid/facilities/{f.pk}/state/", {"state": "fault", "note": "测试"})
        f.refresh_from_db()
        if may:
            assert edit == 200 and post.status_code == 302 and f.state == "fault"
        else:
            assert (edit, post.status_code, f.state) == (outside, outside, "normal")
    # Adding: only in grids the actor works in; a grid outside is not even a choice (the form says so).
    before = Facility.objects.count()
    resp = _post_facility(c, facs["g12"].grid, name="越权摄像头", **G12)
    assert Facility.objects.filter(name="越权摄像头").exists() == write_g12
    if not write_g12:
        assert Facility.objects.count() == before
        assert resp.status_code == (200 if status == 200 else 403)
        if status == 200:
            assert "grid" in resp.context["form"].errors


@pytest.mark.parametrize("who,status,sees_g12", [
    ("secretary", 200, True), ("community_staff", 200, True), ("grid_worker", 200, False),
    ("west_secretary", 200, False), ("member", 403, False),
])
def test_role_matrix_units(who, status, sees_g12, personas, gdata, tree, client_for):
    u11 = services.unit_create(actor=None, grid=tree.east1_grid1, kind="shop", name="便民超市",
                               contact_phone="13812345678")
    u12 = services.unit_create(actor=None, grid=tree.east1_grid2, kind="firm", name="东方科技")
    c = client_for(getattr(personas, who))
    resp = c.get("/grid/units/")
    assert resp.status_code == status
    if status == 200:
        names = {u.name for u in resp.context["page"].object_list}
        assert ("东方科技" in names) == sees_g12
    assert c.get(f"/grid/units/{u12.pk}/edit/").status_code == (200 if sees_g12 else (403 if status == 403 else 404))
    if who == "grid_worker":
        assert c.get(f"/grid/units/{u11.pk}/edit/").status_code == 200


def test_services_refuse_outside_scope(personas, facs, tree):
    with pytest.raises(ValidationError, match="没有"):
        services.facility_create(actor=personas.grid_worker, grid=tree.east1_grid2, kind="camera", name="x", **G12)
    with pytest.raises(ValidationError, match="没有"):
        services.facility_set_state(actor=personas.west_secretary, facility=facs["g11"], state="fault", note="x")
    with pytest.raises(ValidationError, match="没有"):
        services.unit_create(actor=personas.member, grid=tree.east1_grid1, kind="shop", name="x")
    with pytest.raises(ValidationError, match="没有"):
        services.liaison_update(actor=personas.community_staff,
                                liaison=services.liaison_add(actor=None, grid=tree.east1_grid1, name="甲"), name="乙")
    # Moving a facility into a grid the worker does not work in.
    with pytest.raises(ValidationError, match="没有"):
        services.facility_update(actor=personas.grid_worker, facility=facs["g11"], grid=tree.east1_grid2,
                                 kind="camera", name="东门摄像头", **G12)


# ---------------------------------------------------------------------------
# Facilities: add, list, edit, state
# ---------------------------------------------------------------------------


def test_secretary_adds_facility_and_lists_by_grid_community_kind_state(personas, facs, tree, client_for):
    c = client_for(personas.secretary)
    page = c.get("/grid/facilities/new/", {"region": tree.east1_grid1.pk, "grid": tree.east1_grid1.pk})
    assert page.status_code == 200 and 'id="picker"' in page.content.decode()
    resp = _post_facility(c, tree.east1_grid1, kind="notice_board", name="党建宣传栏", lat="47.0071", lng="89.5032")
    f = Facility.objects.get(name="党建宣传栏")
    assert resp.status_code == 302 and resp.url == f"/grid/facilities/{f.pk}/"
    assert (f.grid, f.kind, f.state, f.lat, f.lng) == (tree.east1_grid1, "notice_board", "normal", 47.0071, 89.5032)
    entry = AuditEntry.objects.get(object_type="grid.facility", object_id=str(f.pk))
    assert entry.action == "create" and entry.actor == personas.secretary
    assert entry.changes["name"] == [None, "党建宣传栏"]

    def names(**params):
        return {x.name for x in c.get("/grid/facilities/", params).context["page"].object_list}

    assert names(region=tree.east1.pk) == {"东门摄像头", "2号楼消防栓", "党建宣传栏"}
    assert names(region=tree.east1_grid1.pk) == {"东门摄像头", "党建宣传栏"}
    assert names(region=tree.east1.pk, kind="hydrant") == {"2号楼消防栓"}
    services.facility_set_state(actor=personas.secretary, facility=facs["g12"], state="offline", note="冬季停用")
    assert names(region=tree.east1.pk, state="offline") == {"2号楼消防栓"}
    assert names(region=tree.east1.pk, state="broken") == {"2号楼消防栓"}
    assert names(region=tree.east1.pk, state="normal") == {"东门摄像头", "党建宣传栏"}
    # A region outside the scope is a 404, not an empty list.
    assert c.get("/grid/facilities/", {"region": tree.west1.pk}).status_code == 404


def test_edit_facility_moves_point_and_is_audited(personas, facs, client_for):
    f = facs["g11"]
    c = client_for(personas.grid_worker)
    resp = c.post(f"/grid/facilities/{f.pk}/edit/", {"grid": f.grid_id, "kind": "camera", "name": "东门摄像头（新）",
                                                     "lat": "47.0061", "lng": "89.5071"})
    assert resp.status_code == 302
    f.refresh_from_db()
    assert (f.name, f.lat, f.lng) == ("东门摄像头（新）", 47.0061, 89.5071)
    entry = AuditEntry.objects.filter(object_type="grid.facility", object_id=str(f.pk), action="update").get()
    assert entry.changes["name"] == ["东门摄像头", "东门摄像头（新）"] and entry.changes["lat"] == [47.005, 47.0061]


def test_state_change_needs_note_and_feeds_broken_list(personas, facs, tree, client_for):
    f = facs["g11"]
    c = client_for(personas.community_staff)
    resp = c.post(f"/grid/facilities/{f.pk}/state/", {"state": "fault", "note": ""})
    assert resp.status_code == 400 and "须填写情况说明" in resp.content.decode()
    resp = c.post(f"/grid/facilities/{f.pk}/state/", {"state": "normal", "note": ""})
    assert resp.status_code == 400 and "当前已是“正常”" in resp.content.decode()
    f.refresh_from_db()
    assert f.state == "normal"
    assert not AuditEntry.objects.filter(object_type="grid.facility", action="transition").exists()
    # HTML in the note is refused like in every other free-text field, and nothing changes.
    resp = c.post(f"/grid/facilities/{f.pk}/state/", {"state": "fault", "note": "镜头被树枝遮挡 <b>需修剪</b>"})
    assert resp.status_code == 400 and "情况说明不能包含 < 或 > 符号" in resp.context["state_form"].errors["note"][0]
    f.refresh_from_db()
    assert f.state == "normal"
    assert not AuditEntry.objects.filter(object_type="grid.facility", action="transition").exists()
    with pytest.raises(ValidationError, match="不能包含"):
        services.facility_set_state(actor=None, facility=f, state="fault", note="<script>x</script>")
    note = "镜头被树枝遮挡，需修剪"
    resp = c.post(f"/grid/facilities/{f.pk}/state/", {"state": "fault", "note": note})
    assert resp.status_code == 302
    f.refresh_from_db()
    assert f.state == "fault"
    entry = AuditEntry.objects.get(object_type="grid.facility", action="transition")
    assert entry.changes == {"state": ["normal", "fault"], "note": [None, note]}
    assert entry.actor == personas.community_staff
    broken = c.get("/grid/facilities/broken/", {"region": tree.east1.pk})
    body = broken.content.decode()
    assert [x.name for x in broken.context["page"].object_list] == ["东门摄像头"]
    assert note in body
    assert "community_staff" in body
    detail = c.get(f"/grid/facilities/{f.pk}/").content.decode()
    assert "正常 → <b>故障</b>" in detail and "镜头被树枝遮挡" in detail
    # Repaired: back to normal (a note is optional), gone from the broken list.
    assert c.post(f"/grid/facilities/{f.pk}/state/", {"state": "normal", "note": "已修剪"}).status_code == 302
    assert list(c.get("/grid/facilities/broken/", {"region": tree.east1.pk}).context["page"].object_list) == []
    # The broken list of another community does not show ours.
    services.facility_set_state(actor=None, facility=f, state="offline", note="拆除待装")
    assert list(client_for(personas.west_secretary).get("/grid/facilities/broken/")
                .context["page"].object_list) == []


@pytest.mark.parametrize("lat,lng,field,message", [
    ("10", "10", "lng", "不在中国境内"),                  # lat 10 is in range; lng 10 is in Africa
    ("89.505", "47.005", "lat", "经度、纬度填反"),      # swapped
    ("47.005", "140", "lng", "不在中国境内"),
    ("30.2", "120.1", "lat", "超过约 5 公里"),           # in China, far from the grid
    ("abc", "89.5", "lat", "纬度应为数字"),
    ("", "89.5", "lat", "请填写纬度"),
    ("nan", "89.5", "lat", "纬度"),
])
def test_bad_coordinates_are_refused_with_the_field_named(lat, lng, field, message, personas, facs, tree,
                                                         client_for):
    c = client_for(personas.secretary)
    n, entries = Facility.objects.count(), AuditEntry.objects.count()
    resp = _post_facility(c, tree.east1_grid1, lat=lat, lng=lng)
    assert resp.status_code == 200
    assert message in " ".join(resp.context["form"].errors.get(field, []))
    assert Facility.objects.count() == n and AuditEntry.objects.count() == entries


def test_bad_names_and_duplicates_are_refused(personas, facs, tree, client_for):
    c = client_for(personas.secretary)
    n = Facility.objects.count()
    resp = _post_facility(c, tree.east1_grid1, name="<script>alert(1)</script>")
    assert "不能包含 < 或 > 符号" in resp.context["form"].errors["name"][0]
    resp = _post_facility(c, tree.east1_grid1, name="东门摄像头")
    assert "已有名为“东门摄像头”的设施" in resp.context["form"].errors["name"][0]
    resp = _post_facility(c, tree.east1_grid1, name="x" * 101)
    assert "不能超过 100 个字" in resp.context["form"].errors["name"][0]
    resp = _post_facility(c, tree.east1_grid1, kind="tank")
    assert "设施类别不正确" in resp.context["form"].errors["kind"][0]
    assert Facility.objects.count() == n
    # The service refuses the same without the form, and reports every bad field at once.
    with pytest.raises(ValidationError) as exc:
        services.facility_create(actor=personas.secretary, grid=tree.east1_grid1, kind="camera",
                                 name="<img src=x>", lat=10, lng=10)
    assert set(exc.value.message_dict) == {"name", "lng"}


def test_grid_worker_adds_only_in_own_grid(personas, facs, tree, client_for):
    c = client_for(personas.grid_worker)
    page = c.get("/grid/facilities/new/")
    assert list(page.context["form"].fields["grid"].queryset) == [tree.east1_grid1]
    resp = _post_facility(c, tree.east1_grid2, name="别人的摄像头", **G12)
    assert "不在您可以登记的范围内" in resp.context["form"].errors["grid"][0]
    assert not Facility.objects.filter(name="别人的摄像头").exists()
    assert _post_facility(c, tree.east1_grid1, name="自己的摄像头").status_code == 302


def test_facility_detail_shows_history_and_map(personas, facs, client_for):
    f = facs["g11"]
    services.facility_set_state(actor=personas.secretary, facility=f, state="fault", note="无画面")
    body = client_for(personas.grid_worker).get(f"/grid/facilities/{f.pk}/").content.decode()
    assert "无画面" in body and 'id="picker"' in body and "变更状态" in body
    # View-only (west staff cannot see it at all; a street admin sees but the form is there too).
    body = client_for(personas.street_staff).get(f"/grid/facilities/{f.pk}/").content.decode()
    assert 'id="state-form"' in body


# ---------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------


@pytest.fixture
def unit_org(tree):
    return PartyOrg.objects.create(name="便民超市党支部", level=OrgLevel.NEW_ECONOMIC, form=OrgForm.BRANCH,
                                   region=tree.east1_grid1, parent=tree.east1_org)


def _post_unit(c, grid, url="/grid/units/new/", **kw):
    data = {"grid": grid.pk, "kind": "shop", "name": "便民超市", "address": "阳光小区底商 3 号",
            "contact_name": "刘店长", "contact_phone": "13812345678"}
    data.update(kw)
    return c.post(url, data)


def test_unit_add_list_masks_phone_and_links_party_org(personas, gdata, tree, unit_org, client_for):
    c = client_for(personas.community_staff)
    resp = _post_unit(c, tree.east1_grid1, contact_phone="138 1234 5678", has_party_org="on", party_org=unit_org.pk)
    assert resp.status_code == 302
    u = GridUnit.objects.get(name="便民超市")
    assert (u.contact_phone, u.has_party_org, u.party_org) == ("13812345678", True, unit_org)
    entry = AuditEntry.objects.get(object_type="grid.gridunit", action="create")
    assert "13812345678" not in json.dumps(entry.changes, ensure_ascii=False)
    assert entry.changes["contact_phone"] == [None, "138****5678"]
    body = c.get("/grid/units/", {"region": tree.east1.pk}).content.decode()
    assert "138****5678" in body and "13812345678" not in body and "便民超市党支部" in body
    # The grid profile shows it too, and its page links to the unit list.
    body = c.get(f"/grid/{tree.east1_grid1.pk}/").content.decode()
    assert "便民超市" in body and f"/grid/units/?region={tree.east1_grid1.pk}" in body


def test_unit_bad_input(personas, gdata, tree, unit_org, client_for):
    c = client_for(personas.secretary)
    cases = [
        ({"contact_phone": "12345"}, "contact_phone", "联系电话格式不正确"),
        ({"contact_phone": "1381234567a"}, "contact_phone", "联系电话格式不正确"),
        ({"name": "<b>超市</b>"}, "name", "不能包含 < 或 > 符号"),
        ({"contact_name": "<script>"}, "contact_name", "不能包含 < 或 > 符号"),
        ({"name": ""}, "name", "请填写单位名称"),
        ({"kind": "bank"}, "kind", "单位类别不正确"),
        ({"party_org": unit_org.pk}, "has_party_org", "请勾选“已建党组织”"),
    ]
    for data, field, message in cases:
        resp = _post_unit(c, tree.east1_grid1, **data)
        assert resp.status_code == 200, data
        assert message in " ".join(resp.context["form"].errors[field]), data
    # A Party organization of another community is not a choice, and the service refuses it too.
    resp = _post_unit(c, tree.east1_grid1, has_party_org="on", party_org=tree.west1_org.pk)
    assert "不在本社区" in resp.context["form"].errors["party_org"][0]
    with pytest.raises(ValidationError, match="不在本社区"):
        services.unit_create(actor=personas.secretary, grid=tree.east1_grid1, kind="shop", name="外社区",
                             has_party_org=True, party_org=tree.west1_org)
    assert not GridUnit.objects.exists()
    assert not AuditEntry.objects.filter(object_type="grid.gridunit").exists()


def test_unit_edit_keeps_or_clears_phone(personas, gdata, tree, client_for):
    u = services.unit_create(actor=None, grid=tree.east1_grid1, kind="social", name="老年服务协会",
                             contact_name="周会长", contact_phone="13912345678")
    c = client_for(personas.grid_worker)
    page = c.get(f"/grid/units/{u.pk}/edit/").content.decode()
    assert "139****5678" in page and "13912345678" not in page
    base = {"grid": u.grid_id, "kind": "social", "name": "老年服务协会", "address": "", "contact_name": "周会长",
            "contact_phone": ""}
    assert c.post(f"/grid/units/{u.pk}/edit/", {**base, "has_party_org": "on"}).status_code == 302
    u.refresh_from_db()
    assert u.contact_phone == "13912345678" and u.has_party_org
    assert c.post(f"/grid/units/{u.pk}/edit/", {**base, "contact_phone": "13700001111"}).status_code == 302
    u.refresh_from_db()
    assert u.contact_phone == "13700001111" and not u.has_party_org
    entry = AuditEntry.objects.filter(object_type="grid.gridunit", action="update").order_by("-id").first()
    assert entry.changes["contact_phone"] == ["139****5678", "137****1111"]
    assert c.post(f"/grid/units/{u.pk}/edit/", {**base, "clear_phone": "on"}).status_code == 302
    u.refresh_from_db()
    assert u.contact_phone == ""


def test_units_feed_the_coverage_lines(personas, gdata, tree, unit_org, client_for):
    from dashboards.selectors.tree import coverage

    c = client_for(personas.secretary)
    _post_unit(c, tree.east1_grid1, has_party_org="on", party_org=unit_org.pk)
    _post_unit(c, tree.east1_grid2, name="东方科技", kind="firm", contact_phone="")
    _post_unit(c, tree.east1_grid2, name="志愿者协会", kind="social", contact_phone="", has_party_org="on")
    assert GridUnit.objects.count() == 3

    def lines(region):
        return {line.label: (line.covered, line.total) for line in coverage(region)}

    assert lines(tree.east1)["网格内商户、企业党组织覆盖"] == (1, 2)
    assert lines(tree.east1)["网格内社会组织党组织覆盖"] == (1, 1)
    assert lines(tree.east1_grid2)["网格内商户、企业党组织覆盖"] == (0, 1)
    assert lines(tree.west1)["网格内商户、企业党组织覆盖"] == (0, 0)
    # The tree page shows them next to the organizations' own lines.
    node_page = c.get(f"/regions/{tree.east1.pk}/").content.decode()
    assert "网格内社会组织党组织覆盖" in node_page and "网格党支部覆盖" in node_page
    # Editing the firm to "has a Party organization" moves the line.
    firm = GridUnit.objects.get(name="东方科技")
    services.unit_update(actor=personas.secretary, unit=firm, kind="firm", name="东方科技", has_party_org=True)
    assert lines(tree.east1)["网格内商户、企业党组织覆盖"] == (2, 2)
    # And the territory page shows it.
    body = c.get(f"/regions/{tree.east1.pk}/").content.decode()
    assert "网格内商户、企业党组织覆盖" in body and "2/2" in body


# ---------------------------------------------------------------------------
# Liaisons
# ---------------------------------------------------------------------------


def test_liaisons_page_rule_and_writes(personas, gdata, tree, client_for):
    grid = tree.east1_grid1
    url = f"/grid/{grid.pk}/liaisons/"
    sec = client_for(personas.secretary)
    resp = sec.get(url)
    assert resp.context["rule"] == {"residents": 3, "per": 500, "need": 1, "have": 0, "short": 1, "ok": False}
    assert "还差 1 名" in resp.content.decode()
    assert sec.post(url, {"name": "周楼长", "duty": "楼栋长"}).status_code == 302
    liaison = GridLiaison.objects.get(grid=grid)
    assert AuditEntry.objects.filter(object_type="grid.gridliaison", action="create").count() == 1
    assert "符合规则" in sec.get(url).content.decode()
    # Bad input: HTML, empty.
    resp = sec.post(url, {"name": "<i>x</i>", "duty": ""})
    assert resp.status_code == 400 and "不能包含 < 或 > 符号" in resp.context["form"].errors["name"][0]
    resp = sec.post(url, {"name": "", "duty": "<b>"})
    assert "请填写联络员姓名" in resp.context["form"].errors["name"][0]
    assert "不能包含" in resp.context["form"].errors["duty"][0]
    assert GridLiaison.objects.count() == 1
    # Edit and remove, both audited.
    assert sec.post(f"/grid/liaisons/{liaison.pk}/edit/", {"name": "周楼长", "duty": "党员联络员"}).status_code == 302
    liaison.refresh_from_db()
    assert liaison.duty == "党员联络员"
    assert AuditEntry.objects.get(object_type="grid.gridliaison", action="update").changes == {
        "duty": ["楼栋长", "党员联络员"]}
    assert sec.post(f"/grid/liaisons/{liaison.pk}/remove/").status_code == 302
    assert not GridLiaison.objects.exists()
    assert AuditEntry.objects.get(object_type="grid.gridliaison", action="delete").changes["name"] == ["周楼长", None]


def test_moved_out_residents_do_not_raise_the_liaisons_needed(personas, gdata, tree, client_for):
    """liaison_rule (the liaisons page) and rule_breaches (the grid list) count the same residents: active ones."""
    from datetime import date

    grid = tree.east1_grid1   # 3 residents, one per household
    services.rule_set(actor=None, key="residents_per_liaison", value=2)
    services.liaison_add(actor=None, grid=grid, name="甲")

    def liaison_breach():
        return [b for b in selectors.rule_breaches(selectors.with_parents([grid])) if "联络员" in b.detail]

    assert selectors.liaison_rule(grid)["need"] == 2 and len(liaison_breach()) == 1
    # One household moves out, one resident dies: 1 resident left, 1 liaison is enough on both pages.
    services.household_move_out(actor=None, household=gdata.households["g11"][0], moved_out_on=date.today(),
                                reason="迁往外地")
    services.resident_leave(actor=None, resident=gdata.residents["g11"][1], status="deceased",
                            left_on=date.today(), note="病故")
    assert selectors.liaison_rule(grid) == {"residents": 1, "per": 2, "need": 1, "have": 1, "short": 0, "ok": True}
    assert liaison_breach() == []
    assert selectors.liaisons_needed(0) == 0 and selectors.liaisons_needed(3, 2) == 2
    body = client_for(personas.secretary).get(f"/grid/{grid.pk}/liaisons/").content.decode()
    assert "符合规则" in body


# who → (liaisons page, may write, status of a refused edit/remove). Liaison writes need grid.edit: a user
# holding it elsewhere gets 404 (outside the scope), a user without it anywhere 403.
@pytest.mark.parametrize("who,view,write,refused", [
    ("district_admin", 200, True, None), ("street_staff", 200, True, None), ("secretary", 200, True, None),
    ("community_staff", 200, False, 403), ("grid_worker", 200, False, 403), ("other_grid_worker", 404, False, 403),
    ("west_secretary", 404, False, 404), ("member", 403, False, 403), ("nobody", 403, False, 403),
])
def test_role_matrix_liaisons(who, view, write, refused, personas, gdata, tree, client_for):
    grid = tree.east1_grid1
    liaison = services.liaison_add(actor=None, grid=grid, name="甲")
    c = client_for(getattr(personas, who))
    resp = c.get(f"/grid/{grid.pk}/liaisons/")
    assert resp.status_code == view
    if view == 200:
        assert ('id="liaison-form"' in resp.content.decode()) == write
    add = c.post(f"/grid/{grid.pk}/liaisons/", {"name": "乙"})
    assert (add.status_code == 302) == write
    edit = c.post(f"/grid/liaisons/{liaison.pk}/edit/", {"name": "丙"})
    remove = c.post(f"/grid/liaisons/{liaison.pk}/remove/")
    if write:
        assert edit.status_code == 302 and remove.status_code == 302
        assert list(GridLiaison.objects.values_list("name", flat=True)) == ["乙"]
    else:
        assert (edit.status_code, remove.status_code) == (refused, refused)
        assert list(GridLiaison.objects.values_list("name", flat=True)) == ["甲"]


# ---------------------------------------------------------------------------
# Navigation, map metric, layering
# ---------------------------------------------------------------------------


def test_menu_and_links_reach_the_pages(personas, gdata, tree, client_for):
    body = client_for(personas.secretary).get(f"/grid/{tree.east1_grid1.pk}/").content.decode()
    assert "设施与单位" in body
    for link in (f"/grid/facilities/?region={tree.east1_grid1.pk}", f"/grid/units/?region={tree.east1_grid1.pk}",
                 f"/grid/{tree.east1_grid1.pk}/liaisons/"):
        assert link in body
    assert "设施与单位" not in client_for(personas.member).get("/").content.decode()


def test_open_events_metric_on_the_map(personas, gdata, tree, client_for):
    from dashboards.selectors.map import METRICS
    from demands import services as demand_services
    from demands.models import Category, Channel

    assert any(m.key == "open_events" for m in METRICS)
    category = Category.objects.get(code="convenience")
    for _ in range(2):
        demand_services.demand_create(actor=personas.secretary, channel=Channel.HOTLINE, category=category,
                                      region=tree.east1_grid1, title="路灯不亮", description="路灯坏了")
    demand_services.demand_create(actor=personas.secretary, channel=Channel.HOTLINE, category=category,
                                  region=tree.east1, title="社区事", description="不在网格")
    c = client_for(personas.secretary)
    data = c.get("/grid/map/geojson/", {"region": tree.east1.pk, "metric": "open_events"}).json()
    assert data["metric"] == "open_events" and data["metric_label"] == "未办结事件" and data["unit"] == "件"
    values = {f["properties"]["id"]: f["properties"]["value"] for f in data["features"]
              if f["properties"]["layer"] == "grid"}
    assert values == {tree.east1_grid1.pk: 2, tree.east1_grid2.pk: 0}
    # The grid worker's map carries only their grid.
    data = client_for(personas.grid_worker).get("/grid/map/geojson/", {"metric": "open_events"}).json()
    assert {f["properties"]["id"]: f["properties"]["value"] for f in data["features"]
            if f["properties"]["layer"] == "grid"} == {tree.east1_grid1.pk: 2}
    assert "按未办结事件着色" in c.get("/grid/map/").content.decode()


def test_grid_does_not_import_demands():
    root = Path(__file__).resolve().parents[1]
    for path in root.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "from demands" not in text and "import demands" not in text, path.name


def test_unit_update_saves_the_phone_with_its_blind_index(personas, gdata, tree):
    """Updates save only the fields they change; an encrypted phone goes with its keyed hash."""
    from core.crypto import blind_index
    from grid.models import GridUnit

    u = services.unit_create(actor=None, grid=tree.east1_grid1, kind="shop", name="便民超市",
                             contact_phone="13812345678")
    services.unit_update(actor=personas.secretary, unit=u, kind="shop", name="便民超市",
                         contact_phone="13987654321")
    u = GridUnit.objects.get(pk=u.pk)
    assert u.contact_phone == "13987654321"
    assert u.contact_phone_hash == blind_index("13987654321", purpose="mobile")
    services.unit_update(actor=personas.secretary, unit=u, kind="shop", name="便民超市", contact_phone="")
    u = GridUnit.objects.get(pk=u.pk)
    assert u.contact_phone == "" and not u.contact_phone_hash
