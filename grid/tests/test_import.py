"""Excel import of houses, households and residents through the shared imports mechanism."""

import io
from datetime import date

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from core.idnumber import synthetic_id_number
from core.models import ImportJob
from grid.imports import ResidentImporter
from grid.models import House, Household, Resident

pytestmark = pytest.mark.django_db

HEADERS = [c.header for c in ResidentImporter.columns]


def xlsx(rows, headers=HEADERS) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("居民")
    text = wb.add_format({"num_format": "@"})
    ws.write_row(0, 0, headers)
    for i, row in enumerate(rows, 1):
        for j, h in enumerate(headers):
            v = row.get(h, "")
            if isinstance(v, float):
                ws.write_number(i, j, v)
            else:
                ws.write_string(i, j, str(v), text)
    wb.close()
    return buf.getvalue()


def _ids(n):
    return [synthetic_id_number(birth_date=date(1960 + i, 1, 2), gender="F") for i in range(n)]


def _row(name, idn, **kw):
    base = {"社区": "东一社区", "网格": "网格1", "小区": "阳光小区", "楼栋": "1号楼", "单元": "2", "门牌": "501",
            "房屋用途": "自住", "姓名": name, "身份证号": idn, "手机号": "13912345678", "人口类型": "户籍人口",
            "与户主关系": "户主"}
    base.update(kw)
    return base


def _upload(c, data, mode="all"):
    return c.post("/grid/import/", {"file": SimpleUploadedFile("居民.xlsx", data), "mode": mode})


