"""The resident API shows 入户日期 read-only (scope and masking unchanged); liaison_add reports every bad field."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from grid import services
from grid.models import GridLiaison, Resident

pytestmark = pytest.mark.django_db


def test_api_lists_and_shows_joined_on(personas, gdata, client_for):
    r = gdata.residents["g11"][0]
    Resident.objects.filter(pk=r.pk).update(joined_on=date(2021, 7, 8))
    c = client_for(personas.grid_worker)
    rows = {row["id"]: row for row in c.get("/api/grid/residents/?page_size=500").json()["results"]}
    assert rows[r.pk]["joined_on"] == "2021-07-08"
    assert all(row["joined_on"] == timezone.localdate().isoformat() for pk, row in rows.items() if pk != r.pk)
    one = c.get(f"/api/grid/residents/{r.pk}/").json()
    assert one["joined_on"] == "2021-07-08"
    # Masking unchanged.
    assert "*" in one["id_number"] and "*" in one["phone"]
    assert gdata.id_numbers[r.name] not in c.get(f"/api/grid/residents/{r.pk}/").content.decode()
    # Scope unchanged: another grid's worker neither lists nor opens it.
    other = client_for(personas.other_grid_worker)
    assert r.pk not in {row["id"] for row in other.get("/api/grid/residents/?page_size=500").json()["results"]}
    assert other.get(f"/api/grid/residents/{r.pk}/").status_code == 404


def test_api_joined_on_falls_back_to_registration_day_and_is_read_only(personas, gdata, client_for):
    r = gdata.residents["g11"][0]
    created = timezone.now() - timedelta(days=3)
    Resident.objects.filter(pk=r.pk).update(joined_on=None, created_at=created)
    c = client_for(personas.secretary)
    assert c.get(f"/api/grid/residents/{r.pk}/").json()["joined_on"] == timezone.localtime(created).date().isoformat()
    # Read-only API: no write method.
    assert c.patch(f"/api/grid/residents/{r.pk}/", {"joined_on": "2020-01-01"},
                   content_type="application/json").status_code == 405
    assert Resident.objects.get(pk=r.pk).joined_on is None


def test_liaison_add_reports_every_bad_field_at_once(tree):
    with pytest.raises(ValidationError) as e:
        services.liaison_add(actor=None, grid=tree.east1_grid1, name="", duty="职" * 51)
    assert e.value.message_dict == {"name": ["联络员姓名不能为空"], "duty": ["职责不能超过 50 个字（现为 51 个）"]}
    with pytest.raises(ValidationError) as e:
        services.liaison_add(actor=None, grid=tree.east1_grid1, name="<b>甲</b>", duty="x" * 60)
    assert e.value.message_dict == {"name": ["姓名不能包含 < 或 > 符号"],
                                    "duty": ["职责不能超过 50 个字（现为 60 个）"]}
    assert not GridLiaison.objects.exists()
    ok = services.liaison_add(actor=None, grid=tree.east1_grid1, name=" 楼长甲 ", duty="楼栋长")
    assert (ok.name, ok.duty) == ("楼长甲", "楼栋长")
