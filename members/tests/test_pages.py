"""Pages, files and API of the member registry, with the role matrix."""

import io
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from accounts.scope import has_perm
from audit.models import AuditEntry
from core.models import ImportJob
from members import services
from members.models import Decision, DualRegistration, PartyMember
from members.perms import MembersPerm as P

from .conftest import add_member, new_id

pytestmark = pytest.mark.django_db

def pdf_page_text(data: bytes) -> str:
    # pypdf reads fpdf2's Identity-UCS encoding as UTF-16 code units: drop the NUL high bytes.
    return PdfReader(io.BytesIO(data)).pages[0].extract_text().replace("\x00", "")


SEES = ["district_admin", "street_staff", "secretary", "community_staff"]
BLIND = ["grid_worker", "member", "liaison", "west_secretary", "sysadmin", "auditor", "nobody"]


@pytest.mark.parametrize("who", SEES + BLIND)
def test_role_matrix_pages_and_api(who, personas, members, client_for):
    user = getattr(personas, who)
    c = client_for(user)
    zs = members["zs"]
    list_page = c.get("/members/list/")
    detail = c.get(f"/members/{zs.pk}/")
    api_list = c.get("/api/members/")
    api_one = c.get(f"/api/members/{zs.pk}/")
    export = c.get("/members/roster.xlsx")
    card = c.get(f"/members/{zs.pk}/card.docx")
    if who in SEES:
        assert list_page.status_code == 200 and "张三" in list_page.content.decode()
        assert detail.status_code == 200
        assert api_one.status_code == 200 and api_one.json()["name"] == "张三"
        assert zs.id_number not in api_one.content.decode() and "*" in api_one.json()["id_number_masked"]
        expected = {"张三", "李四", "王五"} if who == "district_admin" else {"张三", "李四"}
        assert {r["name"] for r in api_list.json()["results"]} == expected
    else:
        # A member's own pages never tell whether the record exists: 404 to everyone outside its scope.
        # The lists and the API say first whether the user may see members at all: 403 if not.
        sees_members = has_perm(user, P.VIEW)  # the west secretary, elsewhere
        assert detail.status_code == 404 and card.status_code == 404
        assert list_page.status_code == (200 if sees_members else 403)
        assert api_list.status_code == (200 if sees_members else 403)
        assert api_one.status_code == (404 if sees_members else 403)
        assert "张三" not in list_page.content.decode() and "张三" not in api_list.content.decode()
    if who in ("district_admin", "street_staff", "secretary"):
        assert export.status_code == 200 and card.status_code == 200
    elif has_perm(user, P.EXPORT):  # a secretary elsewhere exports their own members only
        assert export.status_code == 200
        rows = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0).to_python()
        assert "张三" not in str(rows) and "王五" in str(rows)
    else:
        assert export.status_code == 403


def test_west_secretary_sees_own_community_only(personas, members, client_for):
    c = client_for(personas.west_secretary)
    page = c.get("/members/list/").content.decode()
    assert "王五" in page and "张三" not in page
    assert c.get(f"/members/{members['zs'].pk}/").status_code == 404
    assert c.get(f"/api/members/{members['zs'].pk}/").status_code == 404
    assert c.get(f"/members/{members['zs'].pk}/card.pdf").status_code == 404
    assert c.get(f"/members/roster.xlsx?org={personas and members['zs'].org_id}").status_code == 404


def test_full_id_number_only_with_permission_and_audited(personas, members, client_for):
    zs = members["zs"]
    sec = client_for(personas.secretary)
    page = sec.get(f"/members/{zs.pk}/").content.decode()
    assert zs.id_number not in page and "查看完整信息" in page
    resp = sec.post(f"/members/{zs.pk}/", {"action": "reveal", "purpose": ""})
    assert zs.id_number not in resp.content.decode()
    resp = sec.post(f"/members/{zs.pk}/", {"action": "reveal", "purpose": "核对党费"})
    assert zs.id_number in resp.content.decode() and zs.mobile in resp.content.decode()
    entry = AuditEntry.objects.get(action="view_pii", object_id=str(zs.pk))
    assert entry.purpose == "核对党费" and entry.actor == personas.secretary
    staff = client_for(personas.community_staff)
    page = staff.get(f"/members/{zs.pk}/").content.decode()
    assert "查看完整信息" not in page
    assert staff.post(f"/members/{zs.pk}/", {"action": "reveal", "purpose": "x"}).status_code == 403
    assert AuditEntry.objects.filter(action="view_pii").count() == 1


