"""入户日期 (Resident.joined_on): the day a resident joined their current household, kept on the record.

Registration sets it (today unless given), 迁入他户 sets it to the move's date (no longer only in the audit
entry), the resident edit page corrects it; the resident page and the household's member list show it. A date
in the future (or before birth) is refused with a Chinese message naming the field, nothing saved. The
migration fills existing rows with the day they were registered, or the date of their latest move.
"""

from __future__ import annotations

import importlib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEntry
from grid import services
from grid.models import CARE_BIT, Resident

pytestmark = pytest.mark.django_db


def _today() -> date:
    return timezone.localdate()


def _errors(resp) -> dict:
    return {k: " ".join(v) for k, v in resp.context["form"].errors.items()}


def _registered(r: Resident, days_ago: int) -> None:
    """Pretend the resident was registered `days_ago` days ago (and joined their household then)."""
    when = timezone.now() - timedelta(days=days_ago)
    Resident.objects.filter(pk=r.pk).update(created_at=when, joined_on=timezone.localtime(when).date())


def _member_row(body: str, name: str) -> str:
    """The household page's member row of `name`."""
    start = body.index(f">{name}</a>")
    return body[start:body.index("</tr>", start)]


def test_registration_sets_today_or_the_given_day(personas, gdata):
    hh = gdata.households["g11"][0]
    assert all(r.joined_on == _today() for r in Resident.objects.all())   # the fixtures' residents
    r = services.resident_create(actor=personas.grid_worker, household=hh, name="张子", relation="child")
    assert Resident.objects.get(pk=r.pk).joined_on == _today()
    day = _today() - timedelta(days=400)
    r = services.resident_create(actor=personas.grid_worker, household=hh, name="张女", relation="child",
                                 joined_on=day)
    assert Resident.objects.get(pk=r.pk).joined_on == day
    entry = AuditEntry.objects.get(object_type="grid.resident", object_id=str(r.pk), action="create")
    assert entry.changes["joined_on"] == [None, day.isoformat()]


def test_a_move_stores_its_date_on_the_record_and_the_pages_show_it(personas, gdata, client_for):
    zhang = gdata.residents["g11"][0]
    new = gdata.households["g11"][2]                  # 王五's household
    _registered(zhang, 30)
    registered_on = Resident.objects.get(pk=zhang.pk).joined_on
    moved_on = _today() - timedelta(days=5)
    c = client_for(personas.grid_worker)
    resp = c.post(f"/grid/residents/{zhang.pk}/transfer/", {
        "q": "", "household": new.pk, "relation": "parent", "moved_on": moved_on.isoformat(), "note": ""})
    assert resp.status_code == 302
    zhang.refresh_from_db()
    assert zhang.household_id == new.pk and zhang.joined_on == moved_on
    [entry] = AuditEntry.objects.filter(object_type="grid.resident", object_id=str(zhang.pk), action="move")
    assert entry.changes["moved_on"] == [None, moved_on.isoformat()]
    assert entry.changes["joined_on"] == [registered_on.isoformat(), moved_on.isoformat()]
    # The resident page and the new household's member list show it; 王五 joined on registration, today.
    body = c.get(f"/grid/residents/{zhang.pk}/").content.decode()
    assert f'id="joined-on">{moved_on:%Y-%m-%d}<' in body
    body = c.get(f"/grid/households/{new.pk}/").content.decode()
    assert f"入户 {moved_on:%Y-%m-%d}" in _member_row(body, "张三")
    assert f"入户 {_today():%Y-%m-%d}" in _member_row(body, "王五")


