"""The audit admin reads the log in Chinese: object and field names, choice labels, dates, masked
personal data; and filters it down to one object."""

import re

import pytest

from audit.models import AuditAction, AuditEntry
from audit.services import record
from regions import services as tree_services

pytestmark = pytest.mark.django_db


def _entry(**kw):
    return record(actor=None, action=kw.pop("action", AuditAction.UPDATE), **kw)


def test_a_demand_transition_reads_as_chinese(personas, tree, client_for):
    from demands.models import Demand

    _entry(object_type="demands.demand", object_id="7", object_repr="楼道灯不亮",
           changes={"state": ["dispatched", "on_site"], "action": [None, "arrive"]})
    html = client_for(personas.auditor).get("/audit/").content.decode()
    cell = html[html.index('class="audit-changes"'):]
    assert "状态</span>：已派单 → 已到场" in cell and "操作</span>：（空） → 到场" in cell
    assert str(Demand._meta.verbose_name) in html
    assert "dispatched" not in html and "on_site" not in html and "None" not in cell[:400]


def test_dates_booleans_and_personal_data(personas, tree, client_for):
    _entry(object_type="orgs.partyorg", object_id="3", object_repr="东一社区党总支",
           changes={"established_on": [None, "2008-07-01"], "note": [True, False],
                    "secretary_name": ["甲", "乙 13812345678 654322198001011248"]})
    html = client_for(personas.auditor).get("/audit/").content.decode()
    assert "成立日期</span>：（空） → 2008-07-01" in html
    assert "是 → 否" in html
    assert "13812345678" not in html and "654322198001011248" not in html and "138****5678" in html
    assert "书记" in html  # the field's verbose name


def test_filter_by_object(personas, tree, client_for):
    tree_services.region_update(actor=personas.secretary, region=tree.east1_grid2, name="二号网格", division_code="")
    tree_services.region_update(actor=personas.secretary, region=tree.east1_grid1, name="一号网格", division_code="")
    c = client_for(personas.auditor)
    html = c.get(f"/audit/?object_type=regions.region&object_id={tree.east1_grid2.pk}").content.decode()
    assert "二号网格" in html and "一号网格" not in html
    assert f'href="?object_type=regions.region&amp;object_id={tree.east1_grid2.pk}"' in html
    assert '<option value="regions.region" selected>' in html


def test_the_export_reads_as_chinese_too(personas, client_for):
    import io

    from openpyxl import load_workbook

    _entry(object_type="demands.demand", object_id="7", object_repr="楼道灯不亮",
           changes={"state": ["dispatched", "on_site"]})
    wb = load_workbook(io.BytesIO(client_for(personas.auditor).get("/audit/export.xlsx").content))
    row = [c.value for c in next(wb.active.iter_rows(min_row=2, max_row=2))]
    assert "状态：已派单 → 已到场" in row and not any(re.fullmatch(r"demands\.demand", str(v)) for v in row)
    assert AuditEntry.objects.filter(action="export").exists()


def test_lists_floats_boundaries_and_codes_read_as_chinese(personas, tree, client_for):
    _entry(object_type="cobuild.agreement", object_id="1", object_repr="共建协议",
           changes={"activities": [None, "['party', 'service']"]})
    _entry(object_type="grid.gridprofile", object_id="2", object_repr="网格1",
           changes={"center_lat": [None, 89.21000000000001],
                    "boundary": [None, '{"type": "Polygon", "coordinates": [[[89.5, 47.0]]]}']})
    html = client_for(personas.auditor).get("/audit/").content.decode()
    assert "党建联创、服务联办" in html and "89.21<" in html and "（地图边界）" in html
    assert "Polygon" not in html and "89.21000000000001" not in html


def test_a_key_named_like_a_reverse_relation_reads_as_a_value(personas, client_for):
    # A household's edit records its residents under "residents", the name of Resident.household's
    # reverse relation: the page shows the values instead of failing.
    _entry(object_type="grid.household", object_id="5", object_repr="1号楼101",
           changes={"residents": ["陈十三", "林十四"], "head_name": ["陈十三", "林十四"]})
    r = client_for(personas.auditor).get("/audit/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "陈十三 → 林十四" in html
