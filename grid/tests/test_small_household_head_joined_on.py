"""登记住户 takes the head's 入户日期 like 登记居民 does: checked the same way, empty is today."""

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

BORN = date(1980, 2, 3)


@functools.cache
def _id(seed: int) -> str:
    return synthetic_id_number(birth_date=BORN, gender="M")


def _post(**kw) -> dict:
    data = {"head_name": "吴十", "id_number": _id(41), "phone": "13900139041", "kind": "registered",
            "care_tags": [], "arrival_date": "", "permit_expiry": "", "joined_on": "", "number": "5"}
    data.update(kw)
    return data


def _errors(resp) -> dict:
    return {k: " ".join(v) for k, v in resp.context["form"].errors.items()}


def _counts():
    return Household.objects.count(), Resident.objects.count(), AuditEntry.objects.count()


def _url(gdata) -> str:
    return f"/grid/houses/{gdata.households['g11'][0].house.pk}/households/new/"


def test_the_head_fields_include_joined_on(personas, gdata, client_for):
    resp = client_for(personas.grid_worker).get(_url(gdata))
    form = resp.context["form"]
    assert "joined_on" in [bf.name for bf in form.head_fields()]
    assert "joined_on" not in [bf.name for bf in form.household_fields()]
    body = resp.content.decode()
    head_part = body[body.index('id="head-fields"'):body.index('id="household-fields"')]
    assert 'name="joined_on"' in head_part and "入户日期" in head_part


def test_a_given_day_is_stored_and_audited(personas, gdata, client_for):
    day = timezone.localdate() - timedelta(days=300)
    resp = client_for(personas.grid_worker).post(_url(gdata), _post(joined_on=day.isoformat()))
    assert resp.status_code == 302, _errors(resp)
    head = Resident.objects.get(name="吴十")
    assert head.joined_on == day and head.relation == "head"
    entry = AuditEntry.objects.get(object_type="grid.resident", object_id=str(head.pk), action="create")
    assert entry.changes["joined_on"] == [None, day.isoformat()]


def test_empty_is_today(personas, gdata, client_for):
    resp = client_for(personas.grid_worker).post(_url(gdata), _post())
    assert resp.status_code == 302, _errors(resp)
    assert Resident.objects.get(name="吴十").joined_on == timezone.localdate()


@pytest.mark.parametrize("joined,message", [
    ("tomorrow", "入户日期不能晚于今天"),
    ("1980-02-02", "入户日期不能早于出生日期（1980-02-03）"),
    ("1899-12-31", "入户日期不能早于 1900 年"),
    ("2024-13-01", "入户日期格式不正确，应为 年-月-日"),
])
def test_bad_joined_on_names_the_field_and_saves_nothing(joined, message, personas, gdata, client_for):
    value = (timezone.localdate() + timedelta(days=1)).isoformat() if joined == "tomorrow" else joined
    before = _counts()
    resp = client_for(personas.grid_worker).post(_url(gdata), _post(joined_on=value))
    assert resp.status_code == 200
    assert _errors(resp)["joined_on"] == message
    assert _counts() == before


def test_reported_with_the_other_bad_fields_at_once(personas, gdata, client_for):
    before = _counts()
    resp = client_for(personas.grid_worker).post(_url(gdata), _post(
        joined_on="1970-01-01", phone="12345", number="<b>"))
    errs = _errors(resp)
    assert errs["joined_on"] == "入户日期不能早于出生日期（1980-02-03）"
    assert "手机号格式不正确" in errs["phone"] and "户号不能包含" in errs["number"]
    assert _counts() == before


def test_service_checks_joined_on_of_the_head(personas, gdata):
    house = gdata.households["g11"][0].house
    head = {"id_number": _id(42), "phone": "", "kind": "registered", "care_tags": [], "arrival_date": None,
            "permit_expiry": None}
    before = _counts()
    with pytest.raises(ValidationError) as e:
        services.household_create(actor=personas.grid_worker, house=house, head_name="冯十二",
                                  head={**head, "joined_on": timezone.localdate() + timedelta(days=1)})
    assert e.value.message_dict == {"joined_on": ["入户日期不能晚于今天"]}
    assert _counts() == before
    hh = services.household_create(actor=personas.grid_worker, house=house, head_name="冯十二",
                                   head={**head, "joined_on": date(2020, 5, 6)})
    assert hh.head.joined_on == date(2020, 5, 6)
    hh = services.household_create(actor=personas.grid_worker, house=house, head_name="冯十三", number="8",
                                   head={**head, "id_number": _id(43)})
    assert hh.head.joined_on == timezone.localdate()