def test_a_move_into_the_future_is_refused_naming_the_field(personas, gdata, client_for):
    zhang = gdata.residents["g11"][0]
    target = gdata.households["g11"][2]
    tomorrow = _today() + timedelta(days=1)
    resp = client_for(personas.grid_worker).post(f"/grid/residents/{zhang.pk}/transfer/", {
        "q": "", "household": target.pk, "relation": "other", "moved_on": tomorrow.isoformat(), "note": ""})
    assert resp.status_code == 200
    assert _errors(resp)["moved_on"] == "迁入日期不能晚于今天"
    zhang.refresh_from_db()
    assert zhang.household_id == gdata.households["g11"][0].pk and zhang.joined_on == _today()


def test_a_second_move_is_not_dated_before_the_first(personas, gdata):
    zhang = gdata.residents["g11"][0]
    _registered(zhang, 60)
    first = _today() - timedelta(days=10)
    services.resident_transfer(actor=personas.grid_worker, resident=zhang, household=gdata.households["g11"][2],
                               relation="parent", moved_on=first)
    with pytest.raises(ValidationError) as e:
        services.resident_transfer(actor=personas.grid_worker, resident=zhang,
                                   household=gdata.households["g11"][1], relation="other",
                                   moved_on=first - timedelta(days=1))
    assert e.value.message_dict["moved_on"] == [f"迁入日期不能早于该居民迁入现住户的日期（{first:%Y-%m-%d}）"]
    zhang.refresh_from_db()
    assert zhang.household_id == gdata.households["g11"][2].pk and zhang.joined_on == first


def _edit_post(r: Resident, **kw) -> dict:
    data = {"name": r.name, "id_number": "", "phone": "", "kind": r.kind, "relation": r.relation,
            "care_tags": [key for key, bit in CARE_BIT.items() if r.care_flags & bit], "arrival_date": "",
            "permit_expiry": "", "joined_on": ""}
    data.update(kw)
    return data


@pytest.mark.parametrize("joined,message", [
    ("tomorrow", "入户日期不能晚于今天"),
    ("before_birth", "入户日期不能早于出生日期（1950-03-04）"),
    ("1899-12-31", "入户日期不能早于 1900 年"),
    ("2024-13-01", "入户日期格式不正确，应为 年-月-日"),
])
def test_edit_refuses_a_bad_joined_date_naming_the_field(joined, message, personas, gdata, client_for):
    zhang = gdata.residents["g11"][0]                 # born 1950-03-04
    value = {"tomorrow": (_today() + timedelta(days=1)).isoformat(), "before_birth": "1950-03-03"}.get(joined,
                                                                                                       joined)
    entries = AuditEntry.objects.count()
    resp = client_for(personas.grid_worker).post(f"/grid/residents/{zhang.pk}/edit/",
                                                 _edit_post(zhang, joined_on=value))
    assert resp.status_code == 200
    assert _errors(resp)["joined_on"] == message
    assert Resident.objects.get(pk=zhang.pk).joined_on == _today() and AuditEntry.objects.count() == entries


def test_edit_corrects_the_joined_date_and_blank_keeps_it(personas, gdata, client_for):
    zhang = gdata.residents["g11"][0]
    c = client_for(personas.grid_worker)
    form = c.get(f"/grid/residents/{zhang.pk}/edit/").context["form"]
    assert form["joined_on"].value() == _today() and "留空表示不修改" in form.fields["joined_on"].help_text
    day = date(2015, 6, 1)
    resp = c.post(f"/grid/residents/{zhang.pk}/edit/", _edit_post(zhang, joined_on=day.isoformat()))
    assert resp.status_code == 302, _errors(resp)
    assert Resident.objects.get(pk=zhang.pk).joined_on == day
    entry = AuditEntry.objects.filter(object_type="grid.resident", object_id=str(zhang.pk),
                                      action="update").latest("pk")
    assert entry.changes == {"joined_on": [_today().isoformat(), day.isoformat()]}
    resp = c.post(f"/grid/residents/{zhang.pk}/edit/", _edit_post(zhang, joined_on=""))
    assert resp.status_code == 302
    assert Resident.objects.get(pk=zhang.pk).joined_on == day
    # The service: a future date is refused with the field named, None keeps.
    with pytest.raises(ValidationError) as e:
        services.resident_update(actor=personas.grid_worker, resident=zhang, name="张三", relation="head",
                                 care_tags=["elderly_alone"], joined_on=_today() + timedelta(days=2))
    assert e.value.message_dict == {"joined_on": ["入户日期不能晚于今天"]}
    services.resident_update(actor=personas.grid_worker, resident=zhang, name="张三", relation="head",
                             care_tags=["elderly_alone"])
    assert Resident.objects.get(pk=zhang.pk).joined_on == day


