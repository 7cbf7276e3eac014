"""Places and people by hand: houses, households, residents and rental leases (issue 4, by-hand pages).

Who may do what (role matrix), what a worker sees after each action, and what bad input gets: a Chinese
message naming the field, and nothing saved half-way.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from audit.models import AuditEntry
from core.idnumber import synthetic_id_number
from grid import selectors, services
from grid.models import House, Household, RentalLease, Resident

pytestmark = pytest.mark.django_db

TODAY = date.today


@functools.cache
def _id(seed: int, born=date(1988, 5, 6), gender="F") -> str:
    return synthetic_id_number(birth_date=born, gender=gender)


def _errors(resp) -> dict:
    form = resp.context["form"]
    return {k: " ".join(v) for k, v in form.errors.items()}


def _resident_post(**kw) -> dict:
    data = {"name": "周九", "id_number": "", "phone": "", "kind": "registered", "relation": "spouse",
            "arrival_date": "", "permit_expiry": ""}
    data.update(kw)
    return data


# ---------------------------------------------------------------------------
# Role matrix
# ---------------------------------------------------------------------------

ALLOWED = ["district_admin", "street_staff", "secretary", "community_staff", "grid_worker", "superuser"]
OUTSIDE = ["other_grid_worker", "west_secretary"]      # a grid role, but not here: 404 like a missing record
NO_ACCESS = ["member", "liaison", "sysadmin", "auditor", "nobody"]  # no grid role at all: 403


def _write_urls(gdata, tree) -> list[str]:
    hh = gdata.households["g11"][0]
    rental = gdata.households["g11"][1].house
    r = gdata.residents["g11"][0]
    lease = services.lease_create(actor=None, house=rental, landlord_name="房东甲", start_date=TODAY(),
                                  end_date=TODAY() + timedelta(days=365))
    return [
        f"/grid/buildings/{tree.building.pk}/houses/new/",
        f"/grid/houses/{hh.house_id}/edit/",
        f"/grid/houses/{hh.house_id}/households/new/",
        f"/grid/houses/{rental.pk}/leases/new/",
        f"/grid/households/{hh.pk}/edit/",
        f"/grid/households/{hh.pk}/move-out/",
        f"/grid/households/{hh.pk}/residents/new/",
        f"/grid/residents/{r.pk}/edit/",
        f"/grid/residents/{r.pk}/leave/",
        f"/grid/leases/{lease.pk}/edit/",
        f"/grid/leases/{lease.pk}/end/",
    ]


@pytest.mark.parametrize("who", ALLOWED + OUTSIDE + NO_ACCESS)
def test_role_matrix_for_every_page(who, personas, gdata, tree, client_for):
    c = client_for(getattr(personas, who))
    hh = gdata.households["g11"][0]
    view_urls = [f"/grid/buildings/{tree.building.pk}/", f"/grid/houses/{hh.house_id}/"]
    expected = 200 if who in ALLOWED else 404 if who in OUTSIDE else 403
    for url in view_urls + _write_urls(gdata, tree):
        assert c.get(url).status_code == expected, (who, url)
    # A write attempt outside the scope changes nothing.
    before = Resident.objects.count()
    resp = c.post(f"/grid/households/{hh.pk}/residents/new/", _resident_post(name="越权"))
    if who in ALLOWED:
        assert resp.status_code == 302 and Resident.objects.count() == before + 1
    else:
        assert resp.status_code == expected and Resident.objects.count() == before


@pytest.mark.parametrize("who", OUTSIDE + NO_ACCESS)
def test_outsiders_cannot_restore_a_resident_or_edit_a_house(who, personas, gdata, tree, client_for):
    expected = 404 if who in OUTSIDE else 403
    li = gdata.residents["g11"][1]
    services.resident_leave(actor=None, resident=li, status="deceased", left_on=TODAY(), note="病故")
    house = gdata.households["g11"][0].house
    address = house.address
    entries = AuditEntry.objects.count()
    c = client_for(getattr(personas, who))
    assert c.post(f"/grid/residents/{li.pk}/restore/").status_code == expected
    resp = c.post(f"/grid/houses/{house.pk}/edit/", {"unit": "9", "number": "909", "use": "commercial", "area": "9"})
    assert resp.status_code == expected
    li.refresh_from_db()
    house.refresh_from_db()
    assert li.status == "deceased" and li.left_on == TODAY()
    assert (house.unit, house.number, house.use, house.area, house.address) == ("1", "101", "self", None, address)
    assert AuditEntry.objects.count() == entries


def test_one_function_and_one_audit_entry_per_creation(personas, gdata, tree):
    assert services.house_add is services.house_create
    assert services.household_add is services.household_create
    assert services.resident_add is services.resident_create
    actor = personas.grid_worker
    house = services.house_create(actor=actor, building=tree.building, unit="3", number="808", use="self",
                                  area="66")
    hh = services.household_create(actor=actor, house=house, head_name="冯十二", number="1")
    r = services.resident_create(actor=actor, household=hh, name="冯十二", id_number=_id(8), relation="head")
    for obj, kind in ((house, "grid.house"), (hh, "grid.household"), (r, "grid.resident")):
        entries = list(AuditEntry.objects.filter(object_type=kind, object_id=str(obj.pk)))
        assert [e.action for e in entries] == ["create"], kind
    assert AuditEntry.objects.get(object_type="grid.house", object_id=str(house.pk)).changes == {
        "address": [None, "阳光小区1号楼3单元808"], "use": [None, "self"], "area": [None, "66.00"]}
    assert house.address == services.house_address(tree.building, "3", "808")
    hh.refresh_from_db()
    assert hh.members == 1 and hh.head_name == "冯十二"
    # The checks of the by-hand pages hold for every caller: a registered ID number, a second house at the
    # same door, a number with HTML.
    with pytest.raises(ValidationError, match="已登记为居民“冯十二”"):
        services.resident_create(actor=actor, household=hh, name="冯十三", id_number=_id(8), relation="child")
    with pytest.raises(ValidationError, match="已登记"):
        services.house_create(actor=actor, building=tree.building, unit="3", number="808")
    with pytest.raises(ValidationError, match="不能包含"):
        services.house_create(actor=None, building=tree.building, unit="3", number="<b>9</b>")
    assert Resident.objects.filter(household=hh).count() == 1


def test_buttons_show_for_workers_in_their_grid_only(personas, gdata, tree, client_for):
    hh = gdata.households["g11"][0]
    worker = client_for(personas.grid_worker)
    profile = worker.get(f"/grid/{tree.east1_grid1.pk}/").content.decode()
    assert f"/grid/buildings/{tree.building.pk}/" in profile   # the building listing is reachable
    body = worker.get(f"/grid/households/{hh.pk}/").content.decode()
    assert "登记成员" in body and "整户迁出" in body and "修改户信息" in body
    body = worker.get(f"/grid/residents/{gdata.residents['g11'][0].pk}/").content.decode()
    assert "修改信息" in body and "迁出或死亡登记" in body
    assert "登记房屋" in worker.get(f"/grid/buildings/{tree.building.pk}/").content.decode()


def test_services_refuse_actors_outside_the_grid(personas, gdata, tree):
    hh = gdata.households["g11"][0]
    r = gdata.residents["g11"][0]
    for actor in (personas.other_grid_worker, personas.west_secretary, personas.member):
        with pytest.raises(ValidationError, match="没有"):
            services.resident_add(actor=actor, household=hh, name="越权")
        with pytest.raises(ValidationError, match="没有"):
            services.resident_update(actor=actor, resident=r, name="改名", kind="registered", relation="head")
        with pytest.raises(ValidationError, match="没有"):
            services.house_add(actor=actor, building=tree.building, number="999")
        with pytest.raises(ValidationError, match="没有"):
            services.household_move_out(actor=actor, household=hh, moved_out_on=TODAY(), reason="x")
    assert Resident.objects.filter(name__in=["越权", "改名"]).count() == 0


# ---------------------------------------------------------------------------
# Houses
# ---------------------------------------------------------------------------


def test_grid_worker_adds_and_edits_a_house(personas, gdata, tree, client_for):
    c = client_for(personas.grid_worker)
    resp = c.post(f"/grid/buildings/{tree.building.pk}/houses/new/",
                  {"unit": "2", "number": "502", "use": "rental", "area": "88.5"})
    assert resp.status_code == 302
    house = House.objects.get(building=tree.building, unit="2", number="502")
    assert house.address == "阳光小区1号楼2单元502" and house.grid_id == tree.east1_grid1.pk
    assert str(house.area) == "88.50"
    assert AuditEntry.objects.filter(object_type="grid.house", object_id=str(house.pk), actor=personas.grid_worker,
                                     action="create").exists()
    body = c.get(f"/grid/buildings/{tree.building.pk}/").content.decode()
    assert "2单元 502" in body and "出租" in body
    resp = c.post(f"/grid/houses/{house.pk}/edit/", {"unit": "2", "number": "503", "use": "self", "area": ""})
    assert resp.status_code == 302
    house.refresh_from_db()
    assert house.address == "阳光小区1号楼2单元503" and house.use == "self" and house.area is None
    entry = AuditEntry.objects.filter(object_type="grid.house", object_id=str(house.pk),
                                      action="update").order_by("pk").last()
    assert entry.changes["number"] == ["502", "503"] and entry.actor == personas.grid_worker


@pytest.mark.parametrize("data,field,message", [
    ({"number": ""}, "number", "请填写门牌（室号）"),
    ({"number": "<b>1</b>"}, "number", "门牌（室号）不能包含 < 或 > 符号"),
    ({"number": "1" * 21}, "number", "门牌（室号）不能超过 20 个字"),
    ({"area": "-5"}, "area", "面积（㎡）不能小于"),
    ({"area": "abc"}, "area", "面积（㎡）格式不正确"),
    ({"area": "1000000"}, "area", "面积"),
    ({"use": "palace"}, "use", "房屋用途的选项不正确"),
    ({"unit": "1", "number": "101"}, "number", "已登记"),
])
def test_house_bad_input_names_the_field(data, field, message, personas, gdata, tree, client_for):
    c = client_for(personas.grid_worker)
    before = (House.objects.count(), AuditEntry.objects.count())
    post = {"unit": "3", "number": "601", "use": "self", "area": ""}
    post.update(data)
    resp = c.post(f"/grid/buildings/{tree.building.pk}/houses/new/", post)
    assert resp.status_code == 200
    assert message in _errors(resp)[field]
    assert (House.objects.count(), AuditEntry.objects.count()) == before


def test_house_use_cannot_contradict_leases_or_households(personas, gdata, tree):
    rental = gdata.households["g11"][1].house
    services.lease_create(actor=personas.grid_worker, house=rental, landlord_name="房东甲", start_date=TODAY(),
                          end_date=TODAY() + timedelta(days=30))
    with pytest.raises(ValidationError) as e:
        services.house_update(actor=personas.grid_worker, house=rental, unit="1", number="201", use="self")
    assert "请先办理退租" in e.value.message_dict["use"][0]
    own = gdata.households["g11"][0].house
    with pytest.raises(ValidationError) as e:
        services.house_update(actor=personas.grid_worker, house=own, unit="1", number="101", use="vacant")
    assert "1 户在住" in e.value.message_dict["use"][0]


# ---------------------------------------------------------------------------
# Households
# ---------------------------------------------------------------------------


def test_household_added_with_its_head(personas, gdata, tree, client_for):
    """One form: the household and its head resident are saved together (never an empty household)."""
    c = client_for(personas.community_staff)
    house = gdata.households["g11"][0].house
    resp = c.post(f"/grid/houses/{house.pk}/households/new/",
                  {"head_name": "吴十", "number": "2", "kind": "registered"})
    hh = Household.objects.get(house=house, head_name="吴十")
    assert resp.status_code == 302 and resp["Location"] == f"/grid/households/{hh.pk}/"
    assert hh.members == 1 and hh.residents.get().relation == "head"
    resp = c.post(f"/grid/houses/{house.pk}/households/new/",
                  {"head_name": "郑十一", "number": "2", "kind": "registered"})
    assert "户号为“2”" in _errors(resp)["number"]
    resp = c.post(f"/grid/houses/{house.pk}/households/new/", {"head_name": "<b>x</b>", "kind": "registered"})
    assert "不能包含" in _errors(resp)["head_name"]
    assert Household.objects.filter(house=house).count() == 2  # 张三's and 吴十's, nothing half-saved


def test_household_on_vacant_house_is_refused(personas, gdata, tree, client_for):
    vacant = services.house_add(actor=personas.secretary, building=tree.building, number="701", use="vacant")
    c = client_for(personas.secretary)
    resp = c.post(f"/grid/houses/{vacant.pk}/households/new/", {"head_name": "吴十"})
    assert "空置" in " ".join(resp.context["form"].non_field_errors())
    assert not Household.objects.filter(house=vacant).exists()


def test_edit_head_by_choosing_a_member(personas, gdata, client_for):
    hh = gdata.households["g11"][0]
    head = gdata.residents["g11"][0]
    wife = services.resident_add(actor=personas.grid_worker, household=hh, name="张妻", relation="spouse",
                                 id_number=_id(1))
    c = client_for(personas.grid_worker)
    resp = c.post(f"/grid/households/{hh.pk}/edit/", {"head": wife.pk, "head_name": "", "number": "A1"})
    assert resp.status_code == 302
    hh.refresh_from_db()
    wife.refresh_from_db()
    head.refresh_from_db()
    assert hh.head_name == "张妻" and hh.number == "A1"
    assert wife.relation == "head" and head.relation == "other"
    msgs = [str(m) for m in c.get(f"/grid/households/{hh.pk}/").context["messages"]]
    assert any("原户主 张三" in m for m in msgs)
    resp = c.post(f"/grid/households/{hh.pk}/edit/", {"head": "", "head_name": "", "number": ""})
    assert "请选择户主或填写户主姓名" in _errors(resp)["head_name"]
    # A member of another household cannot be chosen.
    other = gdata.residents["g11"][2]
    resp = c.post(f"/grid/households/{hh.pk}/edit/", {"head": other.pk, "head_name": "", "number": ""})
    assert "head" in _errors(resp)


def test_household_moves_out_keeping_history(personas, gdata, tree, client_for):
    hh = gdata.households["g11"][0]
    services.resident_add(actor=personas.grid_worker, household=hh, name="张子", relation="child")
    grid = tree.east1_grid1
    before = selectors.grid_stats(grid)
    c = client_for(personas.grid_worker)
    resp = c.post(f"/grid/households/{hh.pk}/move-out/", {"moved_out_on": "", "reason": ""})
    errs = _errors(resp)
    assert "请填写迁出日期" in errs["moved_out_on"] and "请填写迁出说明" in errs["reason"]
    future = (TODAY() + timedelta(days=3)).isoformat()
    resp = c.post(f"/grid/households/{hh.pk}/move-out/", {"moved_out_on": future, "reason": "搬家"})
    assert "迁出日期不能晚于今天" in _errors(resp)["moved_out_on"]
    resp = c.post(f"/grid/households/{hh.pk}/move-out/", {"moved_out_on": TODAY().isoformat(), "reason": "迁往外地"})
    assert resp.status_code == 302 and resp["Location"] == f"/grid/houses/{hh.house_id}/"
    hh.refresh_from_db()
    assert hh.status == "moved_out" and hh.moved_out_on == TODAY() and hh.members == 0
    assert set(Resident.objects.filter(household=hh).values_list("status", flat=True)) == {"moved_out"}
    after = selectors.grid_stats(grid)
    assert after["residents"] == before["residents"] - 2 and after["households"] == before["households"] - 1
    assert hh not in selectors.today_plan(grid)
    # History stays visible, read-only.
    body = c.get(f"/grid/households/{hh.pk}/").content.decode()
    assert "已迁出" in body and "迁往外地" in body and "登记成员" not in body
    assert "已迁出" in c.get(f"/grid/houses/{hh.house_id}/").content.decode()
    resp = c.get(f"/grid/households/{hh.pk}/edit/")
    assert resp.status_code == 302
    with pytest.raises(ValidationError, match="迁出"):
        services.resident_add(actor=personas.grid_worker, household=hh, name="再来")
    assert AuditEntry.objects.filter(object_type="grid.household", object_id=str(hh.pk), action="transition",
                                     actor=personas.grid_worker).exists()
    assert AuditEntry.objects.filter(object_type="grid.resident", action="transition").count() == 2


# ---------------------------------------------------------------------------
# Residents
# ---------------------------------------------------------------------------


def test_add_resident_encrypts_id_and_derives_birth_date(personas, gdata, client_for):
    hh = gdata.households["g11"][0]
    idn = _id(2, born=date(1990, 2, 3), gender="F")
    c = client_for(personas.grid_worker)
    resp = c.post(f"/grid/households/{hh.pk}/residents/new/", _resident_post(
        name="周九", id_number=idn, phone="139 0013 9000", care_tags=["disabled", "dibao"]))
    assert resp.status_code == 302
    r = Resident.objects.get(name="周九")
    assert r.id_number == idn and r.birth_date == date(1990, 2, 3) and r.gender == "F"
    assert r.phone == "13900139000" and r.care_labels == ["残疾人", "低保"]
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, phone FROM grid_resident WHERE id = %s", [r.pk])
        raw_id, raw_phone = cur.fetchone()
    assert idn not in raw_id and "13900139000" not in raw_phone
    hh.refresh_from_db()
    assert hh.members == 2 and hh.is_care
    entry = AuditEntry.objects.get(object_type="grid.resident", object_id=str(r.pk), action="create")
    assert entry.actor == personas.grid_worker and idn not in str(entry.changes)
    # The household page lists the new member with the ID masked.
    body = c.get(f"/grid/households/{hh.pk}/").content.decode()
    assert "周九" in body and idn not in body


@pytest.mark.parametrize("data,field,message", [
    ({"name": ""}, "name", "请填写姓名"),
    ({"name": "<script>x</script>"}, "name", "姓名不能包含 < 或 > 符号"),
    ({"id_number": "12345"}, "id_number", "身份证号长度不正确"),
    ({"id_number": "BAD"}, "id_number", "身份证号"),
    ({"phone": "12345"}, "phone", "手机号格式不正确"),
    ({"kind": "alien"}, "kind", "人口类型的选项不正确"),
    ({"relation": ""}, "relation", "请填写与户主关系"),
    ({"relation": "head"}, "relation", "本户已有户主“张三”"),
    ({"care_tags": ["vip"]}, "care_tags", "关爱标签的选项不正确"),
    ({"kind": "floating"}, "arrival_date", "流动人口须填写来本地日期"),
    ({"kind": "floating", "arrival_date": "2099-01-01"}, "arrival_date", "来本地日期不能晚于今天"),
    ({"kind": "floating", "arrival_date": "2024-05-01", "permit_expiry": "2024-04-01"}, "permit_expiry",
     "居住证到期日不能早于来本地日期"),
    ({"kind": "floating", "arrival_date": "2024-05-01", "permit_expiry": "2099-01-01"}, "permit_expiry", "年后"),
    ({"kind": "floating", "arrival_date": "not-a-date"}, "arrival_date", "来本地日期格式不正确"),
])
def test_resident_bad_input_names_the_field(data, field, message, personas, gdata, client_for):
    hh = gdata.households["g11"][0]
    c = client_for(personas.grid_worker)
    before = (Resident.objects.count(), AuditEntry.objects.count())
    resp = c.post(f"/grid/households/{hh.pk}/residents/new/", _resident_post(**data))
    assert resp.status_code == 200
    assert message in _errors(resp)[field]
    assert (Resident.objects.count(), AuditEntry.objects.count()) == before


def test_bad_checksum_id_number_is_refused(personas, gdata, client_for):
    idn = _id(3)
    wrong = idn[:-1] + ("0" if idn[-1] != "0" else "1")
    resp = client_for(personas.grid_worker).post(
        f"/grid/households/{gdata.households['g11'][0].pk}/residents/new/", _resident_post(id_number=wrong))
    assert "校验位错误" in _errors(resp)["id_number"]


def test_duplicate_id_names_the_household_only_when_visible(personas, gdata, client_for):
    zhang = gdata.residents["g11"][0]
    idn = gdata.id_numbers["张三"]
    # The grid worker of 网格1 sees 张三: the message says where he lives.
    resp = client_for(personas.grid_worker).post(
        f"/grid/households/{gdata.households['g11'][2].pk}/residents/new/", _resident_post(id_number=idn))
    msg = _errors(resp)["id_number"]
    assert "张三" in msg and zhang.household.house.address in msg
    # The worker of 网格2 does not: told it exists elsewhere, without name or address.
    resp = client_for(personas.other_grid_worker).post(
        f"/grid/households/{gdata.households['g12'][0].pk}/residents/new/", _resident_post(id_number=idn))
    msg = _errors(resp)["id_number"]
    assert "其他网格" in msg and "张三" not in msg and "阳光小区" not in msg
    # A lower-case x and spaces are the same number (赵六's ends in X).
    idn = gdata.id_numbers["赵六"]
    assert idn.endswith("X")
    typed = f"{idn[:6]} {idn[6:14]} {idn[14:].lower()}"
    resp = client_for(personas.other_grid_worker).post(
        f"/grid/households/{gdata.households['g12'][1].pk}/residents/new/", _resident_post(id_number=typed))
    assert "赵六" in _errors(resp)["id_number"]
    assert Resident.objects.filter(id_number_hash=zhang.id_number_hash).count() == 1


def test_edit_resident_keeps_or_replaces_id_and_phone(personas, gdata, client_for):
    r = gdata.residents["g11"][1]   # 李四, floating, tenant of the rental house
    old_id = r.id_number
    c = client_for(personas.grid_worker)
    form = c.get(f"/grid/residents/{r.pk}/edit/").context["form"]
    assert old_id not in str(form) and "留空表示不修改" in str(form)   # the full number is never sent
    resp = c.post(f"/grid/residents/{r.pk}/edit/", _resident_post(
        name="李四", kind="floating", relation="head", arrival_date="2025-01-01", permit_expiry="2027-01-01",
        phone="13700137000", care_tags=["hardship"]))
    assert resp.status_code == 302, _errors(resp)
    r.refresh_from_db()
    assert r.id_number == old_id and r.phone == "13700137000" and r.permit_expiry == date(2027, 1, 1)
    assert r.care_labels == ["困难群众"]
    entry = AuditEntry.objects.filter(object_type="grid.resident", object_id=str(r.pk),
                                      action="update").order_by("pk").last()
    assert "phone" in entry.changes and "13700137000" not in str(entry.changes)
    assert "id_number" not in entry.changes
    # Becoming registered drops the floating-only dates; a new ID number replaces the old one.
    new_id = _id(4, born=date(1979, 1, 1), gender="M")
    resp = c.post(f"/grid/residents/{r.pk}/edit/", _resident_post(
        name="李四", kind="registered", relation="head", id_number=new_id, arrival_date="2025-01-01"))
    assert resp.status_code == 302
    r.refresh_from_db()
    assert r.kind == "registered" and r.arrival_date is None and r.permit_expiry is None
    assert r.id_number == new_id and r.birth_date == date(1979, 1, 1) and r.gender == "M"
    # A duplicate of someone else is refused on edit too.
    resp = c.post(f"/grid/residents/{r.pk}/edit/", _resident_post(
        name="李四", relation="head", id_number=gdata.id_numbers["王五"]))
    assert "王五" in _errors(resp)["id_number"]


def test_resident_moves_out_or_dies_and_can_be_restored(personas, gdata, tree, client_for):
    hh = gdata.households["g11"][1]
    li = gdata.residents["g11"][1]   # floating, permit expiring today
    grid = tree.east1_grid1
    assert li in selectors.expiring_permits(personas.grid_worker, 30)
    residents = selectors.grid_stats(grid)["residents"]
    c = client_for(personas.grid_worker)
    resp = c.post(f"/grid/residents/{li.pk}/leave/", {"status": "deceased", "left_on": "1900-01-01", "note": ""})
    assert "死亡日期不能早于出生日期" in _errors(resp)["left_on"]
    resp = c.post(f"/grid/residents/{li.pk}/leave/", {"status": "gone", "left_on": TODAY().isoformat()})
    assert "变动类型的选项不正确" in _errors(resp)["status"]
    resp = c.post(f"/grid/residents/{li.pk}/leave/", {"status": "deceased", "left_on": TODAY().isoformat(),
                                                      "note": "病故"})
    assert resp.status_code == 302
    li.refresh_from_db()
    hh.refresh_from_db()
    assert li.status == "deceased" and li.left_on == TODAY() and li.status_note == "病故"
    assert hh.members == 0
    assert selectors.grid_stats(grid)["residents"] == residents - 1
    assert li not in selectors.expiring_permits(personas.grid_worker, 30)
    msgs = [str(m) for m in c.get(f"/grid/households/{hh.pk}/").context["messages"]]
    assert any("已无在住成员" in m for m in msgs)
    body = c.get(f"/grid/residents/{li.pk}/").content.decode()
    assert "已故" in body and "病故" in body and "修改信息" not in body
    assert c.get(f"/grid/residents/{li.pk}/edit/").status_code == 302
    with pytest.raises(ValidationError, match="仅供查阅"):
        services.resident_update(actor=personas.grid_worker, resident=li, name="李四", kind="registered")
    # The record is still found by search (history), and can be restored after a mistake.
    assert li.pk in [r.pk for r in selectors.resident_search(personas.grid_worker, q="李四")]
    assert c.get(f"/grid/residents/{li.pk}/restore/").status_code == 405
    resp = c.post(f"/grid/residents/{li.pk}/restore/")
    li.refresh_from_db()
    assert resp.status_code == 302 and li.status == "active" and li.left_on is None
    assert Household.objects.get(pk=hh.pk).members == 1
    actions = list(AuditEntry.objects.filter(object_type="grid.resident", object_id=str(li.pk))
                   .values_list("action", flat=True))
    assert actions.count("transition") == 2


def test_head_leaving_asks_for_a_new_head(personas, gdata, client_for):
    hh = gdata.households["g11"][0]
    services.resident_add(actor=personas.grid_worker, household=hh, name="张子", relation="child")
    c = client_for(personas.grid_worker)
    c.post(f"/grid/residents/{gdata.residents['g11'][0].pk}/leave/",
           {"status": "moved_out", "left_on": TODAY().isoformat(), "note": "去养老院"})
    msgs = [str(m) for m in c.get(f"/grid/households/{hh.pk}/").context["messages"]]
    assert any("指定新的户主" in m for m in msgs)
    hh.refresh_from_db()
    assert hh.members == 1 and not hh.is_care   # the care tag left with 张三


# ---------------------------------------------------------------------------
# Rental leases
# ---------------------------------------------------------------------------


def _lease_post(**kw) -> dict:
    start = TODAY() - timedelta(days=10)
    data = {"landlord_name": "房东甲", "landlord_phone": "13600136000", "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=365)).isoformat()}
    data.update(kw)
    return data


def test_lease_added_listed_edited_and_ended(personas, gdata, client_for):
    hh = gdata.households["g11"][1]
    house = hh.house
    tenant = gdata.residents["g11"][1]
    c = client_for(personas.grid_worker)
    resp = c.post(f"/grid/houses/{house.pk}/leases/new/", _lease_post(tenants=[tenant.pk]))
    assert resp.status_code == 302
    lease = RentalLease.objects.get(house=house)
    assert lease.landlord_phone == "13600136000" and list(lease.tenants.all()) == [tenant]
    with connection.cursor() as cur:
        cur.execute("SELECT landlord_phone FROM grid_rentallease WHERE id = %s", [lease.pk])
        assert "13600136000" not in cur.fetchone()[0]
    for url in (f"/grid/houses/{house.pk}/", f"/grid/households/{hh.pk}/"):
        body = c.get(url).content.decode()
        assert "房东 房东甲" in body and "生效中" in body and "李四" in body, url
    # Edit: the phone is kept when left empty.
    resp = c.post(f"/grid/leases/{lease.pk}/edit/", _lease_post(landlord_name="房东乙", landlord_phone="",
                                                                 tenants=[]))
    assert resp.status_code == 302
    lease.refresh_from_db()
    assert lease.landlord_name == "房东乙" and lease.landlord_phone == "13600136000"
    assert lease.tenants.count() == 0
    # End: not before the start, not in the future.
    resp = c.post(f"/grid/leases/{lease.pk}/end/", {"ended_on": (lease.start_date - timedelta(days=1)).isoformat()})
    assert "退租日期不能早于起租日" in _errors(resp)["ended_on"]
    resp = c.post(f"/grid/leases/{lease.pk}/end/", {"ended_on": (TODAY() + timedelta(days=1)).isoformat()})
    assert "退租日期不能晚于今天" in _errors(resp)["ended_on"]
    resp = c.post(f"/grid/leases/{lease.pk}/end/", {"ended_on": TODAY().isoformat()})
    assert resp.status_code == 302
    lease.refresh_from_db()
    assert lease.ended_on == TODAY()
    assert "已退租" in c.get(f"/grid/houses/{house.pk}/").content.decode()
    assert c.get(f"/grid/leases/{lease.pk}/edit/").status_code == 302   # read-only now
    # After the end a new lease may start, overlapping the old dates.
    resp = c.post(f"/grid/houses/{house.pk}/leases/new/", _lease_post(landlord_name="房东丙"))
    assert resp.status_code == 302
    actions = set(AuditEntry.objects.filter(object_type="grid.rentallease").values_list("action", flat=True))
    assert actions == {"create", "update", "transition"}
    assert "13600136000" not in str(list(AuditEntry.objects.filter(object_type="grid.rentallease")
                                         .values_list("changes", flat=True)))


@pytest.mark.parametrize("data,field,message", [
    ({"landlord_name": ""}, "landlord_name", "请填写房东姓名"),
    ({"landlord_name": "<img src=x>"}, "landlord_name", "不能包含"),
    ({"landlord_phone": "555"}, "landlord_phone", "房东电话"),
    ({"start_date": ""}, "start_date", "请填写起租日"),
    ({"end_date": "2020-01-01"}, "end_date", "到期日须晚于起租日"),
    ({"end_date": "2080-01-01"}, "end_date", "租期不能超过 20 年"),
    ({"start_date": "2026-13-01"}, "start_date", "起租日格式不正确"),
])
def test_lease_bad_input_names_the_field(data, field, message, personas, gdata, client_for):
    house = gdata.households["g11"][1].house
    before = (RentalLease.objects.count(), AuditEntry.objects.count())
    resp = client_for(personas.grid_worker).post(f"/grid/houses/{house.pk}/leases/new/", _lease_post(**data))
    assert resp.status_code == 200
    assert message in _errors(resp)[field]
    assert (RentalLease.objects.count(), AuditEntry.objects.count()) == before


def test_lease_rules_overlap_rental_only_tenants_of_the_house(personas, gdata, client_for):
    rental = gdata.households["g11"][1].house
    c = client_for(personas.secretary)
    assert c.post(f"/grid/houses/{rental.pk}/leases/new/", _lease_post()).status_code == 302
    resp = c.post(f"/grid/houses/{rental.pk}/leases/new/", _lease_post(
        start_date=(TODAY() + timedelta(days=100)).isoformat(), end_date=(TODAY() + timedelta(days=500)).isoformat()))
    assert "时间重叠" in _errors(resp)["start_date"]
    # A resident of another house is not offered, and is refused by the service too.
    stranger = gdata.residents["g11"][0]
    resp = c.post(f"/grid/houses/{rental.pk}/leases/new/", _lease_post(
        start_date="2010-01-01", end_date="2011-01-01", tenants=[stranger.pk]))
    assert "tenants" in _errors(resp)
    with pytest.raises(ValidationError) as e:
        services.lease_create(actor=personas.secretary, house=rental, landlord_name="甲", tenants=[stranger],
                              start_date=date(2010, 1, 1), end_date=date(2011, 1, 1))
    assert "张三 不是" in e.value.message_dict["tenants"][0]
    # Only rental houses take leases.
    own = gdata.households["g11"][0].house
    resp = c.get(f"/grid/houses/{own.pk}/leases/new/")
    assert resp.status_code == 302
    with pytest.raises(ValidationError, match="只有出租房屋"):
        services.lease_create(actor=personas.secretary, house=own, landlord_name="甲", start_date=TODAY(),
                              end_date=TODAY() + timedelta(days=9))


def test_counts_on_profile_follow_active_people(personas, gdata, tree, client_for):
    """The grid profile and list count only people still living there."""
    c = client_for(personas.secretary)
    n = c.get(f"/grid/{tree.east1_grid1.pk}/").context["stats"]["residents"]
    services.resident_leave(actor=personas.secretary, resident=gdata.residents["g11"][2], status="moved_out",
                            left_on=timezone.localdate())
    assert c.get(f"/grid/{tree.east1_grid1.pk}/").context["stats"]["residents"] == n - 1
    rows = {r.grid.pk: r for r in c.get(f"/grid/?region={tree.east1.pk}").context["rows"]}
    assert rows[tree.east1_grid1.pk].residents == n - 1
