"""简报: generated from the records, edited, issued to the level below, signed for; the .docx and the
PDF opened; the role matrix."""

import io
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from audit.models import AuditEntry
from dashboards import briefings as svc
from dashboards.models import Briefing, BriefingReceipt, BriefingStatus
from demands import services as demand_services
from demands.models import Category, Channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def last_month_demands(tree, personas):
    from demands.defaults import DEFAULT_CATEGORIES

    for i, (code, name, group, resp, handle, wh, level, loc) in enumerate(DEFAULT_CATEGORIES):
        Category.objects.get_or_create(code=code, defaults=dict(
            name=name, group=group, response_minutes=resp, handling_minutes=handle, working_hours_only=wh,
            default_level=level, needs_location=loc, sort_order=i * 10))
    day = timezone.localdate().replace(day=1) - timedelta(days=10)
    at = datetime(day.year, day.month, day.day, 10, tzinfo=timezone.get_current_timezone())
    for region in (tree.east1_grid1, tree.east1_grid1, tree.east2):
        demand_services.demand_create(actor=personas.district_admin, region=region, channel=Channel.HOTLINE,
                                      category=Category.objects.get(code="convenience"), title="楼道灯不亮",
                                      description="三单元", submitted_at=at)


def pdf_text(data: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).replace("\x00", "")


def test_period_of():
    assert svc.period_of("month", date(2026, 3, 15))[:2] == (date(2026, 2, 1), date(2026, 2, 28))
    assert svc.period_of("quarter", date(2026, 5, 2))[:2] == (date(2026, 1, 1), date(2026, 3, 31))
    assert svc.period_of("week", date(2026, 12, 9))[:2] == (date(2026, 11, 30), date(2026, 12, 6))


def test_generate_edit_issue_read(tree, personas, last_month_demands):
    b = svc.briefing_generate(actor=personas.street_staff, region=tree.east, kind="month")
    assert b.status == BriefingStatus.DRAFT and "东街道" in b.title
    assert "本期共受理群众诉求 3 件" in b.body and "东一社区：诉求 2 件" in b.body
    svc.briefing_update(actor=personas.street_staff, briefing=b, title=b.title,
                        body=b.body + "\n五、下月安排\n抓好冬季供暖诉求。")
    assert svc.briefing_issue(actor=personas.street_staff, briefing=b) == 2
    b.refresh_from_db()
    assert b.status == BriefingStatus.ISSUED
    with pytest.raises(Exception, match="已下发"):
        svc.briefing_update(actor=personas.street_staff, briefing=b, title="改", body="改")
    # The community sees it, signs for it once; the other street's community does not see it.
    assert b in svc.briefings(personas.secretary)
    assert b not in svc.briefings(personas.west_secretary)
    assert svc.briefing_read(actor=personas.secretary, briefing=b) == 1
    assert svc.briefing_read(actor=personas.community_staff, briefing=b) == 0
    receipt = BriefingReceipt.objects.get(briefing=b, region=tree.east1)
    assert receipt.read_by == personas.secretary
    assert not BriefingReceipt.objects.get(briefing=b, region=tree.east2).read_at
    assert AuditEntry.objects.filter(object_type__icontains="briefing").count() >= 3


