"""The funds ledger: standards as data, the budget, income and spending with vouchers, the balance,
spending beyond the balance or outside the budget refused unless approved, Chinese messages."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import AuditEntry
from stewardship import selectors, services
from stewardship.models import CommunityType, EntryKind, EntryStatus, FundYear, LedgerEntry, Voucher

from .conftest import pdf, this_year_day

pytestmark = pytest.mark.django_db


def spend(actor, fy, amount, category="office", **kw):
    kw.setdefault("vouchers", [pdf()])
    return services.entry_record(actor=actor, fund_year=fy, kind=EntryKind.SPENDING, category=category,
                                 date=this_year_day(2, 1), amount=amount, summary="购买打印纸", **kw)


def test_standards_are_data_and_a_year_takes_its_communitys(tree, personas):
    st = selectors.standards()
    assert st[CommunityType.COUNTY_SEAT].yearly_amount == Decimal("60000")
    assert st[CommunityType.TOWN].yearly_amount == Decimal("50000")
    assert st[CommunityType.CITY].yearly_amount == Decimal("500000")
    # 西镇 is a town: its community is a 建制镇社区 unless the district says otherwise; 东街道 is a street.
    assert selectors.community_type_of(tree.west1) == CommunityType.TOWN
    assert selectors.community_type_of(tree.east2) == CommunityType.CITY
    services.community_type_set(actor=personas.district_admin, region=tree.east1,
                                community_type=CommunityType.COUNTY_SEAT)
    services.standards_update(actor=personas.district_admin, amounts={CommunityType.COUNTY_SEAT: "65000"})
    fy = services.fund_year_open(actor=personas.secretary, region=tree.east1, year=timezone.localdate().year,
                                 budget={"office": "1000"})
    assert fy.community_type == CommunityType.COUNTY_SEAT and fy.standard == Decimal("65000")
    with pytest.raises(ValidationError, match="只有区委组织部管理员"):
        services.standards_update(actor=personas.street_staff, amounts={CommunityType.TOWN: "1"})
    with pytest.raises(ValidationError, match="年度经费标准应大于 0"):
        services.standards_update(actor=personas.district_admin, amounts={CommunityType.TOWN: "-1"})


def test_spending_with_a_voucher_keeps_the_running_balance(world, personas):
    fy = world.fund_year
    e = spend(personas.community_staff, fy, Decimal("1234.50"))
    assert e.status == EntryStatus.POSTED and e.vouchers.count() == 1
    assert selectors.balance(fy) == Decimal("58765.50")
    rows = selectors.ledger(fy)
    assert [r.balance for r in rows] == [Decimal("60000"), Decimal("58765.50")]
    s = selectors.summaries(FundYear.objects.filter(pk=fy.pk))[0]
    assert s.allocation == Decimal("60000") and s.meets_standard and s.spending == Decimal("1234.50")
    assert AuditEntry.objects.filter(object_type="stewardship.ledgerentry", object_id=str(e.pk)).exists()


def test_spending_needs_a_voucher_and_refuses_bad_input(world, personas):
    fy = world.fund_year
    before = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        spend(personas.secretary, fy, Decimal("100"), vouchers=[])
    assert "支出须上传凭证" in str(exc.value)
    for amount, message in ((Decimal("0"), "金额应大于 0"), (Decimal("-5"), "金额应大于 0"),
                            (Decimal("1000000000000"), "金额不能超过")):
        with pytest.raises(ValidationError, match=message):
            spend(personas.secretary, fy, amount)
    with pytest.raises(ValidationError, match="摘要不能包含"):
        services.entry_record(actor=personas.secretary, fund_year=fy, kind=EntryKind.SPENDING, category="office",
                              date=this_year_day(), amount=1, summary="<script>alert(1)</script>", vouchers=[pdf()])
    with pytest.raises(ValidationError, match="控制字符"):
        services.entry_record(actor=personas.secretary, fund_year=fy, kind=EntryKind.SPENDING, category="office",
                              date=this_year_day(), amount=1, summary="打印纸\x00", vouchers=[pdf()])
    future = timezone.localdate().replace(year=timezone.localdate().year + 1)
    with pytest.raises(ValidationError, match="日期不能晚于今天"):
        services.entry_record(actor=personas.secretary, fund_year=fy, kind=EntryKind.SPENDING, category="office",
                              date=future, amount=1, summary="打印纸", vouchers=[pdf()])
    empty = SimpleUploadedFile("空.pdf", b"", content_type="application/pdf")
    with pytest.raises(ValidationError, match="是空文件"):
        spend(personas.secretary, fy, Decimal("10"), vouchers=[empty])
    fake = SimpleUploadedFile("病毒.exe", b"MZ\x90\x00" * 100, content_type="application/pdf")
    with pytest.raises(ValidationError, match="应为 PDF 或 JPG、PNG 图片"):
        spend(personas.secretary, fy, Decimal("10"), vouchers=[fake])
    assert LedgerEntry.objects.count() == before and Voucher.objects.count() == 0


def test_beyond_the_balance_or_outside_the_budget_is_refused_unless_approval_is_asked(world, personas):
    fy = world.fund_year
    before = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        spend(personas.secretary, fy, Decimal("70000"), category="education")
    assert "超过当前结余 60,000.00 元" in str(exc.value) and "不得挪用、挤占" in str(exc.value)
    with pytest.raises(ValidationError, match="“设施维修”不在 .* 年预算的支出类别中"):
        spend(personas.secretary, fy, Decimal("500"), category="repair")
    with pytest.raises(ValidationError, match="超出预算"):
        spend(personas.secretary, fy, Decimal("10000.01"), category="office")
    with pytest.raises(ValidationError, match="申请审批理由不能为空"):
        spend(personas.secretary, fy, Decimal("500"), category="repair", request_approval=True)
    assert LedgerEntry.objects.count() == before
    e = spend(personas.secretary, fy, Decimal("500"), category="repair", request_approval=True,
              approval_reason="活动室屋顶漏雨，急需维修")
    assert e.status == EntryStatus.PENDING and selectors.balance(fy) == Decimal("60000")
    with pytest.raises(ValidationError, match="没有审批"):
        services.entry_decide(actor=personas.west_secretary, entry=e, approve=True)
    with pytest.raises(ValidationError, match="不能审批自己"):
        services.entry_decide(actor=personas.district_admin,
                              entry=spend(personas.district_admin, fy, Decimal("1"), category="repair",
                                          request_approval=True, approval_reason="测试"), approve=True)
    services.entry_decide(actor=personas.street_staff, entry=e, approve=True, note="同意")
    assert selectors.balance(fy) == Decimal("59500")
    with pytest.raises(ValidationError, match="不需要再审批"):
        services.entry_decide(actor=personas.street_staff, entry=e, approve=False, note="重复")


def test_a_refusal_needs_a_reason_and_never_counts(world, personas):
    e = spend(personas.secretary, world.fund_year, Decimal("90000"), category="office", request_approval=True,
              approval_reason="购置电脑")
    with pytest.raises(ValidationError, match="审批意见不能为空"):
        services.entry_decide(actor=personas.street_staff, entry=e, approve=False)
    services.entry_decide(actor=personas.street_staff, entry=e, approve=False, note="超出结余，请列入下年预算")
    e.refresh_from_db()
    assert e.status == EntryStatus.REJECTED and selectors.balance(world.fund_year) == Decimal("60000")


def test_a_year_once_per_community_and_only_in_scope(world, tree, personas):
    with pytest.raises(ValidationError, match="已经建立"):
        services.fund_year_open(actor=personas.secretary, region=tree.east1, year=timezone.localdate().year,
                                budget={})
    with pytest.raises(ValidationError, match="没有建立经费账"):
        services.fund_year_open(actor=personas.secretary, region=tree.east2, year=timezone.localdate().year,
                                budget={})
    with pytest.raises(ValidationError, match="办公用品预算不能小于 0"):
        services.fund_year_open(actor=personas.district_admin, region=tree.east2, year=timezone.localdate().year,
                                budget={"office": "-1"})
    with pytest.raises(ValidationError, match="没有记账"):
        spend(personas.west_secretary, world.fund_year, Decimal("1"))
    with pytest.raises(ValidationError, match="不在 .* 年度内"):
        services.entry_record(actor=personas.secretary, fund_year=world.fund_year, kind=EntryKind.INCOME,
                              source="donation", date=this_year_day().replace(year=2020), amount=1, summary="捐赠")
