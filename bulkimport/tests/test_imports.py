"""The shared Excel import mechanism: file checks, row validation, all-or-nothing, good rows, pages."""

import io
import random
import zipfile
from datetime import date

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import include, path
from python_calamine import CalamineWorkbook

from audit.models import AuditEntry
from bulkimport import (
    Column,
    FileProblem,
    Importer,
    choice,
    date_value,
    id_number,
    import_urls,
    mobile,
    read_sheet,
    start_import,
    template_xlsx,
    text,
)
from core.idnumber import synthetic_id_number
from core.models import DemoStep, ImportJob, ImportMode, ImportStatus


class StepImporter(Importer):
    kind = "core.test_step"
    label = "测试步骤"
    perm = "tree.view"
    sheet_name = "步骤"
    model = DemoStep
    columns = [
        Column("name", "名称", required=True, parser=text(20), example="步骤一"),
        Column("id_number", "身份证号", parser=id_number, mask="id_number"),
        Column("mobile", "手机号", parser=mobile, mask="mobile"),
        Column("gender", "性别", parser=choice({"男": "M", "女": "F"})),
        Column("day", "日期", parser=date_value()),
    ]
    unique_columns = ["name"]

    def clean_row(self, row):
        from core.idnumber import parse_id_number

        v = row.values
        if v.get("id_number") and v.get("gender") and parse_id_number(v["id_number"]).gender != v["gender"]:
            raise ValidationError({"gender": "性别与身份证号不符"})

    def check_rows(self, rows):
        names = [r.values["name"] for r in rows]
        existing = set(DemoStep.objects.filter(name__in=names).values_list("name", flat=True))
        for r in rows:
            if r.values["name"] in existing:
                r.add_error("name", "系统中已存在")

    def build(self, row):
        return DemoStep(name=row.values["name"])


def _urls():
    from config import urls as root

    return [path("t/", include((import_urls(StepImporter), "timp"))), *root.urlpatterns]


urlpatterns = _urls()

pytestmark = pytest.mark.urls("bulkimport.tests.test_imports")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # stored uploads stay out of var/

RNG = random.Random(7)
MAN = synthetic_id_number(birth_date=date(1980, 5, 1), gender="M")
WOMAN = synthetic_id_number(birth_date=date(1990, 5, 1), gender="F")
HEADERS = ["名称", "身份证号", "手机号", "性别", "日期"]


