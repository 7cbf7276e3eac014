"""The one set of "every bad field at once" helpers of grid/services/common.py (_errors_of, _gather, _clean_name,
_text, _choice, _date_ok, _raise), shared by the things services (facilities, units, liaisons) and the people
services (houses, households, residents, leases): no parallel copies, the same messages either side."""

from __future__ import annotations

import ast
import inspect
import pkgutil
from datetime import timedelta
from importlib import import_module

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from grid import services
from grid.models import HouseUse
from grid.services import common

HELPERS = ("_errors_of", "_gather", "_clean_name", "_text", "_choice", "_date_ok", "_raise")


def _fields(exc: ValidationError) -> dict[str, str]:
    return {k: v[0] for k, v in exc.message_dict.items()}


def _package_source() -> str:
    """The source of every module of the grid.services package."""
    return "\n".join(inspect.getsource(import_module(f"grid.services.{m.name}"))
                     for m in pkgutil.iter_modules(services.__path__))


def test_one_set_of_helpers():
    module = ast.parse(_package_source())
    names = [n.name for n in module.body if isinstance(n, ast.FunctionDef)]
    for helper in HELPERS:
        assert names.count(helper) == 1, helper
    assert "_in_grid_kind" not in names                  # the things' copy of _choice
    # Messages are taken from a ValidationError in one place only.
    source = _package_source()
    assert source.count("error_dict.items()") == 1
    assert source.count("raise ValidationError(errors)") == 2   # _raise, and check_point's out-of-China verdict


def test_gather_keeps_the_first_message_per_field():
    errors: dict = {}
    assert common._gather(errors, common._choice, "x", HouseUse, "use", "房屋用途") is None
    assert common._gather(errors, common._choice, "y", HouseUse, "use", "房屋用途") is None
    assert errors == {"use": "房屋用途“x”不正确，应为：自住、出租、空置、商用"}
    assert common._gather(errors, common._choice, "self", HouseUse, "use", "房屋用途") == "self"

    def general():
        raise ValidationError("整体不通过")

    common._gather(errors, general)
    assert errors["__all__"] == "整体不通过"


def test_text_returns_blank_and_names_the_field():
    errors: dict = {}
    assert common._text("  门牌 ", "number", "门牌", errors, max_length=20) == "门牌"
    assert common._text("<b>1</b>", "number", "门牌", errors, max_length=20) == ""
    assert common._text("", "unit", "单元", errors, max_length=10) == ""
    assert common._text("x" * 11, "note", "说明", errors, max_length=10, required=False) == ""
    assert errors == {"number": "门牌不能包含 < 或 > 符号", "unit": "单元不能为空",
                      "note": "说明不能超过 10 个字（现为 11 个）"}


def test_raise_with_a_general_message_alone_or_beside_fields():
    common._raise({})
    with pytest.raises(ValidationError) as e:
        common._raise({"__all__": "整体不通过"})
    assert not hasattr(e.value, "error_dict") and e.value.messages == ["整体不通过"]
    with pytest.raises(ValidationError) as e:
        common._raise({"__all__": "整体不通过", "number": "门牌不能为空"})
    assert e.value.message_dict == {"__all__": ["整体不通过"], "number": ["门牌不能为空"]}


def test_date_ok_names_the_field():
    errors: dict = {}
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert common._date_ok(None, "a", "起租日", errors) is None
    assert common._date_ok("2024-01-01", "b", "到期日", errors) is None
    assert common._date_ok(tomorrow, "c", "退租日期", errors) == tomorrow
    assert common._date_ok(tomorrow, "d", "到期日", errors, not_future=False) == tomorrow
    assert errors == {"a": "请填写起租日", "b": "到期日格式不正确", "c": "退租日期不能晚于今天"}


@pytest.mark.django_db
def test_things_and_people_services_report_every_bad_field_alike(personas, gdata, tree):
    """The same helpers on both sides: every bad field at once, in the same words."""
    with pytest.raises(ValidationError) as e:
        services.unit_create(actor=None, grid=tree.east1_grid1, kind="bank", name="<b>", address="x" * 201,
                             contact_name="<i>", contact_phone="123")
    assert _fields(e.value) == {
        "kind": "单位类别“bank”不正确，应为：商户、企业、社会组织",
        "name": "单位名称不能包含 < 或 > 符号",
        "address": "地址不能超过 200 个字（现为 201 个）",
        "contact_name": "联系人不能包含 < 或 > 符号",
        "contact_phone": "联系电话格式不正确：应为 11 位数字，以 1 开头",
    }
    house = gdata.households["g11"][0].house
    with pytest.raises(ValidationError) as e:
        services.house_update(actor=None, house=house, number="<b>", unit="x" * 11, use="castle", area="-1")
    assert _fields(e.value) == {
        "number": "门牌（室号）不能包含 < 或 > 符号",
        "unit": "单元不能超过 10 个字（现为 11 个）",
        "use": "房屋用途“castle”不正确，应为：自住、出租、空置、商用",
        "area": "面积应大于 0",
    }
    liaison = services.liaison_add(actor=None, grid=tree.east1_grid1, name="联络员甲")
    with pytest.raises(ValidationError) as e:
        services.liaison_update(actor=None, liaison=liaison, name="", duty="<script>")
    assert _fields(e.value) == {"name": "联络员姓名不能为空", "duty": "职责不能包含 < 或 > 符号"}
    with pytest.raises(ValidationError) as e:
        services.household_update(actor=None, household=gdata.households["g11"][0], head_name="", number="<1>")
    assert _fields(e.value) == {"number": "户号不能包含 < 或 > 符号", "head_name": "户主姓名不能为空"}
