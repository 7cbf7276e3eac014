"""The import pages' breadcrumb: no empty item (which showed as a bare leading "/")."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory

from core.models import ImportJob

pytestmark = pytest.mark.django_db


def crumbs(html: str) -> list[str]:
    ol = re.search(r'<ol class="breadcrumb[^"]*">(.*?)</ol>', html, re.S)
    assert ol, "no breadcrumb"
    items = re.findall(r"<li[^>]*>(.*?)</li>", ol.group(1), re.S)
    return [re.sub(r"<[^>]+>", "", item).strip() for item in items]


@pytest.fixture
def job(personas, tree):
    """A finished member import with one bad row (made directly: the page, not the import engine, is
    under test here)."""
    from members.imports import MemberImporter

    return ImportJob.objects.create(
        kind=MemberImporter.kind, created_by=personas.secretary, file=SimpleUploadedFile("m.xlsx", b"x"),
        original_name="m.xlsx", status="invalid", total_rows=1, processed_rows=1, error_rows=1,
        errors=[{"row": 2, "column": "身份证号", "value": "*", "reason": "身份证号长度不正确"}], bad_row_numbers=[2],
        message="共 1 行，其中 1 行有错误，未导入任何数据。")


def test_member_import_pages_have_full_breadcrumbs(job, personas, client_for):
    c = client_for(personas.secretary)
    assert crumbs(c.get(f"/members/import/jobs/{job.pk}/").content.decode()) == ["党员", "导入党员", "导入结果"]
    assert crumbs(c.get("/members/import/").content.decode()) == ["党员", "导入党员"]


class CallableImporter:
    """An importer class a template would call (no do_not_call_in_templates): its label renders empty."""

    label = "居民"

    def __init__(self, *, actor):
        self.actor = actor


def test_breadcrumb_has_no_empty_item_even_when_the_label_cannot_render(job, personas):
    request = RequestFactory().get("/x/")
    request.user = personas.secretary
    ctx = {"importer": CallableImporter, "job": job, "back_url": "/members/list/", "upload_url": "/members/import/",
           "progress_url": "/p/", "bad_rows_url": "/b/", "jobs": [], "modes": [], "template_url": "/t/",
           "job_url_name": "members:import_job", "max_mb": 20, "max_rows": 100}
    for template in ("core/import_job.html", "core/import_upload.html"):
        items = crumbs(render_to_string(template, ctx, request=request))
        assert items[0] == "返回列表" and all(items), (template, items)