def test_search_page_by_initials_and_id(personas, members, client_for):
    c = client_for(personas.secretary)
    page = c.get("/members/list/", {"q": "zs"}).content.decode()
    assert "张三" in page and "李四" not in page
    page = c.get("/members/list/", {"q": members["ls"].id_number}).content.decode()
    assert "李四" in page and "张三" not in page


def test_create_and_edit_pages(personas, tree, client_for):
    c = client_for(personas.secretary)
    idn = new_id(date(1985, 6, 1), "M")
    data = {"name": "<b>钱七</b>", "id_number": idn, "ethnicity": "汉族", "joined_on": "2010-07-01",
            "full_member_on": "2011-07-01", "status": "full", "category": "employed", "org": tree.east1_org.pk}
    resp = c.post("/members/new/", data)
    assert "姓名不能包含" in resp.content.decode()
    data["name"] = "钱七"
    resp = c.post("/members/new/", data)
    assert resp.status_code == 302
    m = PartyMember.objects.get(name="钱七")
    edit = c.get(f"/members/{m.pk}/edit/").content.decode()
    assert idn not in edit
    data.update(occupation="教师", id_number=edit.split('name="id_number" value="')[1].split('"')[0])
    assert c.post(f"/members/{m.pk}/edit/", data).status_code == 302
    m.refresh_from_db()
    assert m.occupation == "教师" and m.id_number == idn


def test_roster_export_xlsx(personas, members, client_for):
    resp = client_for(personas.secretary).get(f"/members/roster.xlsx?org={members['zs'].org_id}")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(resp.content)).get_sheet_by_index(0).to_python()
    assert "党员基本情况一览表" in rows[0][0]
    assert rows[2][:3] == ["序号", "姓名", "性别"]
    names = [r[1] for r in rows[3:]]
    assert names == ["张三", "李四"]
    assert members["zs"].mobile not in str(rows)
    assert AuditEntry.objects.filter(action="export", object_type="members.roster").exists()


def test_member_card_docx_and_pdf(personas, members, client_for):
    c = client_for(personas.secretary)
    zs = members["zs"]
    services.member_deed_record(actor=personas.secretary, member=zs, date=date.today(), title="清理楼道杂物")
    doc = Document(io.BytesIO(c.get(f"/members/{zs.pk}/card.docx").content))
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        cell.text for t in doc.tables for row in t.rows for cell in row.cells)
    assert "社区党员登记卡" in text and "张三" in text and "东一社区党总支" in text and "清理楼道杂物" in text
    assert zs.id_number not in text and zs.id_number[:6] in text
    assert "东一社区 网格1" in text  # 居住社区: the community with the grid, not the grid's name alone
    resp = c.get(f"/members/{zs.pk}/card.pdf")
    assert resp["Content-Type"] == "application/pdf"
    pdf_text = pdf_page_text(resp.content)
    assert "社区党员登记卡" in pdf_text and "张三" in pdf_text and "清理楼道杂物" in pdf_text
    assert zs.id_number not in pdf_text


def test_org_activity_card(personas, tree, members, client_for):
    reg = services.dual_registration_request(actor=personas.west_secretary, member=members["ww"],
                                             community=tree.east1)
    services.dual_registration_decide(actor=personas.secretary, registration=reg, confirm=True)
    c = client_for(personas.secretary)
    doc = Document(io.BytesIO(c.get(f"/members/orgs/{tree.east1_org.pk}/activity-card.docx").content))
    text = "\n".join(cell.text for t in doc.tables for row in t.rows for cell in row.cells)
    assert "东一社区党总支" in text and "王五" in text
    pdf = pdf_page_text(c.get(f"/members/orgs/{tree.east1_org.pk}/activity-card.pdf").content)
    assert "社区党组织活动登记卡" in pdf
    assert c.get(f"/members/orgs/{tree.west1_org.pk}/activity-card.pdf").status_code == 404


