from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from stewardship import services
from stewardship.models import EntryKind, FundYear

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="发票.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def this_year_day(month=1, day=5) -> date:
    """A day of this year not after today."""
    today = timezone.localdate()
    d = date(today.year, month, day)
    return d if d <= today else today


@dataclass
class World:
    fund_year: FundYear   # 东一社区, this year: 60,000 allocated, budget 办公用品 10,000, 党员教育活动 20,000
    west_year: FundYear   # 西一社区, this year, 50,000 allocated


@pytest.fixture
def world(tree, personas):
    services.community_type_set(actor=personas.district_admin, region=tree.east1, community_type="county_seat")
    fy = services.fund_year_open(actor=personas.secretary, region=tree.east1, year=timezone.localdate().year,
                                 budget={"office": "10000", "education": "20000"})
    services.entry_record(actor=personas.secretary, fund_year=fy, kind=EntryKind.INCOME, source="allocation",
                          date=this_year_day(), amount=Decimal("60000"), summary="县财政拨付年度办公活动经费")
    wy = services.fund_year_open(actor=personas.west_secretary, region=tree.west1, year=timezone.localdate().year,
                                 budget={"office": "5000"})
    services.entry_record(actor=personas.west_secretary, fund_year=wy, kind=EntryKind.INCOME, source="allocation",
                          date=this_year_day(), amount=Decimal("50000"), summary="县财政拨付年度办公活动经费")
    return World(fy, wy)
