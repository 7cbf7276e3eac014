"""Campaigns (五个好 / 一社一品 / 党建工作大比武): the district sets criteria, organizations in scope
enter with evidence, the district rates and awards within the quota, the award goes on the
organization's record (its page); bad input is refused in Chinese with nothing saved; each page
answers each demo role as it should."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessment import campaigns as svc
from assessment.models import (
    Campaign,
    CampaignKind,
    CampaignStatus,
    Entry,
    EntryStatus,
    Evidence,
    Honor,
    HonorKind,
)
from audit.models import AuditEntry
from orgs.models import OrgForm, OrgLevel, PartyOrg

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _pdf(name="创建材料.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", content_type="application/pdf")


def _campaign(personas, tree, **kw):
    data = dict(region=tree.district, year=TODAY.year, kind=CampaignKind.FIVE_GOOD,
                title=f"{TODAY.year}年“五个好”社区党组织创建", entry_deadline=TODAY + timedelta(days=20),
                award_title="“五个好”社区党组织", award_quota=1)
    data.update(kw)
    return svc.campaign_create(actor=personas.district_admin, **data)


@pytest.fixture
def east2_org(tree):
    return PartyOrg.objects.create(name="东二社区党支部", level=OrgLevel.COMMUNITY, form=OrgForm.BRANCH,
                                   region=tree.east2, parent=tree.east1_org.parent)


@pytest.fixture
def opened(personas, tree):
    return svc.campaign_open(actor=personas.district_admin, campaign=_campaign(personas, tree))


def test_five_good_campaign_from_entry_to_the_org_record(personas, tree, east2_org, opened, client_for):
    c = opened
    assert [k.name for k in c.criteria.all()][:2] == ["领导班子好", "党员干部队伍好"] and svc.weights_total(c) == 100
    e1 = svc.entry_submit(actor=personas.secretary, campaign=c, org=tree.east1_org, title="红色楼栋 温暖邻里",
                          summary="书记带头每周下访，楼栋党小组全覆盖", files=[_pdf()])
    e2 = svc.entry_submit(actor=personas.street_staff, campaign=c, org=east2_org, title="网格连心",
                          summary="网格员每月走访全覆盖", files=[_pdf("走访台账.pdf")])
    assert Evidence.objects.filter(entry=e1).count() == 1
    svc.campaign_review(actor=personas.district_admin, campaign=c)
    crit = list(c.criteria.all())
    svc.entry_rate(actor=personas.district_admin, entry=e1, values={k.pk: "18" for k in crit}, note="班子过硬")
    svc.entry_rate(actor=personas.district_admin, entry=e2, values={k.pk: 15 for k in crit})
    assert Entry.objects.get(pk=e1.pk).total == Decimal("90.00")
    # the campaign page preselects the best within the quota
    html = client_for(personas.district_admin).get(reverse("assessment:campaign", args=[c.pk])).content.decode()
    assert f'value="{e1.pk}" aria-label="选择东一社区党总支" checked' in html
    resp = client_for(personas.district_admin).post(reverse("assessment:campaign_action", args=[c.pk, "award"]),
                                                    {"entries": [e1.pk]})
    assert resp.status_code == 302
    c.refresh_from_db()
    assert c.status == CampaignStatus.CLOSED
    h = Honor.objects.get()
    assert (h.org, h.kind, h.title, h.year) == (tree.east1_org, HonorKind.AWARD, "“五个好”社区党组织", TODAY.year)
    assert h.conferred_by == "中共测试县委组织部" and "评审得分 90.0）" in h.basis
    assert Entry.objects.get(pk=e2.pk).status == EntryStatus.NOT_AWARDED
    # the organization's page shows its record
    page = client_for(personas.secretary).get(reverse("orgs:detail", args=[tree.east1_org.pk])).content.decode()
    assert 'id="org-record"' in page and "“五个好”社区党组织" in page and "表彰 1 项" in page
    other = client_for(personas.secretary).get(reverse("orgs:detail", args=[tree.east1_org.parent_id]))
    assert other.status_code in (200, 404)
    assert AuditEntry.objects.filter(object_type="assessment.honor").exists()


def test_setup_bad_input_changes_nothing(personas, tree):
    n = AuditEntry.objects.count()
    with pytest.raises(ValidationError, match="申报截止日期不能早于今天"):
        _campaign(personas, tree, entry_deadline=TODAY - timedelta(days=1))
    with pytest.raises(ValidationError, match="评选名额应在 1 到 500 之间"):
        _campaign(personas, tree, award_quota=0)
    with pytest.raises(ValidationError, match="评选名额应在 1 到 500 之间"):
        _campaign(personas, tree, award_quota=10**12)
    with pytest.raises(ValidationError, match="不能包含 < 或 >"):
        _campaign(personas, tree, title="<script>alert(1)</script>")
    with pytest.raises(ValidationError):
        _campaign(personas, tree, title="五个好\x00")
    with pytest.raises(ValidationError, match="由区（县）委组织部发起"):
        svc.campaign_create(actor=personas.street_staff, region=tree.east, year=TODAY.year, kind="brand",
                            title="一社一品", entry_deadline=TODAY, award_title="品牌", award_quota=2)
    with pytest.raises(ValidationError, match="没有"):
        svc.campaign_create(actor=personas.secretary, region=tree.district, year=TODAY.year, kind="brand",
                            title="一社一品", entry_deadline=TODAY, award_title="品牌", award_quota=2)
    assert not Campaign.objects.exists() and AuditEntry.objects.count() == n
    c = _campaign(personas, tree)
    svc.criterion_delete(actor=personas.district_admin, criterion=c.criteria.first())
    with pytest.raises(ValidationError, match="各评选标准分值合计应为 100 分，现为 80 分"):
        svc.campaign_open(actor=personas.district_admin, campaign=c)
    with pytest.raises(ValidationError, match="分值应在 0.01 到 100"):
        svc.criterion_add(actor=personas.district_admin, campaign=c, name="创新", weight="120")
    with pytest.raises(ValidationError, match="已有评选标准"):
        svc.criterion_add(actor=personas.district_admin, campaign=c, name="工作机制好", weight="20")
    svc.criterion_add(actor=personas.district_admin, campaign=c, name="特色创新", weight="20")
    svc.campaign_open(actor=personas.district_admin, campaign=c)
    with pytest.raises(ValidationError, match="评选标准不能再修改"):
        svc.criterion_add(actor=personas.district_admin, campaign=c, name="另加", weight="1")


def test_entry_bad_input_changes_nothing(personas, tree, opened):
    c = opened
    ok = dict(actor=personas.secretary, campaign=c, org=tree.east1_org, title="红色楼栋", summary="做法")
    with pytest.raises(ValidationError, match="申报须附佐证材料"):
        svc.entry_submit(**ok)
    with pytest.raises(ValidationError, match="只能为本社区"):  # another town's organization
        svc.entry_submit(**{**ok, "org": tree.west1_org, "files": [_pdf()]})
    with pytest.raises(ValidationError, match="参评对象是社区党组织"):
        svc.entry_submit(**{**ok, "org": tree.east1_org.parent, "actor": personas.street_staff, "files": [_pdf()]})
    with pytest.raises(ValidationError, match="应为 PDF、Word、Excel 或图片"):
        svc.entry_submit(**{**ok, "files": [SimpleUploadedFile("x.exe", b"MZ")]})
    with pytest.raises(ValidationError, match="不存在或不在"):
        svc.entry_submit(**{**ok, "records": [("meeting", 999999)]})
    with pytest.raises(ValidationError, match="申报题目不能包含"):
        svc.entry_submit(**{**ok, "title": "<b>品牌</b>", "files": [_pdf()]})
    assert not Entry.objects.exists() and not Evidence.objects.exists()
    svc.entry_submit(**{**ok, "files": [_pdf()]})
    with pytest.raises(ValidationError, match="已申报本次评选"):
        svc.entry_submit(**{**ok, "files": [_pdf()]})
    Campaign.objects.filter(pk=c.pk).update(entry_deadline=TODAY - timedelta(days=1))
    with pytest.raises(ValidationError, match="申报已于"):
        svc.entry_submit(**{**ok, "org": tree.west1_org, "actor": personas.west_secretary, "files": [_pdf()]})
    assert Entry.objects.count() == 1


def test_rating_and_award_rules(personas, tree, east2_org, opened):
    c = opened
    e1 = svc.entry_submit(actor=personas.secretary, campaign=c, org=tree.east1_org, title="甲", summary="甲",
                          files=[_pdf()])
    e2 = svc.entry_submit(actor=personas.street_staff, campaign=c, org=east2_org, title="乙", summary="乙",
                          files=[_pdf()])
    crit = list(c.criteria.all())
    with pytest.raises(ValidationError, match="不在评审阶段"):
        svc.entry_rate(actor=personas.district_admin, entry=e1, values={k.pk: 10 for k in crit})
    with pytest.raises(ValidationError, match="没有"):  # a community cannot start the review
        svc.campaign_review(actor=personas.secretary, campaign=c)
    svc.campaign_review(actor=personas.district_admin, campaign=c)
    with pytest.raises(ValidationError, match="没有"):  # a street does not rate the district's campaign
        svc.entry_rate(actor=personas.street_staff, entry=e1, values={k.pk: 10 for k in crit})
    with pytest.raises(ValidationError, match="得分应在 0 到 20.00 之间"):
        svc.entry_rate(actor=personas.district_admin, entry=e1, values={**{k.pk: 10 for k in crit}, crit[0].pk: 21})
    with pytest.raises(ValidationError, match="请为“群众反映好”评分"):
        svc.entry_rate(actor=personas.district_admin, entry=e1, values={k.pk: 10 for k in crit[:4]})
    assert Entry.objects.get(pk=e1.pk).total is None
    svc.entry_rate(actor=personas.district_admin, entry=e1, values={k.pk: 10 for k in crit})
    with pytest.raises(ValidationError, match="尚有 1 个申报没有评分"):
        svc.campaign_award(actor=personas.district_admin, campaign=c, entries=[e1])
    svc.entry_rate(actor=personas.district_admin, entry=e2, values={k.pk: 12 for k in crit})
    with pytest.raises(ValidationError, match="评选名额为 1 个，选择了 2 个"):
        svc.campaign_award(actor=personas.district_admin, campaign=c, entries=[e1, e2])
    with pytest.raises(ValidationError, match="请至少选择一个"):
        svc.campaign_award(actor=personas.district_admin, campaign=c, entries=[])
    assert not Honor.objects.exists() and Campaign.objects.get(pk=c.pk).status == CampaignStatus.REVIEW
    svc.campaign_award(actor=personas.district_admin, campaign=c, entries=[e2])
    with pytest.raises(ValidationError, match="活动已评定"):
        svc.campaign_award(actor=personas.district_admin, campaign=c, entries=[e1])


def test_honor_record_criticism_needs_a_reason(personas, tree, client_for):
    with pytest.raises(ValidationError, match="依据（事由）不能为空"):
        svc.honor_record(actor=personas.street_staff, org=tree.east1_org, kind=HonorKind.CRITICISM,
                         title="组织生活不规范", on=TODAY)
    with pytest.raises(ValidationError, match="日期不能晚于今天"):
        svc.honor_record(actor=personas.street_staff, org=tree.east1_org, kind=HonorKind.AWARD, title="先进",
                         on=TODAY + timedelta(days=1))
    with pytest.raises(ValidationError, match="没有"):  # another town's organization
        svc.honor_record(actor=personas.street_staff, org=tree.west1_org, kind=HonorKind.AWARD, title="先进",
                         on=TODAY)
    with pytest.raises(ValidationError, match="没有"):  # a community does not praise itself
        svc.honor_record(actor=personas.secretary, org=tree.east1_org, kind=HonorKind.AWARD, title="先进", on=TODAY)
    assert not Honor.objects.exists()
    h = svc.honor_record(actor=personas.street_staff, org=tree.east1_org, kind=HonorKind.CRITICISM,
                         title="三会一课记录不全", on=TODAY, basis="督查发现 2 个月支委会无记录")
    assert h.conferred_by == "中共东街道党工委"
    resp = client_for(personas.street_staff).post(reverse("assessment:campaigns") + "?tab=honors", {
        "org": tree.east1_org.pk, "kind": "criticism", "title": "台账缺失", "on": TODAY.isoformat(), "basis": ""})
    assert "依据（事由）不能为空" in resp.content.decode() and Honor.objects.count() == 1
    page = client_for(personas.secretary).get(reverse("orgs:detail", args=[tree.east1_org.pk])).content.decode()
    assert "通报批评 1 项" in page and "三会一课记录不全" in page


ROLE_LIST = {  # GET /assessment/campaigns/
    "district_admin": 200, "street_staff": 200, "secretary": 200, "community_staff": 200, "grid_worker": 403,
    "member": 403, "liaison": 403, "sysadmin": 403, "secadmin": 403, "auditor": 403, "superuser": 200,
}


@pytest.mark.parametrize("who,code", ROLE_LIST.items())
def test_role_matrix_campaign_list(personas, tree, opened, client_for, who, code):
    resp = client_for(getattr(personas, who)).get(reverse("assessment:campaigns"))
    assert resp.status_code == code
    if code == 200:
        assert opened.title in resp.content.decode()


def test_role_matrix_entries_and_drafts(personas, tree, east2_org, opened, client_for):
    e1 = svc.entry_submit(actor=personas.secretary, campaign=opened, org=tree.east1_org, title="红色楼栋",
                          summary="甲", files=[_pdf()])
    url = reverse("assessment:entry", args=[e1.pk])
    assert client_for(personas.secretary).get(url).status_code == 200
    assert client_for(personas.street_staff).get(url).status_code == 200
    assert client_for(personas.district_admin).get(url).status_code == 200
    assert client_for(personas.west_secretary).get(url).status_code == 404   # another town's community
    assert client_for(personas.member).get(url).status_code == 403
    ev = e1.evidence.get()
    file_url = reverse("assessment:entry_file", args=[e1.pk, ev.pk])
    assert client_for(personas.west_secretary).get(file_url).status_code == 404
    assert client_for(personas.secretary).get(file_url).status_code == 200
    # the west secretary sees the campaign but not the east entries
    page = client_for(personas.west_secretary).get(reverse("assessment:campaign", args=[opened.pk])).content.decode()
    assert "红色楼栋" not in page and 'id="entry-form"' in page
    # a draft is the district's own
    draft = _campaign(personas, tree, title="党建工作大比武", kind=CampaignKind.CONTEST)
    assert client_for(personas.secretary).get(reverse("assessment:campaign", args=[draft.pk])).status_code == 404
    assert client_for(personas.district_admin).get(reverse("assessment:campaign", args=[draft.pk])).status_code == 200
    # a community cannot open, review or award (nothing changes)
    for action in ("open", "review", "award"):
        client_for(personas.secretary).post(reverse("assessment:campaign_action", args=[opened.pk, action]))
    assert Campaign.objects.get(pk=opened.pk).status == CampaignStatus.OPEN
    assert Campaign.objects.get(pk=draft.pk).status == CampaignStatus.DRAFT


def test_workbench_blocks(personas, tree, east2_org, opened, client_for):
    html = client_for(personas.secretary).get("/").content.decode()
    assert 'id="block-campaigns-open"' in html or "待申报的评选活动" in html
    svc.entry_submit(actor=personas.secretary, campaign=opened, org=tree.east1_org, title="红色楼栋",
                     summary="甲", files=[_pdf()])
    svc.campaign_review(actor=personas.district_admin, campaign=opened)
    html = client_for(personas.district_admin).get("/").content.decode()
    assert "待评审的评选申报" in html and "东一社区党总支：红色楼栋" in html
