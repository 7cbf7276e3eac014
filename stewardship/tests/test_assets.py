"""Premises against the 400 m² minimum and 一厅一校四室; the asset ledger, the yearly inventory with its
differences, disposal with approval, venue loans to resident units."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cobuild.models import ResidentUnit, UnitKind
from stewardship import selectors, services
from stewardship.models import Asset, AssetStatus, CountResult, InventoryLine, RoomFunction

pytestmark = pytest.mark.django_db


def _asset(actor, region, code, name="台式电脑", value="4800"):
    return services.asset_create(actor=actor, region=region, code=code, name=name, category="computer",
                                 value=value, acquired_on=date(2022, 5, 10), location="办公室", custodian="李会计")


def test_premises_compliance_against_the_minimum_and_the_six_rooms(tree, personas):
    p = services.premises_create(actor=personas.secretary, region=tree.east1, name="东一社区党群服务中心",
                                 ownership="owned", area_m2="380", built_year=2015)
    st = selectors.premises_statuses([tree.east1])[0]
    assert not st.compliant and st.area_short == Decimal("20") and len(st.missing) == 6
    for f in [RoomFunction.SERVICE_HALL, RoomFunction.CITIZEN_SCHOOL, RoomFunction.E_CLASSROOM,
              RoomFunction.READING, RoomFunction.ACTIVITY, RoomFunction.POLICE]:
        services.room_add(actor=personas.secretary, premises=p, function=f, name="", area_m2="40")
    with pytest.raises(ValidationError, match="超过场所建筑面积"):
        services.room_add(actor=personas.secretary, premises=p, function="office", name="办公室", area_m2="200")
    services.premises_create(actor=personas.secretary, region=tree.east1, name="党员活动室（租赁）",
                             ownership="rented", area_m2="60")
    st = selectors.premises_statuses([tree.east1])[0]
    assert st.compliant and st.area == Decimal("440")
    with pytest.raises(ValidationError, match="建筑面积应大于 0"):
        services.premises_create(actor=personas.secretary, region=tree.east1, name="x", ownership="owned", area_m2="0")
    with pytest.raises(ValidationError, match="没有登记场所"):
        services.premises_create(actor=personas.secretary, region=tree.west1, name="x", ownership="owned",
                                 area_m2="10")


def test_an_inventory_finds_a_missing_item_and_the_ledger_follows(tree, personas):
    pc = _asset(personas.secretary, tree.east1, "ZC-001")
    cam = _asset(personas.secretary, tree.east1, "ZC-002", "照相机", "2600")
    printer = _asset(personas.secretary, tree.east1, "ZC-003", "打印机", "1500")
    with pytest.raises(ValidationError, match="资产编号“ZC-001”在东一社区已经使用"):
        _asset(personas.secretary, tree.east1, "ZC-001")
    inv = services.inventory_open(actor=personas.secretary, region=tree.east1, year=timezone.localdate().year)
    services.inventory_count(actor=personas.secretary, inventory=inv, asset=pc, result=CountResult.FOUND)
    with pytest.raises(ValidationError, match="说明不能为空"):
        services.inventory_count(actor=personas.secretary, inventory=inv, asset=cam, result=CountResult.MISSING)
    services.inventory_count(actor=personas.secretary, inventory=inv, asset=cam, result=CountResult.MISSING,
                             note="活动室柜内未找到")
    with pytest.raises(ValidationError, match="还有 1 件资产未清点（ZC-003 打印机）"):
        services.inventory_close(actor=personas.secretary, inventory=inv)
    services.inventory_count(actor=personas.secretary, inventory=inv, asset=printer, result=CountResult.MOVED,
                             found_location="阅览室")
    counts = services.inventory_close(actor=personas.secretary, inventory=inv)
    assert counts == {"missing": 1, "moved": 1, "recovered": 0}
    cam.refresh_from_db(), printer.refresh_from_db()
    assert cam.status == AssetStatus.MISSING and printer.location == "阅览室"
    with pytest.raises(ValidationError, match="不能再清点"):
        services.inventory_count(actor=personas.secretary, inventory=inv, asset=pc, result=CountResult.FOUND)
    assert selectors.asset_totals(Asset.objects.all())["missing"] == 1


def test_disposal_needs_approval_and_a_disposed_asset_cannot_be_counted(tree, personas):
    pc = _asset(personas.secretary, tree.east1, "ZC-010")
    d = services.disposal_request(actor=personas.secretary, asset=pc, method="scrap", reason="主板损坏，无维修价值")
    pc.refresh_from_db()
    assert pc.status == AssetStatus.DISPOSAL_PENDING
    with pytest.raises(ValidationError, match="正在审批"):
        services.disposal_request(actor=personas.secretary, asset=pc, method="scrap", reason="再次申请")
    with pytest.raises(ValidationError, match="没有审批资产处置"):
        services.disposal_decide(actor=personas.secretary, disposal=d, approve=True)
    services.disposal_decide(actor=personas.street_staff, disposal=d, approve=True)
    pc.refresh_from_db()
    assert pc.status == AssetStatus.DISPOSED
    inv = services.inventory_open(actor=personas.secretary, region=tree.east1, year=timezone.localdate().year)
    with pytest.raises(ValidationError, match="已处置，不在账上，不能清点"):
        services.inventory_count(actor=personas.secretary, inventory=inv, asset=pc, result=CountResult.FOUND)
    assert not InventoryLine.objects.exists()
    assert selectors.uncounted(inv) == []
    with pytest.raises(ValidationError, match="只有清查中盘亏的资产才能盘亏核销"):
        services.disposal_request(actor=personas.secretary, asset=_asset(personas.secretary, tree.east1, "ZC-011"),
                                  method="loss", reason="丢失")


def test_a_rejected_disposal_puts_the_asset_back(tree, personas):
    pc = _asset(personas.secretary, tree.east1, "ZC-020")
    d = services.disposal_request(actor=personas.secretary, asset=pc, method="sale", reason="闲置")
    services.disposal_decide(actor=personas.street_staff, disposal=d, approve=False, note="仍可使用")
    pc.refresh_from_db()
    assert pc.status == AssetStatus.IN_USE


def test_asset_bad_input(tree, personas):
    future = timezone.localdate() + timedelta(days=3)
    with pytest.raises(ValidationError) as exc:
        services.asset_create(actor=personas.secretary, region=tree.east1, code="", name="<b>电脑</b>",
                              category="computer", value="-1", acquired_on=future, location="", custodian="")
    errors = exc.value.message_dict
    assert errors["code"] == ["资产编号不能为空"] and "不能包含" in errors["name"][0]
    assert errors["value"] == ["原值应大于 0"] and "不能晚于今天" in errors["acquired_on"][0]
    assert not Asset.objects.exists()


def test_a_room_lent_to_a_unit_without_overlap(tree, personas):
    p = services.premises_create(actor=personas.secretary, region=tree.east1, name="党群服务中心",
                                 ownership="owned", area_m2="420")
    room = services.room_add(actor=personas.secretary, premises=p, function="activity", name="多功能活动室",
                             area_m2="120", lendable=True)
    closed = services.room_add(actor=personas.secretary, premises=p, function="police", name="警务室", area_m2="20")
    unit = ResidentUnit.objects.create(name="县人民医院", kind=UnitKind.HOSPITAL, region=tree.east1)
    west_unit = ResidentUnit.objects.create(name="西镇中学", kind=UnitKind.SCHOOL, region=tree.west1)
    d = timezone.localdate()
    services.loan_create(actor=personas.secretary, room=room, unit=unit, start=d, end=d + timedelta(days=2),
                         purpose="义诊活动")
    with pytest.raises(ValidationError, match="已借给县人民医院，时间冲突"):
        services.loan_create(actor=personas.secretary, room=room, unit=unit, start=d + timedelta(days=1),
                             end=d + timedelta(days=3), purpose="健康讲座")
    with pytest.raises(ValidationError, match="结束日期不能早于开始日期"):
        services.loan_create(actor=personas.secretary, room=room, unit=unit, start=d + timedelta(days=9),
                             end=d + timedelta(days=5), purpose="健康讲座")
    with pytest.raises(ValidationError, match="请选择服务本社区的驻区单位"):
        services.loan_create(actor=personas.secretary, room=room, unit=west_unit, start=d + timedelta(days=9),
                             end=d + timedelta(days=9), purpose="健康讲座")
    with pytest.raises(ValidationError, match="未设为可向驻区单位开放"):
        services.loan_create(actor=personas.secretary, room=closed, unit=unit, start=d, end=d, purpose="x")
