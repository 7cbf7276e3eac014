"""居民迁入他户: a resident moves from one household to another, keeping the record (and the ID number).

The service (counters and care flags on both households, the grid following the new household, one audit
entry), each refusal (a Chinese message naming the field, nothing changed), the lookup of target households
within the scope, and who may open the page (role matrix as in test_people_pages.py).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from grid import selectors, services
from grid.models import Household, Resident

pytestmark = pytest.mark.django_db

TODAY = date.today


def _errors(resp) -> dict:
    return {k: " ".join(v) for k, v in resp.context["form"].errors.items()}


def _post(hh, **kw) -> dict:
    data = {"q": "", "household": hh.pk if hh is not None else "", "relation": "other",
            "moved_on": TODAY().isoformat(), "note": ""}
    data.update(kw)
    return data


def _state(*residents) -> tuple:
    """Everything a refused transfer must leave as it was."""
    rows = tuple(Resident.objects.filter(pk__in=[r.pk for r in residents]).order_by("pk")
                 .values_list("household_id", "grid_id", "relation", "status"))
    hhs = tuple(Household.objects.order_by("pk").values_list("members", "is_care", "head_name"))
    return rows, hhs, AuditEntry.objects.count()


def _moves(r) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type="grid.resident", object_id=str(r.pk), action="move"))


# ---------------------------------------------------------------------------
# The service
# ---------------------------------------------------------------------------


def test_head_moves_into_another_household_in_the_grid(personas, gdata, tree, client_for):
    old = gdata.households["g11"][0]     # 张三 (户主, 独居老人) lives here
    new = gdata.households["g11"][2]     # 王五's household
    zhang = gdata.residents["g11"][0]
    son = services.resident_add(actor=personas.grid_worker, household=old, name="张子", relation="child")
    stats = selectors.grid_stats(tree.east1_grid1)
    c = client_for(personas.grid_worker)
    resp = c.post(f"/grid/residents/{zhang.pk}/transfer/", _post(new, relation="parent", note="随子女生活"))
    assert resp.status_code == 302 and resp["Location"] == f"/grid/residents/{zhang.pk}/"
    zhang.refresh_from_db()
    old.refresh_from_db()
    new.refresh_from_db()
    assert (zhang.household_id, zhang.grid_id, zhang.relation, zhang.status) == (
        new.pk, tree.east1_grid1.pk, "parent", "active")
    assert (old.members, old.is_care) == (1, False)      # the care tag left with 张三
    assert (new.members, new.is_care) == (2, True)
    assert old.head_name == "张三" and new.head_name == "王五"   # the old head name is left for the worker to fix
    assert selectors.grid_stats(tree.east1_grid1)["residents"] == stats["residents"]
    [entry] = _moves(zhang)
    assert entry.actor == personas.grid_worker
    ch = entry.changes
    assert ch["household"] == [old.pk, new.pk]
    assert ch["address"] == [old.house.address, new.house.address]
    assert ch["relation"] == ["head", "parent"] and ch["moved_on"] == [None, TODAY().isoformat()]
    assert ch["note"] == [None, "随子女生活"] and "待指定新户主" in ch["old_household_head"][1]
    # The resident page says where they live now, and asks for a new head of the old household.
    resp = c.get(resp["Location"])
    body = resp.content.decode()
    msgs = [str(m) for m in resp.context["messages"]]
    assert any("已迁入" in m and new.house.address in m for m in msgs)
    assert any("指定新的户主" in m for m in msgs)
    assert new.house.address in body and "王五" in body
    assert son.pk in [r.pk for r in Resident.objects.filter(household=old, status="active")]


def test_move_across_grids_changes_the_grid(personas, gdata, tree, client_for):
    li = gdata.residents["g11"][1]                  # 李四, alone in the rental house of 网格1
    old = gdata.households["g11"][1]
    new = gdata.households["g12"][0]                # 赵六's household in 网格2
    g1, g2 = tree.east1_grid1, tree.east1_grid2
    n1, n2 = selectors.grid_stats(g1)["residents"], selectors.grid_stats(g2)["residents"]
    c = client_for(personas.secretary)               # the community's secretary: both grids are hers
    resp = c.post(f"/grid/residents/{li.pk}/transfer/", _post(new, relation="tenant"))
    assert resp.status_code == 302
    li.refresh_from_db()
    old.refresh_from_db()
    new.refresh_from_db()
    assert li.household_id == new.pk and li.grid_id == g2.pk and li.relation == "tenant"
    assert old.members == 0 and new.members == 2
    assert selectors.grid_stats(g1)["residents"] == n1 - 1 and selectors.grid_stats(g2)["residents"] == n2 + 1
    [entry] = _moves(li)
    assert entry.changes["grid"] == [g1.pk, g2.pk] and entry.changes["household"] == [old.pk, new.pk]
    assert "old_household_head" not in entry.changes    # nobody left behind
    msgs = [str(m) for m in c.get(f"/grid/residents/{li.pk}/").context["messages"]]
    assert any("已无在住成员" in m and "整户迁出" in m for m in msgs)
    # The grid worker of 网格1 no longer sees 李四; the one of 网格2 does.
    assert client_for(personas.grid_worker).get(f"/grid/residents/{li.pk}/").status_code == 404
    assert client_for(personas.other_grid_worker).get(f"/grid/residents/{li.pk}/").status_code == 200


def test_moving_in_as_head_of_a_household_without_one_renames_it(personas, gdata):
    new = gdata.households["g11"][2]
    services.resident_leave(actor=personas.grid_worker, resident=gdata.residents["g11"][2], status="moved_out",
                            left_on=TODAY())
    zhang = gdata.residents["g11"][0]
    services.resident_transfer(actor=personas.grid_worker, resident=zhang, household=new, relation="head",
                               moved_on=TODAY())
    new.refresh_from_db()
    assert new.head_name == "张三" and new.members == 1 and new.is_care
    [entry] = _moves(zhang)      # one entry, the renaming included
    assert entry.changes["new_household_head_name"] == ["王五", "张三"]
    assert "relation" not in entry.changes


# ---------------------------------------------------------------------------
# Refusals: a Chinese message naming the field, nothing changed
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("case,field,message", [
    ("future", "moved_on", "迁入日期不能晚于今天"),
    ("before_registered", "moved_on", "迁入日期不能早于该居民的登记日期"),
    ("no_date", "moved_on", "请填写迁入日期"),
    ("same", "household", "迁入住户与现住户相同"),
    ("moved_out", "household", "整户迁出，不能迁入"),
    ("outside", "household", "不在您的管辖范围内"),
    ("no_household", "household", "请查找并选择迁入住户"),
    ("head_taken", "relation", "迁入户已有户主“王五”"),
    ("no_relation", "relation", "请填写与新户户主关系"),
    ("bad_relation", "relation", "与新户户主关系的选项不正确"),
    ("html_note", "note", "说明不能包含 < 或 > 符号"),
])
def test_bad_input_on_the_page_names_the_field(case, field, message, personas, gdata, client_for):
    zhang = gdata.residents["g11"][0]
    target = gdata.households["g11"][2]
    data = {}
    if case == "future":
        data = {"moved_on": (TODAY() + timedelta(days=1)).isoformat()}
    elif case == "before_registered":
        data = {"moved_on": (TODAY() - timedelta(days=1)).isoformat()}
    elif case == "no_date":
        data = {"moved_on": ""}
    elif case == "same":
        target = gdata.households["g11"][0]
    elif case == "moved_out":
        services.household_move_out(actor=None, household=target, moved_out_on=TODAY(), reason="迁往外地")
    elif case == "outside":
        target = gdata.households["g12"][0]          # 网格2: not the grid worker's
    elif case == "no_household":
        target = None
    elif case == "head_taken":
        data = {"relation": "head"}
    elif case == "no_relation":
        data = {"relation": ""}
    elif case == "bad_relation":
        data = {"relation": "boss"}
    elif case == "html_note":
        data = {"note": "<script>x</script>"}
    before = _state(*gdata.residents["g11"], *gdata.residents["g12"])
    resp = client_for(personas.grid_worker).post(f"/grid/residents/{zhang.pk}/transfer/", _post(target, **data))
    assert resp.status_code == 200
    assert message in _errors(resp)[field]
    assert _state(*gdata.residents["g11"], *gdata.residents["g12"]) == before


def test_the_service_refuses_with_the_field_named(personas, gdata, tree):
    zhang = gdata.residents["g11"][0]
    target = gdata.households["g11"][2]
    worker = personas.grid_worker
    before = _state(*gdata.residents["g11"], *gdata.residents["g12"])

    def refused(**kw) -> dict:
        args = {"actor": worker, "resident": zhang, "household": target, "relation": "other", "moved_on": TODAY()}
        args.update(kw)
        with pytest.raises(ValidationError) as e:
            services.resident_transfer(**args)
        return {k: v[0] for k, v in e.value.message_dict.items()}

    assert "不能晚于今天" in refused(moved_on=TODAY() + timedelta(days=3))["moved_on"]
    assert "请填写迁入日期" in refused(moved_on=None)["moved_on"]
    assert "相同" in refused(household=gdata.households["g11"][0])["household"]
    assert "不在您的管辖范围内" in refused(household=gdata.households["w11"][0])["household"]
    assert "不正确" in refused(relation="boss")["relation"]
    errs = refused(moved_on=TODAY() + timedelta(days=1), relation="head")   # every reason at once
    assert set(errs) == {"moved_on", "relation"}
    # The resident outside the actor's scope: refused before anything is looked at.
    with pytest.raises(ValidationError, match="没有"):
        services.resident_transfer(actor=personas.other_grid_worker, resident=zhang, household=target,
                                   relation="other", moved_on=TODAY())
    assert _state(*gdata.residents["g11"], *gdata.residents["g12"]) == before


def test_a_resident_no_longer_living_here_cannot_move(personas, gdata, client_for):
    zhang = gdata.residents["g11"][0]
    target = gdata.households["g11"][2]
    services.resident_leave(actor=personas.grid_worker, resident=zhang, status="deceased", left_on=TODAY())
    before = _state(*gdata.residents["g11"])
    with pytest.raises(ValidationError, match="已故，记录仅供查阅，不能办理迁入他户"):
        services.resident_transfer(actor=personas.grid_worker, resident=zhang, household=target,
                                   relation="other", moved_on=TODAY())
    c = client_for(personas.grid_worker)
    resp = c.post(f"/grid/residents/{zhang.pk}/transfer/", _post(target))
    assert resp.status_code == 302 and resp["Location"] == f"/grid/residents/{zhang.pk}/"
    assert c.get(f"/grid/residents/{zhang.pk}/transfer/").status_code == 302
    assert _state(*gdata.residents["g11"]) == before
    assert "迁入他户" not in c.get(f"/grid/residents/{zhang.pk}/").content.decode()


# ---------------------------------------------------------------------------
# The lookup of target households
# ---------------------------------------------------------------------------


def _lookup(client, r, q: str) -> str:
    resp = client.get(f"/grid/residents/{r.pk}/transfer/", {"q": q}, HTTP_HX_REQUEST="true")
    assert resp.status_code == 200
    return resp.content.decode()


def test_lookup_lists_active_households_in_scope_only(personas, gdata, client_for):
    zhang = gdata.residents["g11"][0]
    worker = client_for(personas.grid_worker)
    body = _lookup(worker, zhang, "1单元301")
    assert "阳光小区1号楼1单元301" in body and "户主 王五" in body and "<html" not in body
    body = _lookup(worker, zhang, "王五")
    assert f'value="{gdata.households["g11"][2].pk}"' in body
    body = _lookup(worker, zhang, "1单元")          # the own household is left out
    assert f'value="{gdata.households["g11"][0].pk}"' not in body
    assert f'value="{gdata.households["g11"][1].pk}"' in body
    zhao = f'value="{gdata.households["g12"][0].pk}"'
    assert "未找到" in _lookup(worker, zhang, "赵六") and zhao not in _lookup(worker, zhang, "赵六")  # 网格2: not his
    assert zhao in _lookup(client_for(personas.secretary), zhang, "赵六")
    assert "未找到" in _lookup(client_for(personas.secretary), zhang, "孙八")   # another community
    services.household_move_out(actor=None, household=gdata.households["g11"][2], moved_out_on=TODAY(),
                                reason="x")
    assert "未找到" in _lookup(worker, zhang, "王五")           # moved-out households are not offered
    # Without JavaScript the 查找 button posts the form and gets the page back with the matches, saving nothing.
    before = _state(zhang)
    resp = worker.post(f"/grid/residents/{zhang.pk}/transfer/", {"q": "李四", "search": "1", "relation": "",
                                                                 "moved_on": TODAY().isoformat()})
    assert resp.status_code == 200 and not resp.context["form"].errors
    assert [h.head_name for h in resp.context["matches"]] == ["李四"]
    assert _state(zhang) == before


def test_lookup_lists_at_most_twenty(personas, gdata, tree, client_for):
    house = gdata.households["g11"][2].house
    for i in range(25):
        services.household_create(actor=None, house=house, head_name=f"住户{i:02d}", number=str(i + 2))
    resp = client_for(personas.grid_worker).get(f"/grid/residents/{gdata.residents['g11'][0].pk}/transfer/",
                                                {"q": "住户"}, HTTP_HX_REQUEST="true")
    assert len(resp.context["matches"]) == 20 and resp.context["more"]
    assert "只列出前 20 户" in resp.content.decode()


# ---------------------------------------------------------------------------
# Who may open the page
# ---------------------------------------------------------------------------

ALLOWED = ["district_admin", "street_staff", "secretary", "community_staff", "grid_worker", "superuser"]
OUTSIDE = ["other_grid_worker", "west_secretary"]      # a grid role, but not here: 404 like a missing record
NO_ACCESS = ["member", "liaison", "sysadmin", "auditor", "nobody"]  # no grid role at all: 403


@pytest.mark.parametrize("who", ALLOWED + OUTSIDE + NO_ACCESS)
def test_role_matrix(who, personas, gdata, client_for):
    c = client_for(getattr(personas, who))
    zhang = gdata.residents["g11"][0]
    target = gdata.households["g11"][2]
    url = f"/grid/residents/{zhang.pk}/transfer/"
    expected = 200 if who in ALLOWED else 404 if who in OUTSIDE else 403
    assert c.get(url).status_code == expected
    assert c.get(url, {"q": "王五"}, HTTP_HX_REQUEST="true").status_code == expected
    resp = c.post(url, _post(target))
    zhang.refresh_from_db()
    if who in ALLOWED:
        assert resp.status_code == 302 and zhang.household_id == target.pk
        assert len(_moves(zhang)) == 1
    else:
        assert resp.status_code == expected and zhang.household_id == gdata.households["g11"][0].pk
        assert _moves(zhang) == []


def test_the_button_is_on_the_resident_page(personas, gdata, client_for):
    zhang = gdata.residents["g11"][0]
    body = client_for(personas.grid_worker).get(f"/grid/residents/{zhang.pk}/").content.decode()
    assert f'href="/grid/residents/{zhang.pk}/transfer/"' in body and "迁入他户" in body
    form = client_for(personas.grid_worker).get(f"/grid/residents/{zhang.pk}/transfer/")
    assert "是现住户的户主" in form.content.decode()       # the page warns before a head moves
