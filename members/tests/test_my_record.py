"""我的档案: a Party member account linked to a member record sees that record (masked) and prints its
own card; it sees nothing of any other member."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from audit.models import AuditAction, AuditEntry
from core.masking import mask_id_number, mask_mobile
from members import services
from members.models import DualRegistration, DuesPayment, MemberDeed, MobileRecord

from .test_photo import image_bytes, upload

pytestmark = pytest.mark.django_db


def _month_add(d: date, n: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return date(y, m + 1, 1)


@pytest.fixture
def linked(personas, members, tree):
    """personas.member (role 党员 in 东一社区) is 张三; he paid up to three months ago (with an older gap
    five months ago), not the last two months nor this one, registered with 东一社区, did one deed this year
    and is out working in 乌鲁木齐."""
    zs = members["zs"]
    zs.user = personas.member
    zs.monthly_income = Decimal("4000")
    zs.save()
    today = timezone.localdate()
    this_month = today.replace(day=1)
    for k in range(3, 13):
        if k != 5:
            DuesPayment.objects.create(member=zs, month=_month_add(this_month, -k), amount=Decimal("40.00"),
                                       paid_on=today, org=zs.org)
    skipped = {_month_add(this_month, -2), _month_add(this_month, -1)}
    DualRegistration.objects.create(member=zs, community=tree.east1, status="confirmed", note="到居住地社区报到")
    MemberDeed.objects.create(member=zs, date=today - timedelta(days=0), title="为独居老人代购")
    MobileRecord.objects.create(member=zs, origin_org=zs.org, destination="乌鲁木齐市", left_on=date(2024, 3, 1),
                                card_number="LD20240001", origin_task="线上学习", last_contact_on=today)
    services.member_update(actor=personas.secretary, member=zs, category="mobile")
    return zs, sorted(skipped)


def test_member_sees_own_record_masked(linked, personas, members, client_for):
    zs, skipped = linked
    c = client_for(personas.member)
    page = c.get("/members/me/").content.decode()
    assert "张三" in page and "东一社区党总支" in page
    assert zs.id_number not in page and mask_id_number(zs.id_number) in page
    assert zs.mobile not in page and mask_mobile(zs.mobile) in page
    # status history, dues paid and owed, dual registration and deeds vs quota, mobility
    assert "党员类别" in page and "在职党员 → 流动党员" in page
    assert "40.00 元" in page
    # Owed as the arrears report counts it: the months since the last payment, not older gaps.
    first = min(skipped)
    assert f"自 {first.year}年{first.month}月 起有 <strong>2</strong> 个月未缴" in page
    for m in skipped:
        assert f"{m.year}年{m.month}月" in page
    gap = _month_add(timezone.localdate().replace(day=1), -5)
    assert f"{gap.year}年{gap.month}月、" not in page and f"、{gap.year}年{gap.month}月" not in page
    assert "合计约 <strong>80.00</strong> 元" in page  # 2 × 1 % of 4000
    assert 'id="my-this-month"' in page and 'id="my-arrears"' not in page  # 3 months behind < 6
    assert "报到社区：东一社区" in page and "已确认" in page
    assert "本年已办实事 <strong>1</strong> 件" in page and "为独居老人代购" in page
    assert "乌鲁木齐市" in page and "LD20240001" in page and "线上学习" in page
    # nobody else
    assert "李四" not in page and "王五" not in page


def test_member_prints_own_card_and_it_is_audited(linked, personas, client_for):
    zs, _ = linked
    c = client_for(personas.member)
    pdf = c.get("/members/me/card.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().replace("\x00", "")
    assert "社区党员登记卡" in text and "张三" in text and zs.id_number not in text
    docx = c.get("/members/me/card.docx")
    assert docx.status_code == 200
    assert Document(io.BytesIO(docx.content)).tables[0].cell(0, 1).text == "张三"
    entries = AuditEntry.objects.filter(action=AuditAction.EXPORT, actor=personas.member, object_id=str(zs.pk))
    assert entries.count() == 2 and {e.purpose for e in entries} == {"本人打印党员登记卡"}
    assert c.get("/members/me/card.xlsx").status_code == 404


def test_member_sees_own_photo_only(linked, personas, members, client_for):
    zs, _ = linked
    c = client_for(personas.member)
    assert c.get("/members/me/photo/").status_code == 404  # none yet
    services.member_photo_set(actor=personas.secretary, member=zs, photo=upload(image_bytes()))
    services.member_photo_set(actor=personas.secretary, member=members["ls"], photo=upload(image_bytes()))
    page = c.get("/members/me/").content.decode()
    assert 'src="/members/me/photo/?v=' in page
    assert c.get("/members/me/photo/").status_code == 200
    assert c.get(f"/members/{zs.pk}/photo/").status_code == 404  # not through the staff address
    assert c.get(f"/members/{members['ls'].pk}/photo/").status_code == 404


def test_member_cannot_reach_any_other_record(linked, personas, members, client_for):
    c = client_for(personas.member)
    for m in (members["ls"], members["ww"], linked[0]):
        # Pages look the record up in the (empty) scope: 404, as for a missing record.
        for url in (f"/members/{m.pk}/", f"/members/{m.pk}/photo/", f"/members/{m.pk}/card.pdf",
                    f"/members/{m.pk}/card.docx", f"/members/{m.pk}/edit/"):
            assert c.get(url).status_code == 404, url
        # The API checks the permission first: the 党员 role holds no members.view at all.
        assert c.get(f"/api/members/{m.pk}/").status_code == 403
    list_page = c.get("/members/list/")
    assert list_page.status_code == 403 and "李四" not in list_page.content.decode()
    api_list = c.get("/api/members/")
    assert api_list.status_code == 403 and "李四" not in api_list.content.decode()
    assert c.get("/members/roster.xlsx").status_code == 403


def test_menu_entry_for_party_member_role(linked, personas, client_for):
    home = client_for(personas.member).get("/").content.decode()
    assert 'href="/members/me/"' in home and "我的档案" in home
    assert "我的档案" not in client_for(personas.grid_worker).get("/").content.decode()


@pytest.mark.parametrize("who", ["district_admin", "secretary", "community_staff", "grid_worker", "liaison",
                                 "west_secretary", "sysadmin", "auditor", "nobody"])
def test_unlinked_accounts_see_no_record(who, linked, personas, client_for):
    c = client_for(getattr(personas, who))
    resp = c.get("/members/me/")
    page = resp.content.decode()
    assert resp.status_code == 200 and "尚未关联党员档案" in page and "张三" not in page
    assert c.get("/members/me/card.pdf").status_code == 404
    assert c.get("/members/me/card.docx").status_code == 404
    assert c.get("/members/me/photo/").status_code == 404


def test_anonymous_is_sent_to_login(client, linked):
    for url in ("/members/me/", "/members/me/card.pdf", "/members/me/photo/"):
        resp = client.get(url)
        assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


def test_a_secretary_who_is_a_member_reaches_own_record_from_home(personas, members, client_for):
    ls = members["ls"]
    ls.user = personas.secretary
    ls.save()
    c = client_for(personas.secretary)
    home = c.get("/").content.decode()
    assert "我的党员档案" in home and 'href="/members/me/"' in home
    page = c.get("/members/me/").content.decode()
    assert "李四" in page and "张三" not in page
    assert "我的党员档案" not in client_for(personas.west_secretary).get("/").content.decode()


def test_retired_member_quota_note_and_no_dues_owed_when_paid(personas, members, client_for):
    ls = members["ls"]  # retired, income 4000 → 0.5 % = 20.00
    ls.user = personas.member
    ls.save()
    this_month = timezone.localdate().replace(day=1)
    for k in range(1, 13):
        DuesPayment.objects.create(member=ls, month=_month_add(this_month, -k), amount=Decimal("20.00"),
                                   paid_on=timezone.localdate(), org=ls.org)
    page = client_for(personas.member).get("/members/me/").content.decode()
    assert "此前各月党费均已按月交纳" in page and "<strong>20.00</strong> 元" in page
    assert "党费尚未登记缴纳" in page  # this month is still open
    assert "适用于到居住地社区报到的在职党员" in page and "尚未向居住地社区报到" in page
    assert "无外出流动记录" in page


def test_secretary_links_and_unlinks_the_account_on_the_edit_page(personas, members, client_for):
    zs = members["zs"]
    c = client_for(personas.secretary)
    assert 'id="link-form"' in c.get(f"/members/{zs.pk}/edit/").content.decode()
    resp = c.post(f"/members/{zs.pk}/edit/account/", {"username": "member"})
    assert resp.status_code == 302
    zs.refresh_from_db()
    assert zs.user == personas.member
    assert "张三" in client_for(personas.member).get("/members/me/").content.decode()
    entry = AuditEntry.objects.filter(object_type="members.partymember", object_id=str(zs.pk)).latest("id")
    assert entry.changes == {"user": ["", "member"]} and entry.actor == personas.secretary
    # The same account cannot hold two records; system accounts and unknown names are refused.
    ls = members["ls"]
    for username, reason in (("member", "已关联其他党员档案"), ("auditor", "审计管理账号不能关联"),
                             ("root", "不能关联"), ("nosuchuser", "没有名为“nosuchuser”的有效账号")):
        resp = c.post(f"/members/{ls.pk}/edit/account/", {"username": username})
        assert resp.status_code == 400 and reason in resp.content.decode(), username
    ls.refresh_from_db()
    assert ls.user is None
    # Unlink: the account no longer sees the record.
    assert c.post(f"/members/{zs.pk}/edit/account/", {"username": ""}).status_code == 302
    zs.refresh_from_db()
    assert zs.user is None
    assert "尚未关联党员档案" in client_for(personas.member).get("/members/me/").content.decode()


@pytest.mark.parametrize("who", ["grid_worker", "member", "west_secretary", "liaison", "nobody"])
def test_only_editors_in_scope_may_link(who, personas, members, client_for):
    zs = members["zs"]
    resp = client_for(getattr(personas, who)).post(f"/members/{zs.pk}/edit/account/", {"username": who})
    assert resp.status_code == 404  # the record is looked up in the members.edit scope first
    zs.refresh_from_db()
    assert zs.user is None


def _link_refused(c, member, username, reason):
    before = AuditEntry.objects.count()
    resp = c.post(f"/members/{member.pk}/edit/account/", {"username": username})
    assert resp.status_code == 400 and reason in resp.content.decode(), username
    member.refresh_from_db()
    assert member.user is None and AuditEntry.objects.count() == before


def test_accounts_of_another_street_cannot_be_linked(personas, members, tree, client_for):
    """Linking would let the account read the record under 我的档案: only a fresh account or a 党员 of the
    editor's own scope may be linked."""
    from django.core.exceptions import ValidationError

    from accounts.roles import Role
    from conftest import make_user

    west_staff = make_user("west_staff", Role.STREET_STAFF, tree.west)
    west_member = make_user("west_member", Role.PARTY_MEMBER, tree.west1)
    # A 党员 of 东一社区 who also works for 西镇 is a 党员 of the secretary's scope: still linkable.
    both = make_user("both", Role.PARTY_MEMBER, tree.east1)
    both.role_assignments.create(role=Role.STREET_STAFF, region=tree.west)
    zs = members["zs"]
    c = client_for(personas.secretary)
    for user in (west_staff, west_member, personas.west_secretary, personas.street_staff, personas.grid_worker,
                 personas.district_admin):
        _link_refused(c, zs, user.username, "该账号不在您的管辖范围内")
        with pytest.raises(ValidationError) as exc:
            services.member_user_link(actor=personas.secretary, member=zs, username=user.username)
        assert list(exc.value.error_dict) == ["user"]
    # The district admin's scope covers 西一社区: their 党员 there is linkable by them, not by the east secretary.
    ww = members["ww"]
    services.member_user_link(actor=personas.district_admin, member=ww, username="west_member")
    ww.refresh_from_db()
    assert ww.user == west_member
    services.member_user_link(actor=personas.secretary, member=zs, username="both")
    zs.refresh_from_db()
    assert zs.user == both


