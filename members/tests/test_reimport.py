"""Re-import: members found by ID number (keyed hash) get the file's values after a preview that
lists every change field by field; each saved member is audited as an edit."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditAction, AuditEntry
from bulkimport import template_xlsx
from core.models import ImportJob
from members.imports import MemberImporter
from members.models import MemberStatus, PartyMember

from .conftest import add_member, new_id

pytestmark = pytest.mark.django_db
URL = "/members/import/update/"


def workbook(rows) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(template_xlsx(MemberImporter)))
    ws = wb["党员"]
    ws.delete_rows(2)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def row(member, **cells):
    """A file row for ``member``: name, ID number, joining date, category and organization filled,
    the rest blank unless given (header order of the template)."""
    values = {"name": member.name, "gender": "", "ethnicity": "", "birth_date": "", "id_number": member.id_number,
              "mobile": "", "education": "", "occupation": "", "joined_on": member.joined_on.isoformat(),
              "full_member_on": "", "category": member.get_category_display(), "org": member.org.name,
              "address": "", "employer": "", "monthly_income": ""}
    values.update(cells)
    return [values[c.key] for c in MemberImporter.columns]


def upload(client, rows, mode="all"):
    return client.post(URL, {"file": SimpleUploadedFile("更新.xlsx", workbook(rows)), "mode": mode})


def test_preview_lists_the_changes_then_confirm_saves_and_audits(personas, tree, members, client_for):
    zs, ls = members["zs"], members["ls"]
    c = client_for(personas.secretary)
    resp = upload(c, [row(zs, mobile="13900001111", monthly_income="6500", occupation="医生"), row(ls)])
    assert resp.status_code == 302
    job = ImportJob.objects.get(kind="members.member_update")
    # Nothing is saved before the confirmation.
    assert PartyMember.objects.get(pk=zs.pk).mobile == "13812345678"
    page = c.get(resp["Location"]).content.decode()
    assert "确认修改 1 人" in page and "张三" in page
    assert "手机号" in page and "139****1111" in page and "138****5678" in page
    assert "13900001111" not in page  # personal data masked in the preview
    assert "职业" in page and "医生" in page and "月收入" in page
    assert "李四" not in page.split("将要修改的内容")[1].split("错误明细")[0]  # unchanged row: not listed
    digest = page.split('name="digest" value="')[1].split('"')[0]
    resp = c.post(f"{URL}jobs/{job.pk}/confirm/", {"digest": digest})
    assert resp.status_code == 302
    job.refresh_from_db()
    assert job.status == "done" and job.created_rows == 1 and job.message == "已更新 1 名党员。"
    zs.refresh_from_db()
    assert (zs.mobile, zs.occupation, zs.monthly_income) == ("13900001111", "医生", Decimal("6500.00"))
    edit = AuditEntry.objects.get(action=AuditAction.UPDATE, object_id=str(zs.pk))
    assert set(edit.changes) == {"mobile", "occupation", "monthly_income"}
    assert "13900001111" not in str(edit.changes)
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT, object_id=str(job.pk)).exists()
    # The result page after the confirmation, and a second confirmation does nothing.
    assert "已更新 1 名党员" in c.get(f"{URL}jobs/{job.pk}/").content.decode()
    c.post(f"{URL}jobs/{job.pk}/confirm/", {"digest": digest})
    assert AuditEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(zs.pk)).count() == 1


def test_a_change_after_the_preview_asks_again(personas, tree, members, client_for):
    zs = members["zs"]
    c = client_for(personas.secretary)
    resp = upload(c, [row(zs, occupation="医生")])
    page = c.get(resp["Location"]).content.decode()
    digest = page.split('name="digest" value="')[1].split('"')[0]
    PartyMember.objects.filter(pk=zs.pk).update(occupation="护士")  # someone edits meanwhile
    job = ImportJob.objects.get(kind="members.member_update")
    resp = c.post(f"{URL}jobs/{job.pk}/confirm/", {"digest": digest})
    assert resp.status_code == 200 and "数据或文件校验结果有了变化" in resp.content.decode()
    assert "护士" in resp.content.decode()
    assert PartyMember.objects.get(pk=zs.pk).occupation == "护士"


def test_bad_rows_are_reported_with_their_fix(personas, tree, members, client_for):
    from orgs.models import OrgForm, OrgLevel, PartyOrg

    zs, ww = members["zs"], members["ww"]
    branch = PartyOrg.objects.create(name="东一社区第一党支部", level=OrgLevel.COMMUNITY, form=OrgForm.BRANCH,
                                     region=tree.east1, parent=tree.east1_org)
    stranger = new_id(date(1975, 1, 1), "M")
    rows = [
        row(zs, full_member_on="2000-01-01"),                       # before the joining date
        row(ww),                                                     # out of scope (西一社区)
        row(zs, id_number=stranger, name="陌生人"),                   # not registered
        row(members["ls"], org=branch.name),                         # another organization
        row(zs, mobile="1381234"),                                   # bad mobile (and the same person again)
    ]
    c = client_for(personas.secretary)
    page = c.get(upload(c, rows)["Location"]).content.decode()
    assert "preview-confirm" not in page and "改正前不能保存" in page
    assert "转正日期应晚于入党日期" in page
    assert "党组织不存在或不在您的管辖范围内" in page
    assert "您的管辖范围内没有该身份证号的党员" in page
    assert 'href="/members/import/"' in page and "登记新党员" in page
    assert "与系统中的所在党组织（东一社区党总支）不同" in page
    assert 'href="/members/transfers/"' in page
    assert 'href="#col-mobile"' in page and 'id="col-mobile"' in page and "与第 2 行重复" in page
    assert stranger not in page and ww.id_number not in page
    assert PartyMember.objects.get(pk=zs.pk).full_member_on == date(2001, 7, 1)


def test_good_rows_mode_applies_the_good_ones(personas, tree, members, client_for):
    zs, ls = members["zs"], members["ls"]
    c = client_for(personas.secretary)
    page = c.get(upload(c, [row(zs, employer="县医院"), row(ls, mobile="123")], mode="good")["Location"])
    page = page.content.decode()
    digest = page.split('name="digest" value="')[1].split('"')[0]
    job = ImportJob.objects.get(kind="members.member_update")
    c.post(f"{URL}jobs/{job.pk}/confirm/", {"digest": digest})
    zs.refresh_from_db()
    ls.refresh_from_db()
    assert zs.employer == "县医院" and ls.mobile == "13812345678"


def test_probationary_member_becomes_full_with_a_date(personas, tree, client_for):
    m = add_member(tree.east1_org, "周预备", full_member_on=None, status=MemberStatus.PROBATIONARY,
                   joined_on=date(2025, 1, 1))
    c = client_for(personas.secretary)
    page = c.get(upload(c, [row(m, full_member_on="2026-01-02")])["Location"]).content.decode()
    assert "党员状态" in page and "正式党员" in page
    digest = page.split('name="digest" value="')[1].split('"')[0]
    c.post(f"{URL}jobs/{ImportJob.objects.get().pk}/confirm/", {"digest": digest})
    m.refresh_from_db()
    assert (m.status, m.full_member_on) == (MemberStatus.FULL, date(2026, 1, 2))


def test_registered_error_of_the_first_import_links_to_the_update(personas, tree, members, client_for):
    c = client_for(personas.secretary)
    resp = c.post("/members/import/", {"file": SimpleUploadedFile("m.xlsx", workbook([row(members["zs"])])),
                                       "mode": "all"})
    page = c.get(resp["Location"]).content.decode()
    assert "已登记为党员" in page and f'href="{URL}"' in page and "改为按身份证号更新" in page


def test_who_may_update(personas, tree, members, client_for, settings):
    assert client_for(personas.grid_worker).get(URL).status_code == 403
    assert client_for(personas.member).get(URL).status_code == 403
    c = client_for(personas.secretary)
    job_url = upload(c, [row(members["zs"], occupation="医生")])["Location"]
    # Another user's job is not found, even by someone allowed to import.
    other = client_for(personas.west_secretary)
    assert other.get(job_url).status_code == 404
    assert other.post(job_url + "confirm/", {"digest": "x"}).status_code == 404
    assert PartyMember.objects.get(pk=members["zs"].pk).occupation == ""
    # More rows than a preview shows: refused at upload, with the reason.
    settings.IMPORT_SYNC_ROWS = 1
    resp = upload(c, [row(members["zs"]), row(members["ls"])])
    assert resp.status_code == 400 and "逐条预览修改的文件最多 1 行" in resp.content.decode()


def test_a_preview_nobody_confirms_expires_after_a_day(personas, tree, members, client_for):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    c = client_for(personas.secretary)
    upload(c, [row(members["zs"], occupation="医生")])
    job = ImportJob.objects.get(kind="members.member_update")
    call_command("imports_reap", verbosity=0)
    job.refresh_from_db()
    assert job.status == "pending"  # waiting for the user, not lost
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=25))
    call_command("imports_reap", verbosity=0)
    job.refresh_from_db()
    assert job.status == "failed" and job.message.startswith("预览后超过 24 小时未确认，已作废")
    assert PartyMember.objects.get(pk=members["zs"].pk).occupation == ""
    page = c.get(f"{URL}jobs/{job.pk}/").content.decode()
    assert "preview-confirm" not in page and "已作废" in page
