"""关爱党员: the 送学上门 and 节假日慰问 ledgers, the 党员互助金 (a grant beyond the balance refused,
nothing saved), 结对联系 of mobile members with a contact log; bad input with Chinese messages;
every ledger as .xlsx, opened and read; who sees what."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditAction, AuditEntry
from members.models import MobileRecord
from orglife import services
from orglife.models import CareVisit, ContactLog, FundEntry, MobilePair

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _visit(actor, member, **kw):
    data = {"kind": "holiday", "member": member, "date": TODAY(), "reason": "veteran", "visitors": "书记、委员",
            "content": "大米一袋", "occasion": "spring", "amount": Decimal("300")}
    data.update(kw)
    return services.care_visit_create(actor=actor, **data)


def _fund(actor, org, kind="income", amount="1000", **kw):
    data = {"date": TODAY(), "purpose": "党员自愿捐助", "counterpart": "社区党员"}
    data.update(kw)
    return services.fund_entry_add(actor=actor, org=org, kind=kind, amount=amount, **data)


def _rec(world):
    return MobileRecord.objects.get(member=world.away)


def test_study_and_holiday_visits_are_ledgers(world, personas):
    study = services.care_visit_create(actor=personas.secretary, kind="study", member=world.other, date=TODAY(),
                                       reason="old", visitors="王书记", content="学习党章", occasion="spring",
                                       amount=500)
    assert (study.org, study.occasion, study.amount) == (world.branch, "", 0)  # 送学 has no gift
    gift = _visit(world.branch_secretary, world.me)
    assert gift.amount == Decimal("300.00") and gift.get_occasion_display() == "春节"
    assert AuditEntry.objects.filter(object_type="orglife.carevisit").count() == 2


@pytest.mark.parametrize("kw,field,message", [
    ({"date": TODAY() + timedelta(days=1)}, "date", "走访日期不能晚于今天"),
    ({"date": None}, "date", "请填写走访日期"),
    ({"amount": Decimal(10) ** 12}, "amount", "慰问金额应不少于 0 元且不超过 100,000 元"),
    ({"amount": -5}, "amount", "慰问金额应不少于 0 元且不超过 100,000 元"),
    ({"amount": "abc"}, "amount", "慰问金额应为数字"),
    ({"content": "<script>alert(1)</script>"}, "content", "慰问品不能包含 < 或 > 符号"),
    ({"visitors": "王\x00书记"}, "visitors", "走访人包含无法识别的控制字符"),
    ({"visitors": " "}, "visitors", "走访人不能为空"),
    ({"occasion": ""}, "occasion", "请选择慰问的节日"),
    ({"reason": "rich"}, "reason", "请选择走访对象的情况"),
])
def test_bad_visits_are_refused_in_chinese(world, personas, kw, field, message):
    with pytest.raises(ValidationError) as exc:
        _visit(personas.secretary, world.me, **kw)
    assert message in " ".join(exc.value.message_dict[field])
    assert not CareVisit.objects.exists()


def test_visits_only_within_scope(world, personas):
    with pytest.raises(ValidationError, match="没有管理"):
        _visit(personas.west_secretary, world.me)
    with pytest.raises(ValidationError, match="没有管理"):
        _visit(personas.community_staff, world.me)
    assert not CareVisit.objects.exists()


def test_fund_balance_and_a_grant_beyond_it_refused(world, personas, tree):
    org = tree.east1_org
    assert _fund(personas.secretary, org, amount="1000").balance == Decimal("1000.00")
    grant = _fund(personas.secretary, org, "payout", "600", member=world.other, purpose="资助庭院养殖",
                  decided_by="支委会研究同意")
    assert grant.balance == Decimal("400.00")
    with pytest.raises(ValidationError) as exc:
        _fund(personas.secretary, org, "payout", "400.01", member=world.other, purpose="再次资助",
              decided_by="支委会研究同意")
    assert exc.value.message_dict["amount"] == [
        "互助金余额不足：本次资助 400.01 元，“东一社区党总支”当前余额 400.00 元，未登记"]
    assert FundEntry.objects.count() == 2
    assert _fund(personas.secretary, org, "payout", "400", member=world.other, purpose="再次资助",
                 decided_by="支委会研究同意").balance == 0


@pytest.mark.parametrize("kind,kw,field,message", [
    ("income", {"amount": "0"}, "amount", "金额应大于 0 元且不超过 10,000,000 元"),
    ("income", {"amount": str(10 ** 12)}, "amount", "金额应大于 0 元且不超过 10,000,000 元"),
    ("income", {"date": TODAY() + timedelta(days=2)}, "date", "日期不能晚于今天"),
    ("income", {"purpose": "<b>捐</b>"}, "purpose", "资金来源不能包含 < 或 > 符号"),
    ("payout", {"member": None, "decided_by": "支委会"}, "member", "请选择受助党员"),
    ("payout", {"member": "west", "decided_by": "支委会"}, "member", "王五不是“东一社区党总支”的党员"),
    ("payout", {"member": "other", "decided_by": ""}, "decided_by", "决定依据不能为空"),
])
def test_bad_fund_entries_are_refused(world, personas, tree, kind, kw, field, message):
    _fund(personas.secretary, tree.east1_org, amount="5000")
    if isinstance(kw.get("member"), str):
        kw["member"] = getattr(world, kw["member"])
    with pytest.raises(ValidationError) as exc:
        _fund(personas.secretary, tree.east1_org, kind, kw.pop("amount", "100"), **kw)
    assert message in " ".join(exc.value.message_dict[field])
    assert FundEntry.objects.count() == 1


def test_fund_is_kept_by_community_organizations(world, personas, tree):
    with pytest.raises(ValidationError, match="以社区党组织为单位"):
        _fund(personas.secretary, world.branch)
    with pytest.raises(ValidationError, match="没有管理"):
        _fund(personas.west_secretary, tree.east1_org)


def test_pairing_and_contact_log(world, personas):
    rec = _rec(world)
    pair = services.pair_create(actor=personas.secretary, record_=rec, contact=world.other, started_on=TODAY())
    log = services.contact_log_add(actor=personas.secretary, pair=pair, date=TODAY(), way="wechat",
                                   content="传达本月学习内容", effect="已在线学习")
    rec.refresh_from_db()
    assert rec.last_contact_on == TODAY() and log.get_way_display() == "微信"
    # A new contact takes over: the old pair ends the same day, one pair open.
    services.pair_create(actor=personas.secretary, record_=rec, contact=world.me, started_on=TODAY())
    assert MobilePair.objects.filter(record=rec, ended_on__isnull=True).get().contact == world.me
    with pytest.raises(ValidationError, match="该结对已结束"):
        services.contact_log_add(actor=personas.secretary, pair=pair, date=TODAY(), way="phone", content="x",
                                 effect="y")


@pytest.mark.parametrize("contact,field,message", [
    ("away", "contact", "不能是流动党员本人"),
    ("west", "contact", "不是流出地党组织“网格1党支部”的党员"),
])
def test_bad_pairs_are_refused(world, personas, contact, field, message):
    with pytest.raises(ValidationError) as exc:
        services.pair_create(actor=personas.secretary, record_=_rec(world), contact=getattr(world, contact),
                             started_on=TODAY())
    assert message in " ".join(exc.value.message_dict[field])
    with pytest.raises(ValidationError) as exc:
        services.pair_create(actor=personas.secretary, record_=_rec(world), contact=world.other,
                             started_on=date(2024, 1, 1))
    assert "结对日期不能早于外出日期" in exc.value.message_dict["started_on"][0]
    assert not MobilePair.objects.exists()


def test_bad_contact_logs_are_refused(world, personas):
    pair = services.pair_create(actor=personas.secretary, record_=_rec(world), contact=world.other,
                                started_on=TODAY() - timedelta(days=10))
    for kw, field, message in [
        ({"date": TODAY() + timedelta(days=1)}, "date", "联系日期不能晚于今天"),
        ({"date": TODAY() - timedelta(days=11)}, "date", "联系日期不能早于结对日期"),
        ({"way": "pigeon"}, "way", "请选择联系方式"),
        ({"effect": ""}, "effect", "效果不能为空"),
        ({"content": "a" * 501}, "content", "联系内容不能超过 500 个字"),
    ]:
        data = {"date": TODAY(), "way": "phone", "content": "通报情况", "effect": "已知悉", **kw}
        with pytest.raises(ValidationError) as exc:
            services.contact_log_add(actor=personas.secretary, pair=pair, **data)
        assert message in " ".join(exc.value.message_dict[field])
    with pytest.raises(ValidationError, match="没有管理"):
        services.contact_log_add(actor=personas.west_secretary, pair=pair, date=TODAY(), way="phone",
                                 content="x", effect="y")
    assert not ContactLog.objects.exists()


def _sheet(resp):
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(resp.content))["台账"]
    return [[c for c in row] for row in ws.iter_rows(values_only=True)]


def test_ledgers_export_as_workbooks(world, personas, tree, client_for):
    _visit(personas.secretary, world.me)
    services.care_visit_create(actor=personas.secretary, kind="study", member=world.other, date=TODAY(),
                               reason="sick", visitors="王书记", content="学习党章第一章")
    _fund(personas.secretary, tree.east1_org, amount="1000")
    _fund(personas.secretary, tree.east1_org, "payout", "250", member=world.other, purpose="资助庭院养殖",
          decided_by="支委会研究同意")
    pair = services.pair_create(actor=personas.secretary, record_=_rec(world), contact=world.other,
                                started_on=TODAY())
    services.contact_log_add(actor=personas.secretary, pair=pair, date=TODAY(), way="video", content="视频谈心",
                             effect="安心工作")
    c = client_for(personas.secretary)
    rows = _sheet(c.get(reverse("orglife:care_visits", args=["holiday"]) + "?format=xlsx"))
    assert rows[0][0] == "节假日慰问台账" and rows[2][:3] == ["序号", "日期", "节日"]
    assert rows[3][4] == "张建国" and rows[3][7] == "大米一袋" and rows[3][8] == 300 and rows[4][8] == 300
    rows = _sheet(c.get(reverse("orglife:care_visits", args=["study"]) + f"?year={TODAY().year}&format=xlsx"))
    assert rows[0][0] == f"{TODAY().year} 年送学上门台账" and rows[3][3] == "李秀英" and rows[3][6] == "学习党章第一章"
    rows = _sheet(c.get(reverse("orglife:fund") + "?format=xlsx"))
    assert [r[3] for r in rows[3:5]] == ["收入", "资助"] and [r[9] for r in rows[3:5]] == [1000, 750]
    assert rows[4][6] == "李秀英" and "收入 1,000.00 / 资助 250.00" in rows[5][3]
    rows = _sheet(c.get(reverse("orglife:pairs") + "?format=xlsx"))
    assert rows[3][:2] == ["赵六", "网格1党支部"] and rows[3][4] == "李秀英"
    assert rows[3][7:] == ["视频", "视频谈心", "安心工作"]
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, object_type="orglife.fundentry").exists()


def test_pages_show_the_ledgers_and_refuse_bad_input_through_the_form(world, personas, tree, client_for):
    c = client_for(personas.secretary)
    _fund(personas.secretary, tree.east1_org, amount="100")
    resp = c.post(reverse("orglife:fund_new"), {
        "org": tree.east1_org.pk, "kind": "payout", "date": TODAY().isoformat(), "amount": "100.50",
        "member": world.other.pk, "purpose": "资助", "decided_by": "支委会研究同意"})
    assert resp.status_code == 200 and "互助金余额不足" in resp.content.decode()
    assert FundEntry.objects.count() == 1
    resp = c.post(reverse("orglife:care_visit_new", args=["holiday"]), {
        "member": world.me.pk, "date": TODAY().isoformat(), "reason": "veteran", "occasion": "july1",
        "visitors": "王书记", "content": "慰问金", "amount": "500"})
    assert resp.status_code == 302
    page = c.get(reverse("orglife:care_visits", args=["holiday"])).content.decode()
    assert "张建国" in page and "七一" in page and "500.00 元" in page
    overview = c.get(reverse("orglife:care")).content.decode()
    assert "1 人次" in overview and "100.00 元" in overview and "0/1 人已结对" in overview
    rec = _rec(world)
    resp = c.post(reverse("orglife:pair", args=[rec.pk]), {"action": "pair", "pair-contact": world.other.pk,
                                                           "pair-started_on": TODAY().isoformat()})
    assert resp.status_code == 302
    resp = c.post(reverse("orglife:pair", args=[rec.pk]), {
        "action": "log", "log-date": TODAY().isoformat(), "log-way": "phone", "log-content": "电话了解近况",
        "log-effect": "已按时交纳党费"})
    assert resp.status_code == 302
    page = c.get(reverse("orglife:pair", args=[rec.pk])).content.decode()
    assert "电话了解近况" in page and "已按时交纳党费" in page and "李秀英" in page


CARE_PAGES = [("orglife:care", []), ("orglife:care_visits", ["study"]), ("orglife:care_visits", ["holiday"]),
              ("orglife:fund", []), ("orglife:pairs", [])]


@pytest.mark.parametrize("who,status", [
    ("district_admin", 200), ("street_staff", 200), ("secretary", 200), ("community_staff", 200),
    ("west_secretary", 200), ("grid_worker", 403), ("member", 403), ("liaison", 403), ("sysadmin", 403),
    ("secadmin", 403), ("auditor", 403), ("nobody", 403),
])
def test_care_pages_by_role(world, personas, client_for, who, status):
    c = client_for(getattr(personas, who))
    for name, args in CARE_PAGES:
        assert c.get(reverse(name, args=args)).status_code == status, name
        assert c.get(reverse(name, args=args) + "?format=xlsx").status_code == status, name


@pytest.mark.parametrize("who,status", [
    ("district_admin", 200), ("street_staff", 200), ("secretary", 200), ("community_staff", 403),
    ("west_secretary", 200), ("grid_worker", 403), ("member", 403), ("auditor", 403),
])
def test_care_forms_by_role(world, personas, client_for, who, status):
    c = client_for(getattr(personas, who))
    assert c.get(reverse("orglife:care_visit_new", args=["study"])).status_code == status
    assert c.get(reverse("orglife:fund_new")).status_code == status


def test_a_branch_and_other_communities_see_only_their_own(world, personas, tree, client_for):
    _visit(personas.secretary, world.me, content="东一的慰问品")
    _fund(personas.secretary, tree.east1_org, amount="777", purpose="东一的捐助")
    rec = _rec(world)
    url = reverse("orglife:pair", args=[rec.pk])
    west = client_for(personas.west_secretary)
    assert "东一的慰问品" not in west.get(reverse("orglife:care_visits", args=["holiday"])).content.decode()
    assert "东一的捐助" not in west.get(reverse("orglife:fund")).content.decode()
    assert west.get(url).status_code == 404  # the inflow side sees the record, pairing is the outflow's
    assert "赵六" not in west.get(reverse("orglife:pairs")).content.decode()
    branch = client_for(world.branch_secretary)
    assert "东一的慰问品" in branch.get(reverse("orglife:care_visits", args=["holiday"])).content.decode()
    assert branch.get(url).status_code == 200
    staff = client_for(personas.community_staff)
    assert staff.post(url, {"action": "log"}).status_code == 403
    assert west.post(url, {"action": "pair", "pair-contact": world.west.pk,
                           "pair-started_on": TODAY().isoformat()}).status_code == 404
    assert not MobilePair.objects.exists()


def test_menu_and_workbench_reach_the_care_pages(world, personas, client_for):
    c = client_for(personas.secretary)
    home = c.get("/").content.decode()
    assert reverse("orglife:care") in home                        # the menu
    assert "流动党员结对联系" in home and "尚未结对" in home        # the workbench block
    assert reverse("orglife:pair", args=[_rec(world).pk]) in home
    services.pair_create(actor=personas.secretary, record_=_rec(world), contact=world.other, started_on=TODAY())
    pair = MobilePair.objects.get()
    services.contact_log_add(actor=personas.secretary, pair=pair, date=TODAY(), way="phone", content="问候",
                             effect="安心")
    assert "尚未结对" not in c.get("/").content.decode()