def xlsx(rows, headers=HEADERS, title="步骤", setup=None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    ws.append(headers)
    for r in rows:
        ws.append(r)
    if setup:
        setup(ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(data, name="steps.xlsx"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def problem(data, name="a.xlsx") -> str:
    with pytest.raises(FileProblem) as exc:
        read_sheet(StepImporter, data, filename=name)
    return str(exc.value)


class TestFileChecks:
    def test_not_xlsx_by_name(self):
        assert ".xlsx" in problem(b"a,b\n1,2", name="a.csv")
        assert "另存为" in problem(b"\xd0\xcf\x11\xe0", name="a.xls")

    def test_renamed_other_file(self):
        assert "不是 .xlsx" in problem(b"%PDF-1.4 hello")

    def test_empty_file(self):
        assert "空的" in problem(b"")

    def test_too_big(self, settings):
        settings.IMPORT_MAX_BYTES = 1024
        assert "文件过大" in problem(b"PK\x03\x04" + b"\0" * 5000)

    def test_zip_but_not_workbook(self):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("hello.txt", "hi")
        assert "不是 Excel 工作簿" in problem(buf.getvalue())

    def test_corrupt_zip(self):
        assert "损坏" in problem(b"PK\x03\x04garbage" * 10)

    def test_wrong_sheet(self):
        def add(ws):
            ws.parent.create_sheet("别的")

        assert "步骤" in problem(xlsx([["a"]], title="Sheet", setup=add))

    def test_single_sheet_with_other_name_is_accepted(self):
        sheet = read_sheet(StepImporter, xlsx([["a", "", "", "", ""]], title="Sheet1"))
        assert sheet.rows[0][1]["name"] == "a"

    def test_missing_or_renamed_required_header(self):
        msg = problem(xlsx([["a"]], headers=["步骤名", "手机号"]))
        assert "缺少必填列：名称" in msg and "步骤名" in msg

    def test_merged_header(self):
        msg = problem(xlsx([["a", "b"]], setup=lambda ws: ws.merge_cells("A1:B1")))
        assert "合并单元格" in msg

    def test_formula(self):
        msg = problem(xlsx([["a", "", "", "", "=TODAY()"]]))
        assert "公式" in msg and "E2" in msg

    def test_headers_only(self):
        assert "没有数据行" in problem(xlsx([]))

    def test_empty_sheet(self):
        assert "空的" in problem(xlsx([], headers=[]))

    def test_row_limit(self, settings):
        settings.IMPORT_MAX_ROWS = 3
        assert "行数过多" in problem(xlsx([[f"n{i}"] for i in range(5)]))

    def test_header_spacing_and_star_tolerated(self):
        sheet = read_sheet(StepImporter, xlsx([["a"]], headers=[" 名 称* "]))
        assert sheet.rows == [(2, {"name": "a"})]


@pytest.mark.django_db
class TestJobs:
    def rows(self):
        return [
            ["一", MAN, "13812345678", "男", "2020-01-02"],
            ["二", WOMAN, "138 1234 5679", "男", date(2021, 3, 4)],       # gender mismatch
            ["三", MAN[:17] + ("0" if MAN[17] != "0" else "1"), "", "", ""],  # check digit
            ["一", "", "23812345678", "", "2099-01-01"],                 # dup name, bad mobile, future date
            [None, "", "", "", ""],                                         # blank row: skipped
            ["", "", "", "女", ""],                                         # name missing
        ]

    def test_all_or_nothing_reports_every_bad_row_and_saves_nothing(self, personas):
        job = start_import(actor=personas.secretary, importer_cls=StepImporter, upload=upload(xlsx(self.rows())),
                           mode=ImportMode.ALL_OR_NOTHING)
        assert job.status == ImportStatus.INVALID
        assert DemoStep.objects.count() == 0
        got = {(e["row"], e["column"]) for e in job.errors}
        assert {(3, "性别"), (4, "身份证号"), (5, "名称"), (5, "手机号"), (5, "日期"), (7, "名称")} <= got
        assert job.bad_row_numbers == [3, 4, 5, 7]
        by = {(e["row"], e["column"]): e for e in job.errors}
        # personal values masked, reasons in Chinese
        assert MAN not in str(job.errors) and by[(4, "身份证号")]["value"].count("*") >= 8
        assert "校验位" in by[(4, "身份证号")]["reason"]
        assert "与第 2 行重复" in by[(5, "名称")]["reason"]
        assert "晚于今天" in by[(5, "日期")]["reason"]
        assert "必填" in by[(7, "名称")]["reason"]

    def test_good_rows_mode_saves_good_and_returns_bad_as_xlsx(self, personas, client_for):
        job = start_import(actor=personas.secretary, importer_cls=StepImporter, upload=upload(xlsx(self.rows())),
                           mode=ImportMode.GOOD_ROWS)
        assert job.status == ImportStatus.DONE and job.created_rows == 1
        assert list(DemoStep.objects.values_list("name", flat=True)) == ["一"]
        assert AuditEntry.objects.filter(action="import", object_id=str(job.pk)).exists()
        resp = client_for(personas.secretary).get(f"/t/import/jobs/{job.pk}/bad-rows.xlsx")
        assert resp.status_code == 200 and resp["Cache-Control"] == "private, no-store"
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(resp.content)).get_sheet_by_index(0)
        sheet = sheet.to_python()
        assert sheet[0][0] == "原行号" and sheet[0][1] == "名称" and sheet[0][2] == "身份证号（已遮蔽）"
        assert "错误原因" in sheet[0][6]
        assert [int(r[0]) for r in sheet[1:]] == [3, 4, 5, 7]  # where to look in the user's own file
        assert [r[1] for r in sheet[1:]] == ["二", "三", "一", ""]
        # the report outlives the workbook, so no personal value in the clear: masked like the error list
        assert sheet[1][2] != WOMAN and sheet[1][2].startswith(WOMAN[:6]) and sheet[1][2].count("*") == 8
        assert "性别与身份证号不符" in sheet[1][6]
        # another user cannot fetch it
        assert client_for(personas.west_secretary).get(f"/t/import/jobs/{job.pk}/bad-rows.xlsx").status_code == 404

    def test_duplicate_against_database(self, personas):
        DemoStep.objects.create(name="一")
        job = start_import(actor=personas.secretary, importer_cls=StepImporter,
                           upload=upload(xlsx([["一", "", "", "", ""]])), mode=ImportMode.ALL_OR_NOTHING)
        assert job.errors[0]["reason"] == "系统中已存在"

    def test_background_for_big_files(self, personas, settings):
        settings.IMPORT_SYNC_ROWS = 2
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
        rows = [[f"步骤{i}", "", "", "", ""] for i in range(10)]
        job = start_import(actor=personas.secretary, importer_cls=StepImporter, upload=upload(xlsx(rows)),
                           mode=ImportMode.ALL_OR_NOTHING)
        assert job.status == ImportStatus.DONE and job.created_rows == 10
        assert DemoStep.objects.count() == 10

    def test_background_job_stays_pending_until_worker(self, personas, settings):
        settings.IMPORT_SYNC_ROWS = 2
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
        rows = [[f"步骤{i}", "", "", "", ""] for i in range(5)]
        job = start_import(actor=personas.secretary, importer_cls=StepImporter, upload=upload(xlsx(rows)),
                           mode=ImportMode.ALL_OR_NOTHING)
        assert job.status == ImportStatus.PENDING and job.percent == 0
        assert DemoStep.objects.count() == 0

    def test_failure_while_saving_leaves_nothing(self, personas, monkeypatch):
        def boom(self, rows):
            DemoStep.objects.create(name="半截")
            raise RuntimeError("disk full")

        monkeypatch.setattr(StepImporter, "after_save", lambda self, n: boom(self, []))
        job = start_import(actor=personas.secretary, importer_cls=StepImporter,
                           upload=upload(xlsx([["一", "", "", "", ""]])), mode=ImportMode.ALL_OR_NOTHING)
        assert job.status == ImportStatus.FAILED and "未导入任何数据" in job.message
        assert DemoStep.objects.count() == 0


@pytest.mark.django_db
class TestPages:
    def test_template_download_has_the_headers(self, personas, client_for):
        resp = client_for(personas.secretary).get("/t/import/template/")
        assert resp.status_code == 200
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(resp.content)).get_sheet_by_name("步骤").to_python()
        assert sheet[0] == HEADERS
        assert template_xlsx(StepImporter)[:2] == b"PK"

    def test_upload_bad_file_is_a_clear_message_not_a_500(self, personas, client_for):
        c = client_for(personas.secretary)
        resp = c.post("/t/import/", {"file": upload(b"\x00" * 2000, "x.xlsx"), "mode": "all"})
        assert resp.status_code == 400 and "不是 .xlsx 工作簿" in resp.content.decode()
        resp = c.post("/t/import/", {"mode": "all"})
        assert "请选择" in resp.content.decode()

    def test_upload_then_result_page_lists_errors(self, personas, client_for):
        c = client_for(personas.secretary)
        resp = c.post("/t/import/", {"file": upload(xlsx([["<b>x</b>", "123", "", "", ""]])), "mode": "all"})
        assert resp.status_code == 302
        page = c.get(resp.url).content.decode()
        assert "第 2 行" in page and "身份证号长度不正确" in page
        assert "&lt;b&gt;" in page or "<b>x</b>" not in page
        job = ImportJob.objects.get()
        assert c.get(f"/t/import/jobs/{job.pk}/progress/").status_code == 200
        assert c.get("/t/import/").content.decode().count(job.original_name) >= 1

    def test_permission_and_ownership(self, personas, client_for):
        assert client_for(personas.sysadmin).get("/t/import/").status_code == 403
        job = start_import(actor=personas.secretary, importer_cls=StepImporter,
                           upload=upload(xlsx([["一", "", "", "", ""]])), mode="all")
        assert client_for(personas.street_staff).get(f"/t/import/jobs/{job.pk}/").status_code == 404
        assert client_for(personas.secretary).get(f"/t/import/jobs/{job.pk}/").status_code == 200


@pytest.mark.django_db
def test_fast_inserts_return_keys_and_fill_auto_fields():
    from django.db import transaction

    from bulkimport import bulk_insert, insert_rows

    with transaction.atomic():
        ids = insert_rows(DemoStep, [{"name": "甲"}, {"name": "乙"}])
        objs = bulk_insert(DemoStep, [DemoStep(name="丙")])
    got = {s.pk: s for s in DemoStep.objects.all()}
    assert [got[i].name for i in ids] == ["甲", "乙"] and got[objs[0].pk].name == "丙"
    assert all(s.loaded_at is not None for s in got.values())


class TestRepeatedCells:
    """Columns that repeat a handful of values (community, grid, kind…) are parsed once per value."""

    def _importer(self, calls):
        def kind(value):
            calls.append(value)
            if value == "坏值":
                raise ValidationError("不是可选的值")
            return value + "!"

        kind.cacheable = True

        class KindImporter(Importer):
            label = "测试"
            columns = [Column("name", "名称", required=True, parser=text(20)), Column("kind", "类型", parser=kind)]
            unique_columns = ["name"]

        return KindImporter

    def _sheet(self, kinds):
        from bulkimport import SheetData

        return SheetData("s", [(n + 2, {"name": f"人{n}", "kind": k}) for n, k in enumerate(kinds)], [])

    def test_parsed_once_and_bad_values_reported_on_every_row(self):
        calls = []
        importer_cls = self._importer(calls)
        rows = importer_cls(actor=None).validate(self._sheet(["甲", "乙", "坏值", "甲", "坏值", "乙", "甲"]))
        assert [r.values.get("kind") for r in rows if r.ok] == ["甲!", "乙!", "甲!", "乙!", "甲!"]
        assert [r.number for r in rows if not r.ok] == [4, 6]  # each bad row has its own message
        assert all((r.errors[0]["column"], r.errors[0]["reason"]) == ("类型", "不是可选的值") for r in rows if not r.ok)
        assert calls == ["甲", "乙", "坏值", "坏值"]  # refusals are not remembered

    def test_a_column_of_distinct_values_stops_caching(self, monkeypatch):
        from bulkimport.importer import _RowChecker

        monkeypatch.setattr(_RowChecker, "CACHE_LIMIT", 10)
        calls = []
        importer_cls = self._importer(calls)
        importer_cls.chunk_size = 20
        kinds = [f"值{n}" for n in range(60)]
        rows = importer_cls(actor=None).validate(self._sheet(kinds))
        assert [r.values["kind"] for r in rows] == [k + "!" for k in kinds]
        checker = _RowChecker(importer_cls(actor=None))
        checker.cells_and_row(importer_cls(actor=None)._rows(self._sheet(kinds[:30])))
        checker.cells_and_row(importer_cls(actor=None)._rows(self._sheet(kinds[30:])))
        assert dict((p[0], p[4]) for p in checker.parsers)["kind"] is None  # dropped after 30 distinct values


class TestSideQuery:
    def test_inside_a_transaction_it_runs_at_once_on_the_same_connection(self, db):
        import threading

        from bulkimport import side_query

        result = side_query(lambda: (threading.current_thread().name, DemoStep.objects.count()))
        DemoStep.objects.create(name="之后")
        assert result() == ("MainThread", 0)

    @pytest.mark.django_db(transaction=True)
    def test_outside_a_transaction_on_postgresql_it_runs_beside_the_caller(self):
        import threading

        from django.db import connection

        from bulkimport import side_query

        DemoStep.objects.create(name="已提交")
        result = side_query(lambda: (threading.current_thread().name,
                                     list(DemoStep.objects.values_list("name", flat=True))))
        name, seen = result()
        assert seen == ["已提交"]  # committed rows are visible to the side connection
        assert name == ("import-side-query" if connection.vendor == "postgresql" else "MainThread")

        def fails():
            raise ValueError("坏了")

        with pytest.raises(ValueError, match="坏了"):
            side_query(fails)()


def test_job_goes_through_checking_and_saving(personas, monkeypatch):
    import bulkimport.jobs as ci

    seen = []
    update = ci._job_update

    def recording(job, **fields):
        if "status" in fields:
            seen.append(fields["status"])
        update(job, **fields)

    monkeypatch.setattr(ci, "_job_update", recording)
    job = start_import(actor=personas.secretary, importer_cls=StepImporter,
                       upload=upload(xlsx([["一", MAN, "13812345678", "男", "2020-01-02"]])),
                       mode=ImportMode.ALL_OR_NOTHING)
    assert job.status == ImportStatus.DONE
    assert seen == [ImportStatus.RUNNING, ImportStatus.SAVING, ImportStatus.DONE]
    seen.clear()
    start_import(actor=personas.secretary, importer_cls=StepImporter, mode=ImportMode.ALL_OR_NOTHING,
                 upload=upload(xlsx([["一", MAN, "23812345678", "男", "2020-01-02"]])))
    assert seen == [ImportStatus.RUNNING, ImportStatus.INVALID]  # nothing to save: never "saving"