def test_a_row_without_the_date_shows_the_day_of_registration(personas, gdata, client_for):
    """A raw loader (bench COPY) may leave the column empty: the pages fall back on the registration day."""
    wang = gdata.residents["g11"][2]
    when = datetime(2026, 3, 1, 20, 30, tzinfo=ZoneInfo("UTC"))            # 2026-03-02 in Asia/Shanghai
    Resident.objects.filter(pk=wang.pk).update(joined_on=None, created_at=when)
    assert Resident.objects.get(pk=wang.pk).joined_date == date(2026, 3, 2)
    body = client_for(personas.grid_worker).get(f"/grid/residents/{wang.pk}/").content.decode()
    assert 'id="joined-on">2026-03-02<' in body


def test_the_migration_fills_registration_days_and_latest_moves(personas, gdata):
    fill = importlib.import_module("grid.migrations.0004_resident_joined_on").fill_joined_on
    from django.apps import apps

    zhang, li, wang = gdata.residents["g11"]
    _registered(zhang, 40)
    services.resident_transfer(actor=personas.grid_worker, resident=zhang, household=gdata.households["g11"][2],
                               relation="parent", moved_on=_today() - timedelta(days=20))
    services.resident_transfer(actor=personas.grid_worker, resident=zhang, household=gdata.households["g11"][1],
                               relation="other", moved_on=_today() - timedelta(days=7))
    late_evening = datetime(2026, 3, 1, 20, 30, tzinfo=ZoneInfo("UTC"))    # 2026-03-02 in Asia/Shanghai
    Resident.objects.filter(pk=li.pk).update(created_at=late_evening)
    Resident.objects.update(joined_on=None)                              # as before the migration
    fill(apps, None)
    got = dict(Resident.objects.values_list("name", "joined_on"))
    assert got["张三"] == _today() - timedelta(days=7)                    # the latest move
    assert got["李四"] == date(2026, 3, 2)                                # registered, in local time
    assert got["王五"] == _today()
    assert not Resident.objects.filter(joined_on__isnull=True).exists()


def test_the_excel_import_stores_the_day_of_the_import(personas, tree, client_for, settings, tmp_path):
    """The importer names no 入户日期 column: each row gets the field's default, the day it is imported."""
    import io

    import xlsxwriter
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.idnumber import synthetic_id_number
    from core.models import ImportJob
    from grid.imports import ResidentImporter

    settings.MEDIA_ROOT = tmp_path
    headers = [c.header for c in ResidentImporter.columns]
    idn = synthetic_id_number(birth_date=date(1961, 1, 2), gender="F")
    row = {"社区": "东一社区", "网格": "网格1", "小区": "阳光小区", "楼栋": "1号楼", "单元": "2", "门牌": "501",
           "房屋用途": "自住", "姓名": "刘一", "身份证号": idn, "人口类型": "户籍人口", "与户主关系": "户主"}
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("居民")
    text = wb.add_format({"num_format": "@"})
    ws.write_row(0, 0, headers)
    for j, h in enumerate(headers):
        ws.write_string(1, j, row.get(h, ""), text)
    wb.close()
    client_for(personas.secretary).post("/grid/import/", {
        "file": SimpleUploadedFile("居民.xlsx", buf.getvalue()), "mode": "all"})
    assert ImportJob.objects.get().status == "done"
    assert Resident.objects.get(name="刘一").joined_on == _today()