def test_dual_registration_page_confirm(personas, tree, members, client_for):
    reg = services.dual_registration_request(actor=personas.west_secretary, member=members["ww"],
                                             community=tree.east1)
    c = client_for(personas.secretary)
    page = c.get("/members/dual/").content.decode()
    assert "王五" in page and "确认" in page
    assert client_for(personas.west_secretary).post(f"/members/dual/{reg.pk}/decide/",
                                                    {"decision": "confirm"}).status_code == 302
    reg.refresh_from_db()
    assert reg.status == Decision.PENDING
    c.post(f"/members/dual/{reg.pk}/decide/", {"decision": "confirm"})
    reg.refresh_from_db()
    assert reg.status == Decision.CONFIRMED
    assert client_for(personas.grid_worker).post(f"/members/dual/{reg.pk}/decide/").status_code == 404


def test_other_pages_render(personas, tree, members, client_for):
    c = client_for(personas.secretary)
    for url in ["/members/roster/", "/members/mobile/", "/members/transfers/", "/members/dues/",
                "/members/stats/", "/members/import/", "/members/new/"]:
        resp = c.get(url)
        assert resp.status_code == 200, url
    assert "zhang" not in c.get("/members/stats/").content.decode()[:10]
    assert client_for(personas.grid_worker).get("/members/stats/").status_code == 403


def test_transfer_and_dues_pages(personas, tree, members, client_for):
    c = client_for(personas.secretary)
    c.post(f"/members/{members['zs'].pk}/transfer/", {"to_org": tree.west1_org.pk, "note": "搬家"})
    w = client_for(personas.west_secretary)
    page = w.get("/members/transfers/").content.decode()
    assert "张三" in page and "确认转入" in page
    from members.models import Transfer

    t = Transfer.objects.get()
    w.post(f"/members/transfers/{t.pk}/decide/", {"decision": "confirm"})
    assert PartyMember.objects.get(pk=members["zs"].pk).org == tree.west1_org
    c.post(f"/members/{members['ls'].pk}/dues/", {"month": date.today().isoformat(), "amount": "20"})
    assert members["ls"].dues.count() == 1


def import_file(rows) -> bytes:
    from bulkimport import template_xlsx
    from members.imports import MemberImporter

    wb = openpyxl.load_workbook(io.BytesIO(template_xlsx(MemberImporter)))
    ws = wb["党员"]
    ws.delete_rows(2)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_members_validations(personas, tree, members, client_for):
    good = new_id(date(1980, 5, 1), "M")
    woman = new_id(date(1982, 5, 1), "F")
    rows = [
        ["孙一", "男", "汉族", "1980-05-01", good, "13812345670", "大学本科", "教师", "2005-07-01", "2006-07-01",
         "在职党员", "东一社区党总支", "", "", "5000"],
        ["孙二", "男", "汉族", "", woman, "", "", "", "2005-07-01", "", "在职", "东一社区党总支", "", "", ""],
        ["孙三", "", "", "1981-01-01", good, "2381234567", "", "", "2099-01-01", "", "退休", "西一社区党支部",
         "", "", ""],
        ["孙四", "", "", "", members["zs"].id_number, "", "", "", "2005-07-01", "", "在职党员", "东一社区党总支",
         "", "", ""],
    ]
    c = client_for(personas.secretary)
    resp = c.post("/members/import/", {"file": SimpleUploadedFile("m.xlsx", import_file(rows)), "mode": "all"})
    assert resp.status_code == 302
    job = ImportJob.objects.get()
    reasons = {(e["row"], e["column"]): e["reason"] for e in job.errors}
    assert "性别与身份证号不符" in reasons[(3, "性别")]
    assert "与第 2 行重复" in reasons[(4, "身份证号")]
    assert "手机号" in reasons[(4, "手机号")][:10] or "手机号" in reasons[(4, "手机号")]
    assert "晚于今天" in reasons[(4, "入党日期")]
    assert "不在您的管辖范围" in reasons[(4, "所在党组织")] or "不是可选的值" in reasons.get((4, "党员类别"), "")
    assert "已登记为党员" in reasons[(5, "身份证号")]
    assert PartyMember.objects.filter(name__startswith="孙").count() == 0
    assert good not in str(job.errors)
    # fix and import again
    rows[1][1] = "女"
    rows = [rows[0], rows[1]]
    resp = c.post("/members/import/", {"file": SimpleUploadedFile("m2.xlsx", import_file(rows)), "mode": "all"})
    job = ImportJob.objects.order_by("-id").first()
    assert job.status == "done" and job.created_rows == 2
    m = PartyMember.objects.get(name="孙一")
    assert (m.name_initials, m.status, m.category, m.org, m.education) == ("sy", "full", "employed", tree.east1_org,
                                                                            "bachelor")
    assert PartyMember.objects.get(name="孙二").status == "probationary"
    assert m.events.filter(kind="登记").exists()


