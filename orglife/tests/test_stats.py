"""The year's statistics per organization: sessions held against the cadence, attendance with online,
review results, the pipeline, gains; charted and exported (.xlsx opened and read)."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone

from orglife import services, stats
from orglife.models import SessionKind

pytestmark = pytest.mark.django_db


def test_year_statistics_and_their_workbook(world, personas, client_for):
    from openpyxl import load_workbook

    today = timezone.localdate()
    s = services.session_create(actor=world.branch_secretary, org=world.branch, kind=SessionKind.THEME_DAY,
                                date=today, topic="主题党日", host_name="书记", place="活动室")
    services.attendance_record(actor=world.branch_secretary, session=s, rows={
        world.me.pk: ("present", ""), world.other.pk: ("excused", "住院"), world.away.pk: ("online", "")})
    r = services.review_open(actor=world.branch_secretary, org=world.branch, year=today.year - 1)
    services.review_rate(actor=world.branch_secretary, entry=r.entries.get(member=world.me), rating="excellent",
                         votes={"votes_excellent": 3})
    row = stats.year_stats([world.branch], today.year)[0]
    assert row.held[SessionKind.THEME_DAY] == 1 and row.required[SessionKind.THEME_DAY] == today.month
    assert (row.expected, row.attended, row.online, row.rate) == (3, 2, 1, 66.7)
    assert stats.year_stats([world.branch], today.year - 1)[0].ratings["excellent"] == 1
    assert stats.growth_series([world.branch], today.year)[-1] == (str(today.year), 3)
    c = client_for(personas.secretary)
    page = c.get(reverse("orglife:stats")).content.decode()
    assert "66.7%" in page and "网格1党支部" in page
    resp = c.get(reverse("orglife:stats") + f"?org={world.branch.pk}&year={today.year}&format=xlsx")
    wb = load_workbook(io.BytesIO(resp.content))
    ws = wb["组织生活统计"]
    assert ws.cell(4, 1).value == "网格1党支部"
    header = [ws.cell(3, j).value for j in range(1, ws.max_column + 1)]
    line = [ws.cell(4, j).value for j in range(1, ws.max_column + 1)]
    assert line[header.index("主题党日（开展/应开展）")] == f"1/{today.month}"
    assert line[header.index("参加率（%）")] == 66.7 and line[header.index("其中线上")] == 1
    assert [c.value for c in wb["党员人数增长"]["B"]][-1] == 3
    assert client_for(personas.member).get(reverse("orglife:stats")).status_code == 403
    west = client_for(personas.west_secretary).get(reverse("orglife:stats")).content.decode()
    assert "网格1党支部" not in west