def test_inactive_account_cannot_be_linked(personas, members, client_for):
    personas.nobody.is_active = False
    personas.nobody.save()
    _link_refused(client_for(personas.secretary), members["zs"], "nobody", "没有名为“nobody”的有效账号")


def test_fresh_account_without_roles_can_be_linked(personas, members, client_for):
    zs = members["zs"]
    resp = client_for(personas.secretary).post(f"/members/{zs.pk}/edit/account/", {"username": "nobody"})
    assert resp.status_code == 302
    zs.refresh_from_db()
    assert zs.user == personas.nobody
    entry = AuditEntry.objects.filter(object_type="members.partymember", object_id=str(zs.pk)).latest("id")
    assert entry.changes == {"user": ["", "nobody"]} and entry.actor == personas.secretary
    assert "张三" in client_for(personas.nobody).get("/members/me/").content.decode()


def test_members_self_is_global_and_grants_no_scope(linked, personas, members, client_for):
    """members.self only opens the 我的档案 menu entry: as a scope it would hand a 党员 the whole community."""
    from accounts.scope import has_perm, has_perm_at, scope_filter, scope_paths
    from members.models import PartyMember
    from members.perms import MembersPerm

    zs, _ = linked
    user = personas.member
    assert has_perm(user, MembersPerm.SELF)  # the menu entry
    assert scope_paths(user, MembersPerm.SELF) == []
    assert not has_perm_at(user, MembersPerm.SELF, zs.org.region.path)
    assert not scope_filter(PartyMember.objects.all(), user, MembersPerm.SELF).exists()
    services.member_photo_set(actor=personas.secretary, member=zs, photo=upload(image_bytes()))
    c = client_for(user)
    for url in (f"/members/{zs.pk}/", f"/members/{zs.pk}/photo/", f"/members/{zs.pk}/card.pdf"):
        assert c.get(url).status_code == 404, url
    for url in ("/members/me/", "/members/me/photo/", "/members/me/card.pdf"):
        assert c.get(url).status_code == 200, url


