"""The demo step on the seed county: every community has its catalogue, orders, errands, jobs, a
charity-shop year that balances, venues and the duty roster."""

import pytest

from cobuild.demo import load as load_cobuild
from grid.demo import load as load_grid
from orgs.demo import load as load_foundation
from regions.models import Region, RegionKind
from services import accounts_book
from services.demo import load
from services.models import (
    Booking,
    CharityItem,
    DutyShift,
    Errand,
    JobPost,
    Order,
    OrderState,
    Placement,
    Provider,
    Service,
)

pytestmark = pytest.mark.django_db


def test_demo_services():
    load_foundation()
    load_grid()
    load_cobuild()
    load()
    communities = list(Region.objects.filter(kind=RegionKind.COMMUNITY))
    assert len(communities) == 8
    for c in communities:
        assert Service.objects.filter(region=c).count() == 7
        assert Provider.objects.filter(region=c).count() >= 4
        assert 40 <= Order.objects.filter(region=c).count() <= 52
        assert Order.objects.filter(region=c, state=OrderState.NEW).exists()
        assert Errand.objects.filter(region=c).count() == 8
        assert JobPost.objects.filter(region=c).exists()
        assert Placement.objects.filter(job__region=c, state="placed").exists()
        assert Booking.objects.filter(venue__region=c).exists()
        assert DutyShift.objects.filter(region=c).count() == 14 * 6
        for item in CharityItem.objects.filter(region=c):
            assert item.stock >= 0
    # The ledger balances: this month's closing stock is the stock kept on each item.
    c = communities[0]
    from django.utils import timezone
    today = timezone.localdate()
    acc = accounts_book.month_account(c, today.year, today.month)
    stock = {i.name: i.stock for i in CharityItem.objects.filter(region=c)}
    assert all(line.closing == stock[line.name] for line in acc["lines"])
    assert acc["cash"].closing >= 0
    assert Provider.objects.filter(account__username="dw_lly").count() == 1
