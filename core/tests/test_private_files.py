"""Uploads are personal data: import workbooks live in private storage only while their job runs,
nothing is published under /media/, and the daily sweep clears what is left behind."""

import importlib
import os
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import clear_url_caches

from bulkimport import start_import
from bulkimport.tests.test_imports import MAN, WOMAN, StepImporter, upload, xlsx
from core.models import ImportJob, ImportMode, ImportStatus

pytestmark = [pytest.mark.django_db, pytest.mark.urls("bulkimport.tests.test_imports")]


def _private_files(settings) -> list[Path]:
    return [p for p in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*") if p.is_file()]


def _leaks(settings, secret: str) -> list[Path]:
    return [p for p in _private_files(settings) if secret.encode() in p.read_bytes()]


def test_workbook_is_deleted_when_the_job_ends_and_only_the_masked_report_stays(personas, settings):
    rows = [["一", MAN, "", "男", ""], ["二", WOMAN, "", "男", ""]]  # row 3: gender does not match the ID
    job = start_import(actor=personas.secretary, importer_cls=StepImporter, upload=upload(xlsx(rows)),
                       mode=ImportMode.GOOD_ROWS)
    assert job.status == ImportStatus.DONE and job.created_rows == 1
    assert job.file.name == ""  # the workbook is gone
    files = _private_files(settings)
    assert [p.name for p in files] == [Path(job.report.name).name]  # the error report alone
    assert "imports/reports/" in job.report.name and len(Path(job.report.name).stem) == 32
    # the (zip-compressed) report holds no ID number in the clear
    from python_calamine import CalamineWorkbook

    cells = str(CalamineWorkbook.from_path(str(files[0])).get_sheet_by_index(0).to_python())
    assert MAN not in cells and WOMAN not in cells and WOMAN[:6] in cells


@pytest.mark.parametrize("backend", ["immediate", "failing"])
def test_workbook_is_deleted_after_a_background_job_whatever_its_outcome(backend, personas, settings, monkeypatch):
    settings.IMPORT_SYNC_ROWS = 2
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    if backend == "failing":
        monkeypatch.setattr(StepImporter, "build", lambda self, row: 1 / 0)
    rows = [[f"步骤{i}", MAN if i == 0 else "", "", "", ""] for i in range(5)]
    job = start_import(actor=personas.secretary, importer_cls=StepImporter, upload=upload(xlsx(rows)),
                       mode=ImportMode.ALL_OR_NOTHING)
    assert job.status == (ImportStatus.DONE if backend == "immediate" else ImportStatus.FAILED)
    assert job.file.name == "" and _private_files(settings) == []


def test_a_waiting_job_keeps_its_workbook_privately_under_a_random_name(personas, settings):
    settings.IMPORT_SYNC_ROWS = 2
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    rows = [[f"步骤{i}", MAN if i == 0 else "", "", "", ""] for i in range(5)]
    job = start_import(actor=personas.secretary, importer_cls=StepImporter, upload=upload(xlsx(rows)),
                       mode=ImportMode.ALL_OR_NOTHING)
    assert job.status == ImportStatus.PENDING
    stored = Path(job.file.path)
    assert stored.is_file() and Path(settings.PRIVATE_MEDIA_ROOT) in stored.parents
    assert StepImporter.kind not in stored.name and len(stored.stem) == 32  # not imports/…/<kind>.xlsx
    with pytest.raises(ValueError):
        job.file.url  # noqa: B018  (no public address)


def test_import_report_only_for_whoever_started_the_job(personas, client_for, client):
    job = start_import(actor=personas.secretary, importer_cls=StepImporter,
                       upload=upload(xlsx([["一", "", "23812345678", "", ""]])), mode=ImportMode.GOOD_ROWS)
    url = f"/t/import/jobs/{job.pk}/bad-rows.xlsx"
    assert client_for(personas.secretary).get(url).status_code == 200
    assert client_for(personas.west_secretary).get(url).status_code == 404
    assert client_for(personas.community_staff).get(url).status_code == 404  # same community, not theirs
    assert client.get(url).status_code == 302


def test_media_url_serves_nothing_even_in_development(settings, client, personas, client_for):
    """`make run` (DEBUG=1) used to publish MEDIA_ROOT at /media/ without a login."""
    legacy = Path(settings.MEDIA_ROOT) / "imports" / "2026" / "12" / "members.member.xlsx"
    legacy.parent.mkdir(parents=True, exist_ok=True)
    legacy.write_bytes(MAN.encode())
    settings.DEBUG = True
    settings.ROOT_URLCONF = "config.urls"
    import config.urls

    try:
        importlib.reload(config.urls)
        clear_url_caches()
        assert client.get("/media/imports/2026/12/members.member.xlsx").status_code == 404
        assert client_for(personas.secretary).get("/media/imports/2026/12/members.member.xlsx").status_code == 404
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)
        clear_url_caches()