def test_owed_dues_follow_the_staff_arrears_report(personas, members, client_for):
    """我的档案 counts arrears exactly as the staff's arrears report (`selectors.arrears`) does."""
    from members import selectors

    zs, ls = members["zs"], members["ls"]
    this_month = timezone.localdate().replace(day=1)
    for k in (7, 8):
        DuesPayment.objects.create(member=ls, month=_month_add(this_month, -k), amount=Decimal("20.00"),
                                   paid_on=timezone.localdate(), org=ls.org)
    staff = {m.pk: (last, behind) for m, last, behind in selectors.arrears(actor=personas.secretary)}
    standing = selectors.dues_standing(ls)
    # Paid up to 7 months ago: the 6 months since are unpaid (the current month is not due yet).
    assert staff[ls.pk] == (standing.last_paid, standing.behind) == (_month_add(this_month, -7), 6)
    assert standing.in_arrears and standing.owed == [_month_add(this_month, -k) for k in range(6, 0, -1)]
    assert standing.owed_amount == Decimal("120.00") and standing.this_month_open
    assert standing.year_total.as_tuple().exponent == -2  # shown as 0.00 元, not 0
    # Never paid (joined 2000): counted back 24 months, like the report.
    never = selectors.dues_standing(zs)
    assert staff[zs.pk] == (None, never.behind) == (None, 24) and len(never.owed) == 24 and never.in_arrears
    ls.user = personas.member
    ls.save()
    page = client_for(personas.member).get("/members/me/").content.decode()
    assert "有 <strong>6</strong> 个月未缴" in page and "合计约 <strong>120.00</strong> 元" in page
    assert 'id="my-arrears"' in page and "连续 <strong>6</strong> 个月未缴" in page
    # Paid up: neither on the report nor owed on the page.
    for k in range(0, 7):
        DuesPayment.objects.create(member=ls, month=_month_add(this_month, -k), amount=Decimal("20.00"),
                                   paid_on=timezone.localdate(), org=ls.org)
    assert ls.pk not in {m.pk for m, *_ in selectors.arrears(actor=personas.secretary)}
    standing = selectors.dues_standing(ls)
    assert (standing.owed, standing.behind, standing.in_arrears, standing.this_month_open) == ([], 0, False, False)