def test_import_forbidden_for_grid_worker(personas, client_for):
    assert client_for(personas.grid_worker).get("/members/import/").status_code == 403
    assert client_for(personas.grid_worker).get("/members/import/template/").status_code == 403


def test_dual_registration_listing_for_unit(personas, tree, client_for):
    from orgs.models import OrgForm, OrgLevel, PartyOrg

    unit = PartyOrg.objects.create(name="医院党总支", level=OrgLevel.RESIDENT_UNIT, form=OrgForm.GENERAL_BRANCH,
                                   region=tree.east1, host_name="医院")
    c = client_for(personas.secretary)
    c.post("/members/dual/", {"action": "unit", "unit_org": unit.pk, "note": "报到"})
    reg = DualRegistration.objects.get()
    assert reg.kind == "unit" and reg.community == tree.east1
    add_member(unit, "周八")


def test_home_card_and_tree_counter(personas, tree, members, client_for):
    page = client_for(personas.secretary).get("/").content.decode()
    assert "待确认双报到" in page
    assert "待确认双报到" not in client_for(personas.grid_worker).get("/").content.decode()
    from members.selectors import node_member_counts

    counts = node_member_counts([tree.east, tree.west1, tree.east2])
    assert counts == {tree.east.pk: ("党员", 2), tree.west1.pk: ("党员", 1)}


def test_rules_are_editable_by_district_admin_only(personas, client_for):
    from members.models import RegistrySettings

    data = {"deed_quota_min": 2, "deed_quota_max": 1, "mobile_no_contact_months": 3, "arrears_months": 4,
            "student_monthly_dues": "0.50"}
    admin = client_for(personas.district_admin)
    resp = admin.post("/members/dues/", data)
    assert "实事下限不能大于上限" in resp.content.decode()
    data["deed_quota_max"] = 3
    assert admin.post("/members/dues/", data).status_code == 302
    s = RegistrySettings.current()
    assert (s.deed_quota_min, s.deed_quota_max, s.arrears_months) == (2, 3, 4)
    assert AuditEntry.objects.filter(action="update", object_type="members.registrysettings").exists()
    assert client_for(personas.secretary).post("/members/dues/", data).status_code == 403
    assert "rules-form" not in client_for(personas.secretary).get("/members/dues/").content.decode()


@pytest.mark.parametrize("mode", ["all", "good"])
def test_import_in_several_chunks_with_bad_rows(mode, personas, tree, members, client_for, monkeypatch):
    """Chunks of 3 rows: on PostgreSQL the rows are checked while earlier chunks are being written
    (one open COPY); a bad row in the last chunk still means nothing is kept in all-or-nothing mode."""
    from members.imports import MemberImporter

    monkeypatch.setattr(MemberImporter, "chunk_size", 3)
    rows = [["周" + "一二三四五六七八"[i], "男", "汉族", "", new_id(date(1970 + i, 3, 1), "M"), "", "", "",
             "2000-07-01", "2001-07-01", "退休", "东一社区党总支", "", "", ""] for i in range(8)]
    rows[7][4] = rows[7][4][:-1] + ("0" if rows[7][4][-1] != "0" else "1")  # wrong check digit
    c = client_for(personas.secretary)
    c.post("/members/import/", {"file": SimpleUploadedFile("m.xlsx", import_file(rows)), "mode": mode})
    job = ImportJob.objects.get()
    assert job.error_rows == 1 and job.bad_row_numbers == [9] and job.processed_rows == 8
    assert "校验位错误" in job.errors[0]["reason"]
    saved = PartyMember.objects.filter(name__startswith="周")
    if mode == "all":
        assert job.status == "invalid" and saved.count() == 0
    else:
        assert job.status == "done" and job.created_rows == 7 and saved.count() == 7
        assert {m.events.get().kind for m in saved} == {"登记"}
