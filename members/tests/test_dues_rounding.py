"""Dues totals are money: two decimal places on every page, whatever the database sums to."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from members import selectors, services
from members.tests.conftest import add_member

pytestmark = pytest.mark.django_db


def test_the_totals_table_prints_money_with_two_places(personas, tree, members, client_for):
    year = timezone.localdate().year
    for i, amount in enumerate(("1163.33", "1162.34", "1161.33")):
        m = add_member(tree.east1_org, name=f"党员{i}", id_number=None)
        services.dues_pay(actor=personas.secretary, member=m, month=date(year, 1, 1), amount=Decimal(amount))
    rows = selectors.dues_totals(actor=personas.secretary, year=year)
    assert rows[0]["total"] == Decimal("3487.00") and rows[0]["months"][0] == Decimal("3487.00")
    html = client_for(personas.secretary).get(f"/members/dues/?year={year}").content.decode()
    table = html[html.index('id="dues-totals"'):html.index("</table>", html.index('id="dues-totals"'))]
    assert "3487.00<" in table and "12月" in table
    assert not re.search(r"\d\.\d{3,}", table)