def _dues_card(page: str) -> str:
    return page[page.index('id="my-dues"'):page.index('id="my-mobility"')]


def test_member_without_recorded_income_sees_why_no_amount_is_due(personas, members, client_for):
    """张三 is employed, never paid and has no income on record: the dues standard cannot be computed. The page
    says so and shows no amount, while listing him behind exactly as the staff's arrears report does."""
    from members import selectors

    zs = members["zs"]
    assert zs.monthly_income is None and zs.category == "employed"
    zs.user = personas.member
    zs.save()
    standing = selectors.dues_standing(zs)
    assert standing.income_missing and standing.monthly is None and standing.owed_amount is None
    staff = {m.pk: (last, behind) for m, last, behind in selectors.arrears(actor=personas.secretary)}
    assert staff[zs.pk] == (None, standing.behind) == (None, 24)

    card = _dues_card(client_for(personas.member).get("/members/me/").content.decode())
    assert 'id="my-dues-unset"' in card and "尚未核定" in card
    assert "尚未登记您的月收入" in card and "无法按党费标准计算" in card
    # No figure that reads as an amount owed, and no request to pay an amount nobody can compute.
    assert "合计约" not in card and "请向所在党支部补缴" not in card
    assert "补缴金额待党组织登记收入、核定每月标准后确定" in card
    # The same months behind as the staff report (which lists him with 欠缴月数 24).
    assert "有 <strong>24</strong> 个月没有缴纳记录" in card
    assert 'id="my-arrears"' in card and "连续 <strong>24</strong> 个月未缴" in card

    # The staff report lists him too, and says why no amount can be asked for.
    report = client_for(personas.secretary).get("/members/dues/").content.decode()
    table = report[report.index('id="arrears-table"'):report.index("</table>", report.index('id="arrears-table"'))]
    row = next(r for r in table.split("<tr>") if "张三" in r)
    assert "未登记收入" in row and ">24<" in row
    assert "未登记收入" not in next(r for r in table.split("<tr>") if "李四" in r)  # retired, income on record

    # Once the income is recorded the standard applies: monthly amount and the sum owed.
    services.member_update(actor=personas.secretary, member=zs, monthly_income=Decimal("4000"))
    card = _dues_card(client_for(personas.member).get("/members/me/").content.decode())
    assert 'id="my-dues-unset"' not in card and "<strong>40.00</strong> 元" in card
    assert "合计约 <strong>960.00</strong> 元" in card and "请向所在党支部补缴" in card


def test_fixed_amount_members_need_no_income(personas, members, client_for):
    """Students, unemployed and members in hardship pay the fixed amount: no income needed, nothing unset."""
    from members import selectors

    zs = members["zs"]
    services.member_update(actor=personas.secretary, member=zs, category="student")
    zs.refresh_from_db()
    standing = selectors.dues_standing(zs)
    assert not standing.income_missing and standing.monthly == Decimal("0.20")
    zs.user = personas.member
    zs.save()
    card = _dues_card(client_for(personas.member).get("/members/me/").content.decode())
    assert 'id="my-dues-unset"' not in card and "<strong>0.20</strong> 元" in card and "合计约" in card
