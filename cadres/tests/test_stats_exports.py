"""Statistics computed from the roster (never stored), rolled up per street and district; the roster and
statistics .xlsx opened and checked."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cadres import selectors, services
from cadres.exports import ROSTER_HEADERS, STATS_HEADERS

from .conftest import make

pytestmark = pytest.mark.django_db


def _age(b):
    t = timezone.localdate()
    return t.year - b.year - ((t.month, t.day) < (b.month, b.day))


def test_statistics_per_community_street_and_total(world, tree, personas):
    da = personas.district_admin
    make(da, tree.east1, "周二", birth=date(1970, 1, 1), position="secretary", employment="admin",
         education="secondary")  # a second secretary, not 一肩挑: 50 %
    rows = selectors.stats_rows(da, timezone.localdate())
    by = {(r.level, r.region.name if r.region else ""): r.stats for r in rows}
    e1 = by[("community", "东一社区")]
    assert e1.total == 3 and e1.national == 2 and e1.hired == 1
    assert e1.by_employment == {"admin": 1, "career": 1, "hired": 1, "welfare": 0}
    ages = [_age(date(1975, 5, 1)), _age(date(1998, 7, 9)), _age(date(1970, 1, 1))]
    assert e1.average_age == round(sum(ages) / 3, 1)
    assert e1.under35 == sum(a < 35 for a in ages)
    assert e1.college == 2 and e1.college_share == round(200 / 3, 1)
    assert (e1.secretaries, e1.one_shoulder, e1.one_shoulder_share) == (2, 1, 50.0)
    east = by[("street", "东街道")]
    assert east.total == 3  # 东二社区 has nobody
    assert by[("community", "东二社区")].total == 0 and by[("community", "东二社区")].average_age is None
    total = rows[-1].stats
    assert rows[-1].level == "total" and total.total == 4 and total.by_employment["welfare"] == 1
    # The street sees its communities only.
    street_rows = selectors.stats_rows(personas.street_staff, timezone.localdate())
    assert street_rows[-1].stats.total == 3
    assert {r.region.name for r in street_rows if r.level == "community"} == {"东一社区", "东二社区"}
    # Leaving changes the figures at once: nothing is stored.
    services.cadre_leave(actor=da, cadre=world.worker, date=timezone.localdate(), note="辞职")
    assert selectors.stats_rows(da, timezone.localdate())[-1].stats.total == 3


def test_the_stats_page(world, personas, client_for):
    page = client_for(personas.district_admin).get(reverse("cadres:stats")).content.decode()
    assert "东街道小计" in page and "合计" in page and "一肩挑" in page


def test_roster_and_statistics_xlsx(world, tree, personas, client_for):
    services.contract_add(actor=personas.district_admin, cadre=world.worker, start=date(2024, 1, 1))
    r = client_for(personas.district_admin).get(reverse("cadres:roster_xlsx"))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(BytesIO(b"".join(r.streaming_content) if r.streaming else r.content))
    ws = wb["花名册"]
    assert [c.value for c in ws[2]] == ROSTER_HEADERS
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    assert len(rows) == 3
    li = next(row for row in rows if row[3] == "李小梅")
    h = {name: i for i, name in enumerate(ROSTER_HEADERS)}
    assert li[h["社区"]] == "东一社区" and li[h["性别"]] == "女" and li[h["身份类别"]] == "聘用人员"
    assert "*" in li[h["身份证号"]] and li[h["身份证号"]] != world.worker.id_number
    assert li[h["联系电话"]] == "139****5678"
    assert li[h["月补贴（元）"]] == "2,800" and li[h["合同期限"]] == "2024.01.01-2026.12.31"
    zhang = next(row for row in rows if row[3] == "张书记")
    assert zhang[h["“一肩挑”"]] == "是" and zhang[h["职务"]] == "党组织书记、居委会主任"
    st = wb["统计"]
    assert [c.value for c in st[2]] == STATS_HEADERS
    labels = [row[0].value for row in st.iter_rows(min_row=3)]
    assert labels == ["东一社区", "东二社区", "东街道小计", "西一社区", "西镇小计", "合计"]
    total = [c.value for c in st[st.max_row]]
    assert total[1] == 3 and total[STATS_HEADERS.index("国家干部合计")] == 1
    assert total[STATS_HEADERS.index("聘用人员合计")] == 2


def test_the_secretary_export_masks_allowances(world, personas, client_for):
    r = client_for(personas.secretary).get(reverse("cadres:roster_xlsx"))
    wb = load_workbook(BytesIO(r.content))
    rows = [[c.value for c in row] for row in wb["花名册"].iter_rows(min_row=3)]
    assert {row[3] for row in rows} == {"张书记", "李小梅"}
    assert {row[ROSTER_HEADERS.index("月补贴（元）")] for row in rows} == {"***"}