def test_sweep_moves_old_public_uploads_and_deletes_orphans(personas, settings, tree):
    media = Path(settings.MEDIA_ROOT)
    # an import of an older release, finished, its workbook still published
    job = ImportJob.objects.create(kind=StepImporter.kind, created_by=personas.secretary, status=ImportStatus.DONE,
                                   file="imports/2026/11/members.member.xlsx")
    (media / job.file.name).parent.mkdir(parents=True, exist_ok=True)
    (media / job.file.name).write_bytes(MAN.encode())
    # a stray public file no record names
    (media / "grid" / "visits").mkdir(parents=True, exist_ok=True)
    (media / "grid" / "visits" / "v1.jpg").write_bytes(b"x")
    # a private orphan, old, and a private orphan being written right now
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    (root / "demands" / "9").mkdir(parents=True, exist_ok=True)
    old, young = root / "demands" / "9" / "old.jpg", root / "demands" / "9" / "young.jpg"
    old.write_bytes(b"x")
    young.write_bytes(b"y")
    os.utime(old, (time.time() - 3 * 86400, time.time() - 3 * 86400))
    # a referenced private file (a pending job's workbook) stays
    pending = ImportJob.objects.create(kind=StepImporter.kind, created_by=personas.secretary, file="imports/p.xlsx")
    (root / "imports").mkdir(exist_ok=True)
    (root / "imports" / "p.xlsx").write_bytes(b"z")
    os.utime(root / "imports" / "p.xlsx", (time.time() - 3 * 86400, time.time() - 3 * 86400))

    call_command("files_sweep", verbosity=0)
    job.refresh_from_db()
    assert job.file.name == "" and not (media / "imports" / "2026" / "11" / "members.member.xlsx").exists()
    assert not (media / "grid" / "visits" / "v1.jpg").exists()
    assert not old.exists() and young.exists()
    assert (root / "imports" / "p.xlsx").exists() and ImportJob.objects.get(pk=pending.pk).file.name == "imports/p.xlsx"


def test_sweep_moves_a_referenced_old_photo_into_private_storage(personas, settings, make_visit_photo_row):
    photo, legacy = make_visit_photo_row
    call_command("files_sweep", verbosity=0)
    photo.refresh_from_db()
    assert not legacy.exists()
    assert photo.image.name.startswith("grid/visits/") and len(Path(photo.image.name).stem) == 32
    assert Path(photo.image.path).read_bytes() == b"old photo"


@pytest.fixture
def make_visit_photo_row(personas, tree, settings):
    from django.utils import timezone

    from grid.models import House, Household, Visit, VisitPhoto

    house = House.objects.create(grid=tree.east1_grid1, building=tree.building, number="101",
                                 address="阳光小区1号楼101")
    hh = Household.objects.create(house=house, grid=tree.east1_grid1, head_name="张三")
    visit = Visit.objects.create(grid=tree.east1_grid1, household=hh, worker=personas.grid_worker,
                                 visited_at=timezone.now(), findings="正常")
    photo = VisitPhoto.objects.create(visit=visit, image="grid/visits/2026/12/v1.jpg")
    legacy = Path(settings.MEDIA_ROOT) / "grid" / "visits" / "2026" / "12" / "v1.jpg"
    legacy.parent.mkdir(parents=True, exist_ok=True)
    legacy.write_bytes(b"old photo")
    return photo, legacy
