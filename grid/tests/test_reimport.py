"""Re-import of residents: found by ID number (keyed hash), changes previewed field by field,
confirmed, each resident saved through resident_update and audited as an edit."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditAction, AuditEntry
from core.models import ImportJob
from grid.models import Resident

from .test_import import _ids, _row, _upload, xlsx

pytestmark = pytest.mark.django_db
URL = "/grid/import/update/"


def _digest(page: str) -> str:
    return page.split('name="digest" value="')[1].split('"')[0]


def test_residents_are_updated_after_the_preview(personas, tree, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ids = _ids(3)
    c = client_for(personas.secretary)
    _upload(c, xlsx([_row("刘一", ids[0]), _row("刘二", ids[1], 与户主关系="配偶"),
                     _row("陈三", ids[2], 门牌="502")]))
    assert Resident.objects.count() == 3
    # The same file with changes: a phone, care tags, a relation; one row unchanged; one row moved house.
    rows = [_row("刘一", ids[0], 手机号="13700001111", 关爱标签="独居老人、低保"),
            _row("刘二", ids[1], 与户主关系="子女"),
            _row("陈三", ids[2], 门牌="601")]
    resp = c.post(URL, {"file": SimpleUploadedFile("更新.xlsx", xlsx(rows)), "mode": "good"})
    assert resp.status_code == 302
    page = c.get(resp["Location"]).content.decode()
    assert "确认修改 2 人" in page
    assert "137****1111" in page and "13700001111" not in page and "独居老人、低保" in page
    assert "配偶" in page and "子女" in page
    assert "住址与系统中的" in page and "户内迁移" in page
    assert Resident.objects.get(name="刘一").phone == "13912345678"
    job = ImportJob.objects.get(kind="grid.resident_update")
    c.post(f"{URL}jobs/{job.pk}/confirm/", {"digest": _digest(page)})
    job.refresh_from_db()
    assert job.status == "done" and job.message.startswith("已更新 2 名居民")
    one = Resident.objects.get(name="刘一")
    assert one.phone == "13700001111" and set(one.care_labels) == {"独居老人", "低保"}
    assert Resident.objects.get(name="刘二").relation == "child"
    edits = AuditEntry.objects.filter(action=AuditAction.UPDATE, object_type="grid.resident")
    assert edits.count() == 2 and "13700001111" not in str([e.changes for e in edits])


def test_unknown_person_links_to_the_first_import_and_registered_links_to_the_update(personas, tree, client_for,
                                                                                    settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    known, stranger = _ids(2)
    c = client_for(personas.secretary)
    _upload(c, xlsx([_row("刘一", known)]))
    page = c.get(c.post(URL, {"file": SimpleUploadedFile("u.xlsx", xlsx([_row("外人", stranger)]))})["Location"])
    page = page.content.decode()
    assert "您的管辖范围内没有该身份证号的在住居民" in page and 'href="/grid/import/"' in page
    assert stranger not in page and "preview-confirm" not in page
    again = _upload(c, xlsx([_row("刘一", known)]))
    page = c.get(again["Location"]).content.decode()
    assert "该身份证号已登记为居民" in page and f'href="{URL}"' in page
