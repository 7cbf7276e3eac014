"""登记住户 registers the household and its head together: one page, one transaction, never an empty household.

Each bad field gets a Chinese message naming it, every bad field at once, and nothing is saved half-way.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEntry
from core.idnumber import synthetic_id_number
from grid import services
from grid.models import Household, Resident

pytestmark = pytest.mark.django_db


@functools.cache
def _id(seed: int, born=date(1980, 2, 3), gender="M") -> str:
    return synthetic_id_number(birth_date=born, gender=gender)


def _bad_check_digit(idn: str) -> str:
    return idn[:-1] + ("0" if idn[-1] != "0" else "1")


def _errors(resp) -> dict:
    return {k: " ".join(v) for k, v in resp.context["form"].errors.items()}


def _post(**kw) -> dict:
    data = {"head_name": "吴十", "id_number": _id(21), "phone": "13900139021", "kind": "registered",
            "care_tags": ["hardship"], "arrival_date": "", "permit_expiry": "", "number": "2"}
    data.update(kw)
    return data


def _counts():
    return Household.objects.count(), Resident.objects.count(), AuditEntry.objects.count()


def test_the_page_asks_for_the_head_with_the_household(personas, gdata, client_for):
    house = gdata.households["g11"][0].house
    resp = client_for(personas.grid_worker).get(f"/grid/houses/{house.pk}/households/new/")
    body = resp.content.decode()
    assert resp.status_code == 200
    for field in ("head_name", "id_number", "phone", "kind", "care_tags", "arrival_date", "permit_expiry", "number"):
        assert field in resp.context["form"].fields, field
    assert 'id="head-fields"' in body and 'id="household-fields"' in body
    assert "保存时同时登记住户和户主" in body and "保存并登记其他成员" in body
    assert "relation" not in resp.context["form"].fields   # the head is 户主 by definition


def test_household_and_head_saved_together_with_one_audit_entry_each(personas, gdata, client_for):
    house = gdata.households["g11"][0].house
    idn = _id(21)
    c = client_for(personas.community_staff)
    resp = c.post(f"/grid/houses/{house.pk}/households/new/", _post(id_number=f"{idn[:6]} {idn[6:14]} {idn[14:]}"))
    hh = Household.objects.get(house=house, head_name="吴十")
    assert resp.status_code == 302 and resp["Location"] == f"/grid/households/{hh.pk}/"
    head = Resident.objects.get(household=hh)
    assert (head.name, head.relation, head.id_number, head.phone, head.kind, head.care_labels, head.grid_id) == (
        "吴十", "head", idn, "13900139021", "registered", ["困难群众"], hh.grid_id)
    assert head.birth_date == date(1980, 2, 3) and head.gender == "M"
    assert hh.number == "2" and hh.members == 1 and hh.is_care and hh.status == "active"
    hh_entries = AuditEntry.objects.filter(object_type="grid.household", object_id=str(hh.pk))
    r_entries = AuditEntry.objects.filter(object_type="grid.resident", object_id=str(head.pk))
    assert [e.action for e in hh_entries] == ["create"] and [e.action for e in r_entries] == ["create"]
    assert hh_entries[0].actor == personas.community_staff and r_entries[0].actor == personas.community_staff
    assert hh_entries[0].changes == {"head_name": [None, "吴十"], "number": [None, "2"]}
    assert idn not in str(r_entries[0].changes)
    # The household page lists the head; the house page lists the household with its member.
    body = c.get(f"/grid/households/{hh.pk}/").content.decode()
    assert "已登记住户（户主 吴十）" in body and "吴十" in body and "户主" in body and idn not in body
    assert "吴十" in c.get(f"/grid/houses/{house.pk}/").content.decode()


def test_save_and_add_more_members_goes_to_the_member_form(personas, gdata, client_for):
    house = gdata.households["g11"][0].house
    c = client_for(personas.grid_worker)
    resp = c.post(f"/grid/houses/{house.pk}/households/new/", {**_post(id_number="", phone="", care_tags=[]),
                                                                "another": "1"})
    hh = Household.objects.get(house=house, head_name="吴十")
    assert resp.status_code == 302 and resp["Location"] == f"/grid/households/{hh.pk}/residents/new/"
    form = c.get(resp["Location"]).context["form"]
    assert form.fields["relation"].choices[0] == ("", "请选择")   # the head exists: the next one chooses
    assert hh.members == 1 and not hh.is_care


def test_a_floating_head_with_dates(personas, gdata, client_for):
    house = gdata.households["g11"][1].house   # rental
    resp = client_for(personas.grid_worker).post(f"/grid/houses/{house.pk}/households/new/", _post(
        kind="floating", arrival_date="2025-03-01", permit_expiry="2027-03-01", number=""))
    assert resp.status_code == 302, _errors(resp)
    head = Resident.objects.get(name="吴十")
    assert head.kind == "floating" and head.arrival_date == date(2025, 3, 1) and head.permit_expiry == date(2027, 3, 1)


@pytest.mark.parametrize("data,field,message", [
    ({"head_name": ""}, "head_name", "请填写户主姓名"),
    ({"head_name": "<b>吴</b>"}, "head_name", "户主姓名不能包含 < 或 > 符号"),
    ({"head_name": "吴" * 51}, "head_name", "户主姓名不能超过 50 个字"),
    ({"id_number": _bad_check_digit(_id(21))}, "id_number", "校验位错误"),
    ({"id_number": "12345"}, "id_number", "身份证号长度不正确"),
    ({"phone": "12345"}, "phone", "手机号格式不正确"),
    ({"kind": "alien"}, "kind", "人口类型的选项不正确"),
    ({"kind": ""}, "kind", "请填写人口类型"),
    ({"care_tags": ["vip"]}, "care_tags", "关爱标签的选项不正确"),
    ({"kind": "floating"}, "arrival_date", "流动人口须填写来本地日期"),
    ({"kind": "floating", "arrival_date": "2099-01-01"}, "arrival_date", "来本地日期不能晚于今天"),
    ({"kind": "floating", "arrival_date": "1970-01-01"}, "arrival_date", "来本地日期不能早于出生日期"),
    ({"kind": "floating", "arrival_date": "2025-05-01", "permit_expiry": "2025-04-01"}, "permit_expiry",
     "居住证到期日不能早于来本地日期"),
    ({"kind": "floating", "arrival_date": "2025-13-01"}, "arrival_date", "来本地日期格式不正确"),
    ({"number": "<i>2</i>"}, "number", "户号不能包含 < 或 > 符号"),
])
def test_bad_input_names_the_field_and_saves_nothing(data, field, message, personas, gdata, client_for):
    house = gdata.households["g11"][0].house
    before = _counts()
    resp = client_for(personas.grid_worker).post(f"/grid/houses/{house.pk}/households/new/", _post(**data))
    assert resp.status_code == 200
    assert message in _errors(resp)[field]
    assert _counts() == before


def test_duplicates_are_refused_and_every_bad_field_reported_at_once(personas, gdata, client_for):
    house = gdata.households["g11"][0].house
    c = client_for(personas.grid_worker)
    assert c.post(f"/grid/houses/{house.pk}/households/new/", _post()).status_code == 302
    before = _counts()
    # The same 户号 among the house's active households, 张三's ID number, HTML in the name: all three at once.
    resp = c.post(f"/grid/houses/{house.pk}/households/new/", _post(
        head_name="<script>x</script>", id_number=gdata.id_numbers["张三"], number="2"))
    errs = _errors(resp)
    assert "户号为“2”" in errs["number"]
    assert "不能包含" in errs["head_name"]
    assert "已登记为居民“张三”" in errs["id_number"]
    assert _counts() == before
    # Only the service's verdict left (the ID number): still nothing saved, the field marked.
    resp = c.post(f"/grid/houses/{house.pk}/households/new/", _post(
        head_name="郑十一", id_number=gdata.id_numbers["张三"], number="3"))
    assert set(_errors(resp)) == {"id_number"}
    assert "is-invalid" in resp.context["form"].fields["id_number"].widget.attrs["class"]
    assert _counts() == before
    # Another grid's worker is told the number exists elsewhere, without name or address.
    other_house = gdata.households["g12"][0].house
    resp = client_for(personas.other_grid_worker).post(
        f"/grid/houses/{other_house.pk}/households/new/", _post(id_number=gdata.id_numbers["张三"], number="9"))
    msg = _errors(resp)["id_number"]
    assert "其他网格" in msg and "张三" not in msg
    assert _counts() == before


def test_vacant_house_takes_no_household(personas, gdata, tree, client_for):
    vacant = services.house_create(actor=personas.secretary, building=tree.building, number="701", use="vacant")
    c = client_for(personas.secretary)
    resp = c.get(f"/grid/houses/{vacant.pk}/households/new/")
    assert resp.status_code == 302 and resp["Location"] == f"/grid/houses/{vacant.pk}/"
    msgs = [str(m) for m in c.get(resp["Location"]).context["messages"]]
    assert any("空置" in m for m in msgs)
    before = _counts()
    resp = c.post(f"/grid/houses/{vacant.pk}/households/new/", _post())
    assert "空置" in " ".join(resp.context["form"].non_field_errors())
    assert _counts() == before


def test_service_writes_both_or_nothing(personas, gdata, monkeypatch):
    house = gdata.households["g11"][0].house
    head = {"id_number": _id(31), "phone": " 139 0013 9031 ", "kind": "registered", "care_tags": [],
            "arrival_date": None, "permit_expiry": None}
    before = _counts()
    with pytest.raises(ValidationError) as e:
        services.household_create(actor=personas.grid_worker, house=house, head_name="冯十二",
                                  head={**head, "id_number": _bad_check_digit(_id(31)), "kind": "floating",
                                        "arrival_date": timezone.localdate() + timedelta(days=1)})
    assert set(e.value.message_dict) == {"id_number", "arrival_date"}
    with pytest.raises(TypeError):
        services.household_create(actor=personas.grid_worker, house=house, head_name="冯十二",
                                  head={**head, "relation": "child"})
    with pytest.raises(ValidationError, match="没有"):
        services.household_create(actor=personas.other_grid_worker, house=house, head_name="冯十二", head=head)
    assert _counts() == before

    # A failure while the head is written (after the household row) rolls the household back too.
    real = services.resident_create

    def failing(**kwargs):
        real(**kwargs)
        raise ValidationError("写入户主时出错")

    monkeypatch.setattr("grid.services.households.resident_create", failing)
    with pytest.raises(ValidationError, match="写入户主时出错"):
        services.household_create(actor=personas.grid_worker, house=house, head_name="冯十二", head=head)
    assert _counts() == before
    monkeypatch.undo()

    hh = services.household_create(actor=personas.grid_worker, house=house, head_name=" 冯十二 ", head=head)
    assert hh.head.name == "冯十二" and hh.head.phone == "13900139031" and hh.head.relation == "head"
    assert hh.members == 1 and hh.head_name == "冯十二"
    assert Household.objects.filter(pk=hh.pk, members=1).exists()
    assert _counts()[:2] == (before[0] + 1, before[1] + 1) and _counts()[2] == before[2] + 2
