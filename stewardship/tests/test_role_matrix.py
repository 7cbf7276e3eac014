"""Who sees what: a community only its own funds and assets, the street its communities, the district all;
grid workers, members, liaisons and the three system admins nothing (403); out of scope is 404."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from stewardship import services
from stewardship.models import EntryKind, LedgerEntry

from .conftest import pdf, this_year_day

pytestmark = pytest.mark.django_db

PAGES = ["stewardship:index", "stewardship:funds", "stewardship:premises", "stewardship:assets"]


@pytest.mark.parametrize("who,status", [
    ("district_admin", 200), ("street_staff", 200), ("secretary", 200), ("community_staff", 200),
    ("west_secretary", 200), ("grid_worker", 403), ("member", 403), ("liaison", 403), ("sysadmin", 403),
    ("secadmin", 403), ("auditor", 403), ("nobody", 403), ("superuser", 200),
])
def test_pages_by_role(world, personas, client_for, who, status):
    c = client_for(getattr(personas, who))
    for name in PAGES:
        assert c.get(reverse(name)).status_code == status, name


def _objects(world, tree, personas):
    e = services.entry_record(actor=personas.secretary, fund_year=world.fund_year, kind=EntryKind.SPENDING,
                              category="office", date=this_year_day(), amount=Decimal("88"), summary="东一打印纸",
                              vouchers=[pdf()])
    asset = services.asset_create(actor=personas.secretary, region=tree.east1, code="DY-1", name="东一电脑",
                                  category="computer", value="5000", acquired_on=date(2023, 1, 1),
                                  location="办公室", custodian="张三")
    west_asset = services.asset_create(actor=personas.west_secretary, region=tree.west1, code="XY-1",
                                       name="西一电脑", category="computer", value="5000",
                                       acquired_on=date(2023, 1, 1), location="办公室", custodian="李四")
    p = services.premises_create(actor=personas.secretary, region=tree.east1, name="东一党群服务中心",
                                 ownership="owned", area_m2="450")
    return e, asset, west_asset, p


@pytest.mark.parametrize("who,status", [
    ("district_admin", 200), ("street_staff", 200), ("secretary", 200), ("community_staff", 200),
    ("west_secretary", 404), ("grid_worker", 403), ("member", 403), ("liaison", 403), ("auditor", 403),
    ("sysadmin", 403), ("secadmin", 403),
])
def test_a_communitys_records_by_role_and_scope(world, tree, personas, client_for, who, status):
    e, asset, _, p = _objects(world, tree, personas)
    c = client_for(getattr(personas, who))
    for url in (reverse("stewardship:fund_year", args=[world.fund_year.pk]),
                reverse("stewardship:fund_year_xlsx", args=[world.fund_year.pk]),
                reverse("stewardship:entry", args=[e.pk]),
                reverse("stewardship:voucher", args=[e.vouchers.get().pk]),
                reverse("stewardship:asset", args=[asset.pk]),
                reverse("stewardship:premises_detail", args=[p.pk])):
        assert c.get(url).status_code == status, url


def test_lists_show_only_the_scope(world, tree, personas, client_for):
    _, _, _, _ = _objects(world, tree, personas)
    east = client_for(personas.secretary)
    page = east.get(reverse("stewardship:assets")).content.decode()
    assert "东一电脑" in page and "西一电脑" not in page
    funds = east.get(reverse("stewardship:funds")).content.decode()
    assert "东一社区" in funds and "西一社区" not in funds
    report = east.get(reverse("stewardship:index")).content.decode()
    assert "东一社区" in report and "东二社区" not in report and "西一社区" not in report
    street = client_for(personas.street_staff).get(reverse("stewardship:index")).content.decode()
    assert "东一社区" in street and "东二社区" in street and "西一社区" not in street
    district = client_for(personas.district_admin).get(reverse("stewardship:index")).content.decode()
    assert "东一社区" in district and "西一社区" in district
    assert client_for(personas.street_staff).get(
        reverse("stewardship:fund_year", args=[world.west_year.pk])).status_code == 404


def test_writes_need_manage_in_scope(world, tree, personas, client_for):
    url = reverse("stewardship:fund_year", args=[world.fund_year.pk])
    data = {"action": "entry", "kind": "income", "source": "donation", "date": this_year_day().isoformat(),
            "amount": "100", "summary": "捐赠"}
    before = LedgerEntry.objects.count()
    assert client_for(personas.street_staff).post(url, data).status_code == 403
    assert client_for(personas.west_secretary).post(url, data).status_code == 404
    assert client_for(personas.member).post(url, data).status_code == 403
    assert LedgerEntry.objects.count() == before
    assert client_for(personas.secretary).post(url, data).status_code == 302
    assert LedgerEntry.objects.count() == before + 1
    assert client_for(personas.secretary).get(reverse("stewardship:approvals")).status_code == 403
    assert client_for(personas.street_staff).get(reverse("stewardship:approvals")).status_code == 200
    assert client_for(personas.street_staff).get(reverse("stewardship:standards")).status_code == 403
    assert client_for(personas.district_admin).get(reverse("stewardship:standards")).status_code == 200


def test_the_form_shows_the_refusal_in_chinese(world, personas, client_for):
    url = reverse("stewardship:fund_year", args=[world.fund_year.pk])
    c = client_for(personas.secretary)
    r = c.post(url, {"action": "entry", "kind": "spending", "category": "repair", "date": this_year_day().isoformat(),
                     "amount": "99999", "summary": "维修", "vouchers": [pdf()]})
    page = r.content.decode()
    assert r.status_code == 200 and "超过当前结余" in page and "不在" in page
    assert LedgerEntry.objects.filter(fund_year=world.fund_year).count() == 1


def test_menu_and_workbench(world, personas, client_for):
    home = client_for(personas.secretary).get("/").content.decode()
    assert reverse("stewardship:funds") in home and reverse("stewardship:assets") in home
    assert reverse("stewardship:funds") not in client_for(personas.grid_worker).get("/").content.decode()
    assert reverse("stewardship:funds") not in client_for(personas.auditor).get("/").content.decode()
