"""The funds ledger and the asset ledger as real .xlsx files (opened with openpyxl), audited; the workbench."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEntry
from stewardship import services
from stewardship.models import EntryKind

from .conftest import pdf, this_year_day

pytestmark = pytest.mark.django_db


def test_funds_ledger_xlsx(world, personas, client_for):
    services.entry_record(actor=personas.secretary, fund_year=world.fund_year, kind=EntryKind.SPENDING,
                          category="office", date=this_year_day(1, 9), amount=Decimal("250.5"), summary="购买打印纸",
                          voucher_no="付-001", vouchers=[pdf()])
    services.entry_record(actor=personas.secretary, fund_year=world.fund_year, kind=EntryKind.SPENDING,
                          category="repair", date=this_year_day(1, 9), amount=Decimal("900"), summary="维修门窗",
                          vouchers=[pdf()], request_approval=True, approval_reason="未列入预算")
    r = client_for(personas.street_staff).get(reverse("stewardship:fund_year_xlsx", args=[world.fund_year.pk]))
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    wb = load_workbook(BytesIO(r.content))
    ws = wb["经费台账"]
    assert "东一社区" in ws["A1"].value and "经费台账" in ws["A1"].value
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    assert rows[0][2] == "县财政拨付年度办公活动经费" and rows[0][5] == 60000 and rows[0][7] == 60000
    assert rows[1][2] == "购买打印纸" and rows[1][6] == 250.5 and rows[1][7] == 59749.5 and rows[1][9] == 1
    assert rows[2][8] == "待审批" and rows[2][7] is None and "未列入预算" in rows[2][10]
    assert rows[-1][0] == "合计" and rows[-1][5] == 60000 and rows[-1][6] == 250.5 and rows[-1][7] == 59749.5
    budget = [[c.value for c in row] for row in wb["预算执行"].iter_rows()]
    assert budget[0][7] == "达标" and ["办公用品", 10000, 250.5, 9749.5] in [r[:4] for r in budget]
    assert AuditEntry.objects.filter(action="export", object_type="stewardship.fundyear").exists()


def test_asset_ledger_xlsx_only_the_scope(tree, personas, client_for):
    for actor, region, code, name in ((personas.secretary, tree.east1, "DY-1", "东一电脑"),
                                      (personas.west_secretary, tree.west1, "XY-1", "西一电脑")):
        services.asset_create(actor=actor, region=region, code=code, name=name, category="computer", value="4600",
                              acquired_on=date(2023, 6, 18), location="办公室", custodian="李会计")
    r = client_for(personas.secretary).get(reverse("stewardship:assets_xlsx"))
    ws = load_workbook(BytesIO(r.content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    assert [row[2] for row in rows[:-1]] == ["东一电脑"]
    assert rows[0][5] == 4600 and rows[-1][0] == "合计（在账）" and rows[-1][5] == 4600
    assert AuditEntry.objects.filter(action="export", object_type="stewardship.asset").exists()


def test_workbench_blocks(world, personas, client_for):
    e = services.entry_record(actor=personas.secretary, fund_year=world.fund_year, kind=EntryKind.SPENDING,
                              category="repair", date=this_year_day(), amount=Decimal("900"), summary="维修屋顶漏雨",
                              vouchers=[pdf()], request_approval=True, approval_reason="未列入预算")
    street = client_for(personas.street_staff).get("/").content.decode()
    assert "经费与资产待审批" in street and reverse("stewardship:entry", args=[e.pk]) in street
    community = client_for(personas.secretary).get("/").content.decode()
    assert 'id="wb-stewardship-todo"' in community and "维修屋顶漏雨" in community
    assert "经费与资产" not in client_for(personas.grid_worker).get("/").content.decode()