def test_the_documents_open_with_the_text(tree, personas, last_month_demands):
    b = svc.briefing_generate(actor=personas.street_staff, region=tree.east, kind="month")
    doc = Document(io.BytesIO(svc.briefing_docx(b)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert b.title in text and "一、总体情况" in text and "本期共受理群众诉求 3 件" in text
    pdf = pdf_text(svc.briefing_pdf(b))
    assert "总体情况" in pdf and "受理群众诉求" in pdf


def test_pages_walk_and_bad_input(tree, personas, client_for, last_month_demands):
    c = client_for(personas.street_staff)
    r = c.post("/briefings/", {"region": str(tree.east.pk), "kind": "month"})
    b = Briefing.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/briefings/{b.pk}/"
    r = c.post(f"/briefings/{b.pk}/", {"title": "", "body": "正文"})
    assert r.status_code == 400
    r = c.post(f"/briefings/{b.pk}/", {"title": "东街道十一月简报", "body": "一、总体情况\n平稳。"})
    assert r.status_code == 302
    assert c.post("/briefings/", {"region": str(tree.west.pk), "kind": "month"}).status_code == 400
    assert c.post("/briefings/", {"region": str(tree.east.pk), "kind": "year"}).status_code == 400
    r = c.get(f"/briefings/{b.pk}/file/docx/")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert r["Cache-Control"] == "private, no-store" and "attachment" in r["Content-Disposition"]
    from audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="export", object_id=str(b.pk), changes={"format": "docx"}).count() == 1
    assert c.post(f"/briefings/{b.pk}/issue/").status_code == 302
    s = client_for(personas.secretary)
    assert "东街道十一月简报" in s.get("/briefings/").content.decode()
    assert s.post(f"/briefings/{b.pk}/read/").status_code == 302
    assert "已于" in s.get(f"/briefings/{b.pk}/").content.decode()
    assert "阅读回执" in c.get(f"/briefings/{b.pk}/").content.decode()


@pytest.mark.parametrize("who, status", [
    ("district_admin", 200), ("street_staff", 200), ("secretary", 404), ("community_staff", 404),
    ("west_secretary", 404), ("grid_worker", 404), ("member", 403), ("liaison", 403), ("sysadmin", 403),
    ("auditor", 403), ("nobody", 403), ("superuser", 200),
])
def test_role_matrix_of_a_draft(tree, personas, client_for, last_month_demands, who, status):
    b = svc.briefing_generate(actor=personas.street_staff, region=tree.east, kind="month")
    c = client_for(getattr(personas, who))
    assert c.get(f"/briefings/{b.pk}/").status_code == status
    assert c.get(f"/briefings/{b.pk}/file/pdf/").status_code == status
    if status != 200:
        assert c.post(f"/briefings/{b.pk}/issue/").status_code == status
    assert c.get("/briefings/").status_code == (403 if status == 403 else 200)


def test_a_community_staff_cannot_issue_or_edit_a_received_briefing(tree, personas, client_for, last_month_demands):
    b = svc.briefing_generate(actor=personas.street_staff, region=tree.east, kind="month")
    svc.briefing_issue(actor=personas.street_staff, briefing=b)
    c = client_for(personas.secretary)
    assert c.post(f"/briefings/{b.pk}/", {"title": "改", "body": "改"}).status_code == 403
    assert c.post(f"/briefings/{b.pk}/issue/").status_code == 403
    b.refresh_from_db()
    assert b.title != "改"


def test_a_communitys_briefing_reaches_its_grid_workers_who_open_and_sign_it(tree, personas, client_for,
                                                                          last_month_demands):
    b = svc.briefing_generate(actor=personas.secretary, region=tree.east1, kind="month")
    assert svc.briefing_issue(actor=personas.secretary, briefing=b) == 2  # 网格1 and 网格2
    w = client_for(personas.grid_worker)
    assert b.title in w.get("/briefings/").content.decode()
    page = w.get(f"/briefings/{b.pk}/").content.decode()
    assert 'id="sign"' in page and 'id="issue"' not in page
    pdf = w.get(f"/briefings/{b.pk}/file/pdf/")
    assert pdf.status_code == 200 and "总体情况" in pdf_text(pdf.content)
    assert w.post(f"/briefings/{b.pk}/", {"title": "改", "body": "改"}).status_code == 403
    assert w.post(f"/briefings/{b.pk}/read/").status_code == 302
    signed = BriefingReceipt.objects.get(briefing=b, region=tree.east1_grid1)
    assert signed.read_by == personas.grid_worker
    assert not BriefingReceipt.objects.get(briefing=b, region=tree.east1_grid2).read_at  # the other grid's
    # The grid worker still has no dashboard; the secretary sees who signed.
    assert w.get("/dashboard/").status_code == 403
    issuer_page = client_for(personas.secretary).get(f"/briefings/{b.pk}/").content.decode()
    assert personas.grid_worker.display_name in issuer_page
    # Another street's briefing never reaches them.
    other = svc.briefing_generate(actor=personas.west_secretary, region=tree.west1, kind="month")
    svc.briefing_issue(actor=personas.west_secretary, briefing=other)
    assert w.get(f"/briefings/{other.pk}/").status_code == 404


def test_the_demo_step_issues_a_monthly_briefing_per_street_and_drafts_one_per_community(db):
    from dashboards import demo
    from orgs import demo as foundation_demo
    from regions.models import Region, RegionKind

    foundation_demo.load()
    demo.load_briefings()
    streets = Region.objects.filter(kind=RegionKind.STREET).count()
    communities = Region.objects.filter(kind=RegionKind.COMMUNITY).count()
    assert Briefing.objects.filter(status=BriefingStatus.ISSUED).count() == streets
    assert Briefing.objects.filter(status=BriefingStatus.DRAFT).count() == communities
    assert BriefingReceipt.objects.filter(read_at__isnull=False).count() == 1
