"""The demo step on the seed county: the eight communities each with this year's funds (6 万 for the county
seat's, 5 万 for the other towns'), premises of over 400 m² with 一厅一校四室, and fixed assets."""

from decimal import Decimal

import pytest

from cobuild.demo import load as load_cobuild
from orgs.demo import load as load_foundation
from stewardship import selectors
from stewardship.demo import load
from stewardship.models import Asset, AssetStatus, FundYear, VenueLoan, Voucher

pytestmark = pytest.mark.django_db


def test_demo_stewardship():
    load_foundation()
    load_cobuild()
    load()
    years = list(FundYear.objects.select_related("region__parent"))
    assert len(years) == 8
    standards = sorted(fy.standard for fy in years)
    assert standards == [Decimal("50000")] * 4 + [Decimal("60000")] * 4
    for s in selectors.summaries(FundYear.objects.all()):
        assert s.meets_standard and s.balance > 0
        assert all(spent <= budget for _, budget, spent, _ in s.by_category if budget is not None)
    spendings = FundYear.objects.filter(entries__kind="spending").count()
    assert Voucher.objects.count() == spendings
    regions = [fy.region for fy in years]
    assert all(st.compliant for st in selectors.premises_statuses(regions))
    equipment = Asset.objects.filter(acquired_on__year=years[0].year - 3)
    assert sum(a.value for a in equipment) == Decimal("160000")  # 16 万 of office equipment (seed 000)
    assert Asset.objects.filter(status=AssetStatus.MISSING).count() == 1
    assert VenueLoan.objects.exists()
