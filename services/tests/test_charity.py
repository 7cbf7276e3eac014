"""爱心超市: donations in (goods and money), hand-outs out, never more than the stock or the balance; the
monthly account on the page and as a workbook opened here."""

import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from services import accounts_book, services
from services.models import CharityEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(world, tree, personas):
    rice = services.charity_item_create(actor=personas.secretary, region=tree.east1, name="大米", unit="袋")
    oil = services.charity_item_create(actor=personas.secretary, region=tree.east1, name="食用油", unit="桶")
    return rice, oil


def test_donations_and_handouts_balance(shop, world, tree, personas):
    rice, _ = shop
    today = timezone.localdate()
    sec = personas.secretary
    services.donation_record(actor=sec, region=tree.east1, on=today, party_kind="unit", party_name="县供电公司",
                             kind="goods", item=rice, quantity="20")
    services.donation_record(actor=sec, region=tree.east1, on=today, party_kind="member", party_name="王党员",
                             kind="money", money="500")
    services.handout_record(actor=sec, region=tree.east1, on=today, party_name="张大爷", kind="goods", item=rice,
                            quantity="3", household=world.household, points=30, reason="积分兑换")
    services.handout_record(actor=sec, region=tree.east1, on=today, party_name="李阿姨", kind="money", money="200",
                            reason="低保户临时救助")
    rice.refresh_from_db()
    assert rice.stock == Decimal("17")
    assert services.money_balance(tree.east1) == Decimal("300")


def test_a_handout_larger_than_the_stock_is_refused_and_nothing_changes(shop, tree, personas):
    rice, _ = shop
    today = timezone.localdate()
    services.donation_record(actor=personas.secretary, region=tree.east1, on=today, party_kind="resident",
                             party_name="赵大姐", kind="goods", item=rice, quantity="5")
    with pytest.raises(ValidationError) as exc:
        services.handout_record(actor=personas.secretary, region=tree.east1, on=today, party_name="张大爷",
                                kind="goods", item=rice, quantity="6", reason="困难家庭")
    assert "超过“大米”的库存 5袋" in exc.value.message_dict["quantity"][0]
    with pytest.raises(ValidationError, match="超过资金结余"):
        services.handout_record(actor=personas.secretary, region=tree.east1, on=today, party_name="张大爷",
                                kind="money", money="1", reason="困难家庭")
    rice.refresh_from_db()
    assert rice.stock == 5 and CharityEntry.objects.filter(direction="out").count() == 0


@pytest.mark.parametrize("kw,field", [
    ({"quantity": "0"}, "quantity"), ({"quantity": "1e12"}, "quantity"), ({"quantity": "abc"}, "quantity"),
    ({"quantity": "1.234"}, "quantity"), ({"party_name": "<script>"}, "party_name"),
    ({"on": timezone.localdate() + timedelta(days=2)}, "date"),
])
def test_bad_donations_are_named(shop, tree, personas, kw, field):
    rice, _ = shop
    data = dict(actor=personas.secretary, region=tree.east1, on=timezone.localdate(), party_kind="unit",
                party_name="县供电公司", kind="goods", item=rice, quantity="2")
    data.update(kw)
    with pytest.raises(ValidationError) as exc:
        services.donation_record(**data)
    assert field in exc.value.message_dict
    rice.refresh_from_db()
    assert rice.stock == 0 and not CharityEntry.objects.exists()


def test_out_of_scope_writes_are_refused(shop, tree, personas):
    rice, _ = shop
    with pytest.raises(ValidationError, match="没有"):
        services.donation_record(actor=personas.west_secretary, region=tree.east1, on=timezone.localdate(),
                                 party_kind="unit", party_name="x", kind="goods", item=rice, quantity="2")


def test_the_monthly_account_and_its_workbook(shop, tree, personas, client_for):
    rice, oil = shop
    sec = personas.secretary
    today = timezone.localdate()
    last_month = today.replace(day=1) - timedelta(days=1)
    services.donation_record(actor=sec, region=tree.east1, on=last_month, party_kind="unit", party_name="县医院",
                             kind="goods", item=rice, quantity="10")
    services.donation_record(actor=sec, region=tree.east1, on=last_month, party_kind="unit", party_name="县医院",
                             kind="money", money="1000")
    services.donation_record(actor=sec, region=tree.east1, on=today, party_kind="member", party_name="王党员",
                             kind="goods", item=oil, quantity="4")
    services.handout_record(actor=sec, region=tree.east1, on=today, party_name="张大爷", kind="goods", item=rice,
                            quantity="2", points=20)
    services.handout_record(actor=sec, region=tree.east1, on=today, party_name="张大爷", kind="money", money="150",
                            reason="临时救助")
    acc = accounts_book.month_account(tree.east1, today.year, today.month)
    lines = {line.name: line for line in acc["lines"]}
    assert (lines["大米"].opening, lines["大米"].got, lines["大米"].given, lines["大米"].closing) == (10, 0, 2, 8)
    assert (lines["食用油"].opening, lines["食用油"].closing) == (0, 4)
    assert (acc["cash"].opening, acc["cash"].given, acc["cash"].closing) == (1000, 150, 850)
    assert acc["households"] == 1 and acc["points"] == 20
    c = client_for(personas.community_staff)
    month = f"{today:%Y-%m}"
    page = c.get(reverse("services:charity_account") + f"?month={month}").content.decode()
    assert "850.00" in page
    r = c.get(reverse("services:charity_xlsx") + f"?month={month}")
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    ws = wb["月度台账"]
    rows = {row[0]: row for row in ws.iter_rows(min_row=4, values_only=True) if row[0]}
    assert rows["大米"][2:6] == (10, 0, 2, 8) and rows["资金"][5] == 850
    assert wb["明细"].max_row == 4
    from audit.models import AuditEntry
    assert AuditEntry.objects.filter(action="export", actor=personas.community_staff).exists()


def test_the_entry_pages(shop, tree, personas, client_for):
    rice, _ = shop
    c = client_for(personas.secretary)
    url = reverse("services:donation_new") + f"?region={tree.east1.pk}"
    r = c.post(url, {"date": timezone.localdate().isoformat(), "party_kind": "unit", "party_name": "县供电公司",
                     "kind": "goods", "item": rice.pk, "quantity": "12"})
    assert r.status_code == 302
    r = c.post(reverse("services:handout_new") + f"?region={tree.east1.pk}", {
        "date": timezone.localdate().isoformat(), "party_name": "张大爷", "kind": "goods", "item": rice.pk,
        "quantity": "13", "reason": "困难家庭"})
    assert r.status_code == 400 and "超过“大米”的库存" in r.content.decode()
    rice.refresh_from_db()
    assert rice.stock == 12