def test_good_file_creates_houses_households_and_residents(personas, tree, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ids = _ids(4)
    data = xlsx([
        _row("刘一", ids[0], 关爱标签="独居老人、低保"),
        _row("刘二", ids[1], 与户主关系="配偶"),
        _row("陈三", ids[2], 门牌="502", 房屋用途="出租", 人口类型="流动人口", 来本地日期="2025-03-01",
             居住证到期日="2027-03-01"),
        _row("陈四", ids[3], 门牌="502", 房屋用途="出租", 与户主关系="子女"),
    ])
    resp = _upload(client_for(personas.secretary), data)
    job = ImportJob.objects.get()
    assert resp.status_code == 302 and job.status == "done", job.message
    assert House.objects.count() == 2 and Household.objects.count() == 2 and Resident.objects.count() == 4
    liu = Resident.objects.get(name="刘一")
    assert liu.care_labels == ["独居老人", "低保"] and liu.household.is_care and liu.household.members == 2
    assert liu.grid == tree.east1_grid1 and liu.name_initials == "ly" and liu.id_number == ids[0]
    assert liu.household.house.address == "阳光小区1号楼2单元501"
    assert Resident.objects.get(name="陈三").permit_expiry == date(2027, 3, 1)


def test_bad_rows_are_all_listed_and_nothing_is_saved(personas, tree, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ids = _ids(3)
    data = xlsx([
        _row("好人", ids[0]),
        _row("", ids[1]),                                   # row 3: name missing
        _row("坏号", ids[1][:-1] + ("0" if ids[1][-1] != "0" else "1")),  # row 4: check digit
        _row("外人", ids[2], 社区="西一社区"),                # row 5: outside the scope
        _row("无楼", _ids(5)[4], 楼栋="9号楼"),              # row 6: no such building
        _row("重复", ids[0]),                               # row 7: duplicate ID in the file
        _row("标签", "", 关爱标签="富人"),                   # row 8: unknown care tag
    ])
    c = client_for(personas.secretary)
    _upload(c, data)
    job = ImportJob.objects.get()
    assert job.status == "invalid"
    assert sorted(job.bad_row_numbers) == [3, 4, 5, 6, 7, 8]
    reasons = {(e["row"], e["column"]): e["reason"] for e in job.errors}
    assert reasons[(3, "姓名")] == "必填项，不能为空"
    assert "校验" in reasons[(4, "身份证号")] or "身份证" in reasons[(4, "身份证号")]
    assert "不在您的管辖范围内" in reasons[(5, "社区")]
    assert "找不到楼栋" in reasons[(6, "楼栋")]
    assert reasons[(7, "身份证号")] == "与第 2 行重复"
    assert "未知关爱标签" in reasons[(8, "关爱标签")]
    assert not Resident.objects.exists() and not House.objects.exists()
    page = c.get(f"/grid/import/jobs/{job.pk}/").content.decode()
    assert "与第 2 行重复" in page and ids[0] not in page


def test_id_already_registered_and_good_rows_mode(personas, gdata, tree, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    taken = gdata.id_numbers["张三"]
    fresh = _ids(1)[0]
    data = xlsx([_row("张三", taken), _row("新人", fresh)])
    _upload(client_for(personas.secretary), data, mode="good")
    job = ImportJob.objects.get()
    assert job.status == "done" and job.created_rows == 1, (job.message, job.errors)
    assert job.errors[0]["reason"] == "该身份证号已登记为居民"
    assert Resident.objects.filter(name="新人").exists()


def test_not_an_excel_file_gets_a_clear_message(personas, tree, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    resp = client_for(personas.secretary).post(
        "/grid/import/", {"file": SimpleUploadedFile("居民.csv", "姓名\n张三".encode()), "mode": "all"})
    assert resp.status_code == 400
    assert "xlsx" in resp.content.decode()


def test_grid_worker_cannot_import(personas, tree, client_for):
    assert client_for(personas.grid_worker).get("/grid/import/").status_code == 403
    assert client_for(personas.secretary).get("/grid/import/").status_code == 200
    assert client_for(personas.secretary).get("/grid/import/template/").status_code == 200


@pytest.mark.parametrize("mode", ["all", "good"])
def test_several_chunks_into_existing_and_new_households(mode, personas, gdata, tree, client_for, settings,
                                                         tmp_path, monkeypatch):
    """Chunks of 2 rows (on PostgreSQL checked while earlier chunks are written): a resident joins an
    existing household, others create houses and households; one bad row in the middle."""
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(ResidentImporter, "chunk_size", 2)
    ids = _ids(5)
    zhang_hh = gdata.households["g11"][0]
    before = (House.objects.count(), Household.objects.count(), zhang_hh.members)
    data = xlsx([
        _row("新甲", ids[0], 单元="1", 门牌="101", 与户主关系="配偶", 关爱标签="残疾人"),  # 张三's household
        _row("新乙", ids[1]),
        _row("新丙", ids[2], 与户主关系="子女"),
        _row("坏号", ids[3][:-1] + ("0" if ids[3][-1] != "0" else "1")),
        _row("新丁", ids[4], 门牌="502", 房屋用途="出租"),
    ])
    _upload(client_for(personas.secretary), data, mode=mode)
    job = ImportJob.objects.get()
    assert job.bad_row_numbers == [5] and job.processed_rows == 5
    zhang_hh.refresh_from_db()
    if mode == "all":
        assert job.status == "invalid"
        assert (House.objects.count(), Household.objects.count(), zhang_hh.members) == before
        assert not Resident.objects.filter(name__startswith="新").exists()
        return
    assert job.status == "done" and job.created_rows == 4, job.message
    assert zhang_hh.members == before[2] + 1 and zhang_hh.is_care and zhang_hh.head_name == "张三"
    assert Resident.objects.get(name="新甲").household == zhang_hh
    assert House.objects.count() == before[0] + 2 and Household.objects.count() == before[1] + 2
    yi = Resident.objects.get(name="新乙")
    assert yi.household == Resident.objects.get(name="新丙").household
    assert (yi.household.head_name, yi.household.members, yi.gender) == ("新乙", 2, "F")
    assert yi.household.house.address.endswith("2单元501") and yi.grid == tree.east1_grid1
    ding = Resident.objects.get(name="新丁")
    assert ding.household.house.use == "rental" and ding.household.members == 1


@pytest.mark.django_db(transaction=True)
def test_registered_ids_found_by_the_side_query_outside_a_transaction(personas, gdata, tree, monkeypatch):
    """As in production (a background job, no transaction open): on PostgreSQL the registered-ID
    lookup runs on a connection of its own while prepare() goes on; it sees committed residents."""
    import threading

    import grid.imports as gi
    from bulkimport import read_sheet

    threads = []

    def recording(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return existing(*args, **kwargs)

    existing = gi.existing_values
    monkeypatch.setattr(gi, "existing_values", recording)
    taken, fresh = gdata.id_numbers["张三"], _ids(1)[0]
    sheet = read_sheet(ResidentImporter, xlsx([_row("张三", taken), _row("新人", fresh)]), filename="r.xlsx")
    outcome = ResidentImporter(actor=personas.secretary).import_sheet(sheet, good_rows_only=True)
    assert [e["reason"] for r in outcome.bad for e in r.errors] == ["该身份证号已登记为居民"]
    assert outcome.created == 1 and Resident.objects.filter(name="新人").exists()
    from django.db import connection

    assert threads == ["import-side-query" if connection.vendor == "postgresql" else "MainThread"]


@pytest.mark.django_db(transaction=True)
def test_a_streamed_job_reports_saving_on_its_own_connection(personas, gdata, tree, monkeypatch, settings, tmp_path):
    """While rows are interleaved with the COPY, progress and the "saving" status go through a side
    connection, so the job page sees them before the import commits."""
    from bulkimport import jobs as ci
    from bulkimport import start_import
    from core.models import ImportMode, ImportStatus

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(ResidentImporter, "chunk_size", 2)
    statuses = []
    side_status = ci._SideProgress._status

    def recording(self, status):
        statuses.append(status)
        side_status(self, status)

    monkeypatch.setattr(ci._SideProgress, "_status", recording)
    ids = _ids(5)
    data = xlsx([_row(f"新{n}", idn, 门牌=f"60{n}") for n, idn in enumerate(ids)])
    job = start_import(actor=personas.secretary, importer_cls=ResidentImporter,
                       upload=SimpleUploadedFile("居民.xlsx", data), mode=ImportMode.ALL_OR_NOTHING)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created_rows == 5, job.message
    from django.db import connection

    assert statuses == ([ImportStatus.SAVING] if connection.vendor == "postgresql" else [])


def test_joined_on_column_defaults_to_the_import_day(personas, gdata, tree, settings, tmp_path):
    from django.utils import timezone

    from bulkimport import read_sheet

    settings.MEDIA_ROOT = tmp_path
    ids = _ids(3)
    sheet = read_sheet(ResidentImporter, xlsx([
        _row("早入", ids[0], 入户日期="2015-06-01"),
        _row("今入", ids[1], 与户主关系="子女"),
        _row("错入", ids[2], 与户主关系="子女", 入户日期="1950-01-01"),  # born 1962 (see _ids)
    ]), filename="r.xlsx")
    outcome = ResidentImporter(actor=personas.secretary).import_sheet(sheet, good_rows_only=True)
    assert [(e["column"], e["reason"]) for r in outcome.bad for e in r.errors] == [
        ("入户日期", "入户日期不能早于出生日期（1962-01-02）")]
    assert Resident.objects.get(name="早入").joined_on == date(2015, 6, 1)
    assert Resident.objects.get(name="今入").joined_on == timezone.localdate()
