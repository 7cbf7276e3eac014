"""Issue 13, robustness: numbers too big for their column and control characters answer with a Chinese
message (never HTTP 500), through one mechanism (core.inputguard) for every form, serializer and model."""

import importlib
from decimal import Decimal

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import modelform_factory
from django.utils import timezone

from cobuild.models import Deed, Need, Resource
from cobuild.testing import units  # noqa: F401  (fixture)
from core.inputguard import INTEGER_RANGES
from demands.models import Demand
from regions.models import Region

pytestmark = pytest.mark.django_db
BIG = 10**12


def _project_models():
    base = str(settings.BASE_DIR)
    return [m for m in apps.get_models()
            if m._meta.app_config.path.startswith(base) and not m._meta.abstract and m._meta.managed]


def _int_fields(model):
    from django.db import models

    return [f for f in model._meta.concrete_fields if isinstance(f, models.IntegerField) and f.editable
            and not f.primary_key and not f.is_relation and not f.choices]


def test_every_model_form_refuses_1e12_in_every_integer_field():
    """10¹² (or one past the column's maximum for a 64-bit column) in every integer field of a ModelForm
    of every project model."""
    checked = 0
    for model in _project_models():
        int_fields = _int_fields(model)
        fields = [f.name for f in int_fields]
        if not fields:
            continue
        too_big = {f.name: str(max(BIG, INTEGER_RANGES[f.get_internal_type()][1] + 1)) for f in int_fields}
        form = modelform_factory(model, fields=fields)(too_big)
        assert not form.is_valid(), model
        for name in fields:
            assert any("不能大于" in e for e in form.errors.get(name, [])), (model, name, form.errors)
            checked += 1
    assert checked > 20


def test_every_form_of_the_project_bounds_its_numbers_and_refuses_control_characters():
    for label in [a.label for a in apps.get_app_configs() if a.path.startswith(str(settings.BASE_DIR))]:
        try:
            importlib.import_module(f"{label}.forms")
        except ModuleNotFoundError:
            pass

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    project = tuple(a.name + "." for a in apps.get_app_configs() if a.path.startswith(str(settings.BASE_DIR)))
    seen = 0
    for form_class in set(subclasses(forms.BaseForm)):
        if not form_class.__module__.startswith(project):
            continue
        for name, field in form_class.base_fields.items():
            if isinstance(field, (forms.IntegerField, forms.DecimalField)):
                assert field.max_value is not None and field.min_value is not None, (form_class, name)
                with pytest.raises(ValidationError):
                    field.clean(str(BIG * 10**6))
                seen += 1
            if isinstance(field, forms.CharField):
                with pytest.raises(ValidationError) as exc:
                    field.clean("正常\x00文字")
                assert any("控制字符" in m for m in exc.value.messages), (form_class, name)
    assert seen >= 10
    from core.inputguard import NoControlCharacters

    NoControlCharacters()("第一行\r\n第二行\t制表")  # line breaks and tabs stay allowed


@pytest.mark.parametrize("url, data, model", [
    ("need", {"kind": "venue", "title": "活动场地", "quantity": BIG}, Need),
    ("resource", {"kind": "venue", "title": "会议室", "capacity": BIG}, Resource),
])
def test_cobuild_need_quantity_and_resource_capacity(url, data, model, personas, units, client_for):  # noqa: F811
    c = client_for(personas.district_admin if url == "need" else personas.liaison)
    path = (f"/cobuild/agreements/{units.agreement_a.pk}/needs/" if url == "need"
            else f"/cobuild/units/{units.a.pk}/resources/")
    resp = c.post(path, data, follow=True)
    assert resp.status_code == 200
    assert "不能大于 2147483647" in resp.content.decode()
    assert not model.objects.exists()


def test_cobuild_deed_beneficiaries(personas, units, client_for):  # noqa: F811
    c = client_for(personas.liaison)
    resp = c.post("/cobuild/deeds/new/", {"unit": units.a.pk, "activity": "service", "title": "义诊",
                                          "date": timezone.localdate().isoformat(), "beneficiaries": BIG,
                                          "hours": "2", "money": "0"})
    assert resp.status_code == 200 and "不能大于 2147483647" in resp.content.decode()
    assert not Deed.objects.exists()


@pytest.mark.parametrize("action", ["create", "edit"])
def test_region_sort_order(action, personas, tree, client_for):
    c = client_for(personas.district_admin)
    data = {"name": "新社区", "kind": "community", "sort_order": BIG}
    resp = c.post(f"/regions/{tree.east.pk}/{action}/", data, follow=True)
    assert resp.status_code == 200 and "不能大于 2147483647" in resp.content.decode()
    assert not Region.objects.filter(sort_order__gt=10**6).exists()
    assert not Region.objects.filter(name="新社区").exists()


def test_a_service_writing_a_number_too_big_gets_a_chinese_message(personas, units):  # noqa: F811
    from cobuild import services

    with pytest.raises(ValidationError) as exc:
        services.resource_create(actor=personas.liaison, unit=units.a, agreement=None, kind="venue", title="场地",
                                 capacity=BIG)
    assert exc.value.message_dict["capacity"] == ["可提供数量不能大于 2147483647"]
    assert not Resource.objects.exists()


def test_open311_and_portal_refuse_control_characters(api_key, tree, client):
    r = client.post("/open311/v2/requests.json", {"api_key": api_key.key, "service_code": "convenience",
                                                  "address_string": "文化路 1 号", "description": "路灯\x00坏了"})
    assert r.status_code == 400 and "控制字符" in r.json()[0]["description"]
    r = client.post("/portal/submit/", {"category": "convenience", "community": tree.east1.pk,
                                        "title": "路灯坏了", "description": "路灯\x1b坏了"})
    assert r.status_code == 400 and "控制字符" in r.content.decode()
    assert not Demand.objects.exists()


def test_decimal_too_big_for_its_column(personas, units):  # noqa: F811
    from cobuild import services

    with pytest.raises(ValidationError) as exc:
        services.deed_create(actor=personas.liaison, unit=units.a, activity="service", date=timezone.localdate(),
                             title="义诊", hours=Decimal("123456789"))
    assert "整数部分最多" in "".join(exc.value.messages)


def test_ranges_are_those_of_postgresql_on_every_database():
    assert INTEGER_RANGES["IntegerField"] == (-2147483648, 2147483647)
    assert INTEGER_RANGES["PositiveSmallIntegerField"] == (0, 32767)


def test_imports_check_numbers_against_their_column_and_refuse_control_characters():
    """A workbook cell of 10¹² for an integer column is a bad cell with a reason, not a failed commit."""
    from bulkimport import Column, Importer, SheetData, decimal_value, text

    class SortImporter(Importer):
        label = "测试"
        model = Region
        columns = [Column("name", "名称", required=True, parser=text(20)),
                   Column("sort_order", "排序", parser=decimal_value(places=0))]

    sheet = SheetData("s", [(2, {"name": "甲", "sort_order": "3"}), (3, {"name": "乙", "sort_order": str(BIG)}),
                            (4, {"name": "丙\x07", "sort_order": "1"})], [])
    rows = SortImporter(actor=None).validate(sheet)
    assert [r.number for r in rows if not r.ok] == [3, 4]
    assert rows[1].errors[0]["reason"] == "排序不能大于 2147483647" and rows[1].errors[0]["column"] == "排序"
    assert "控制字符" in rows[2].errors[0]["reason"]


@pytest.mark.parametrize("url", [
    "/demands/?q=%00", "/members/?q=a%00b", "/grid/residents/?q=%01", "/audit/?q=%00",
    "/portal/track/?code=%00AB", "/portal/d/AB%00/", "/api/demands/?search=%00",
    "/open311/v2/requests.json?service_code=%00",
])
def test_control_characters_in_addresses_and_parameters_answer_400_in_chinese(url, personas, client_for):
    """Search boxes and filters read the query string directly: PostgreSQL refused the NUL with a 500."""
    r = client_for(personas.district_admin).get(url)
    assert r.status_code == 400 and "控制字符" in r.content.decode()


def test_open311_post_with_a_nul_in_the_key(client, api_key):
    r = client.post("/open311/v2/requests.json", {"api_key": api_key.key + "\x00", "service_code": "convenience"})
    assert r.status_code == 400 and "控制字符" in r.json()[0]["description"]


def test_ordinary_input_passes(personas, client_for):
    assert client_for(personas.district_admin).get("/demands/?q=路灯%0A坏了").status_code == 200
