"""The roster: recording a cadre (with the member link and the first contract), appointments, transfers and
leaving kept as dated records, and the refusals of bad input: nothing saved, a Chinese message naming the field."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cadres import services
from cadres.models import Cadre, CadreStatus, Contract, Movement, MovementKind
from members.models import PartyMember

from .conftest import idn, make

pytestmark = pytest.mark.django_db


def test_create_records_joining_and_a_three_year_contract(world, tree, personas):
    c = make(personas.district_admin, tree.east2, "赵一", contract_start=date(2024, 3, 1))
    assert c.movements.get().kind == MovementKind.JOIN and c.movements.get().to_region == tree.east2
    k = c.contracts.get()
    assert (k.start, k.end) == (date(2024, 3, 1), date(2027, 2, 28))
    assert c.id_number_hash and Cadre.objects.filter(id_number_hash=c.id_number_hash).count() == 1


def test_a_party_member_with_the_same_id_number_is_linked(tree, personas):
    birth = date(1980, 2, 2)
    number = idn(birth)
    m = PartyMember.objects.create(name="钱党员", gender="M", birth_date=birth, id_number=number,
                                   joined_on=date(2005, 7, 1), category="employed", org=tree.east1_org)
    c = make(personas.district_admin, tree.east1, "钱党员", birth=birth, id_number=number)
    assert c.member == m


def test_appoint_transfer_leave_keep_the_history(world, tree, personas):
    da, w = personas.district_admin, world.worker
    today = timezone.localdate()
    services.cadre_appoint(actor=da, cadre=w, position="party_worker", date=today - timedelta(days=20),
                           document="东组字〔2026〕3号")
    services.cadre_transfer(actor=da, cadre=w, to_region=tree.east2, date=today - timedelta(days=10))
    w.refresh_from_db()
    assert w.region == tree.east2 and w.position == "party_worker"
    services.cadre_leave(actor=da, cadre=w, date=today, note="考取公务员")
    w.refresh_from_db()
    assert w.status == CadreStatus.LEFT and w.left_on == today
    kinds = list(w.movements.order_by("date", "id").values_list("kind", flat=True))
    assert kinds == ["join", "appoint", "transfer", "leave"]
    t = w.movements.get(kind="transfer")
    assert (t.from_region, t.to_region) == (tree.east1, tree.east2)
    assert w.movements.get(kind="appoint").position_after == "专职党务工作者"
    # The roster shows the current state: gone from both communities' active lists.
    assert not Cadre.objects.filter(region=tree.east1, name="李小梅", status="active").exists()
    # A transfer out of the street's scope is refused.
    with pytest.raises(ValidationError) as e:
        services.cadre_transfer(actor=personas.street_staff, cadre=world.secretary, to_region=tree.west1, date=today)
    assert "西一社区" in str(e.value)


def _assert_refused(field, message, **kw):
    before = (Cadre.objects.count(), Movement.objects.count(), Contract.objects.count())
    with pytest.raises(ValidationError) as e:
        make(**kw)
    assert field in e.value.message_dict, e.value.message_dict
    assert message in " ".join(e.value.message_dict[field])
    assert (Cadre.objects.count(), Movement.objects.count(), Contract.objects.count()) == before


def test_bad_input_is_refused_and_nothing_saved(world, tree, personas):
    da = personas.district_admin
    _assert_refused("monthly_allowance", "月补贴（元）不能小于 0", actor=da, region=tree.east2, name="甲",
                    allowance="-1")
    _assert_refused("contract_end", "不能早于起始日期", actor=da, region=tree.east2, name="乙",
                    contract_start=date(2025, 5, 1), contract_end=date(2025, 4, 30))
    future = timezone.localdate() + timedelta(days=3)
    _assert_refused("birth_date", "出生日期不能晚于今天", actor=da, region=tree.east2, name="丙", birth=future,
                    id_number="654322199001010011")
    good = idn(date(1991, 4, 4))
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    _assert_refused("id_number", "身份证号校验位错误", actor=da, region=tree.east2, name="丁", birth=date(1991, 4, 4),
                    id_number=bad)
    _assert_refused("id_number", "已在东一社区的名册中，不能重复登记", actor=da, region=tree.east1, name="张书记",
                    birth=date(1975, 5, 1), id_number=world.secretary.id_number)
    _assert_refused("id_number", "请办理调动", actor=da, region=tree.east2, name="张书记", birth=date(1975, 5, 1),
                    id_number=world.secretary.id_number)
    _assert_refused("one_shoulder", "只有党组织书记", actor=da, region=tree.east2, name="戊", one_shoulder=True)
    # A contract added later: end before start refused, nothing saved.
    with pytest.raises(ValidationError) as e:
        services.contract_add(actor=da, cadre=world.worker, start=date(2026, 1, 1), end=date(2025, 1, 1))
    assert "合同终止日期" in e.value.message_dict["contract_end"][0]
    assert world.worker.contracts.count() == 0
    with pytest.raises(ValidationError) as e:
        services.cadre_update(actor=da, cadre=world.worker, mobile="", education="college", monthly_allowance="-5",
                              two_committees=False, branch_committee=False)
    assert "不能小于 0" in e.value.message_dict["monthly_allowance"][0]
    world.worker.refresh_from_db()
    assert world.worker.monthly_allowance == Decimal("2800")


def test_the_form_shows_the_refusal_in_chinese_and_html_escaped(world, tree, personas, client_for):
    c = client_for(personas.district_admin)
    data = {"region": tree.east2.pk, "name": "<b>孙</b>", "gender": "M", "birth_date": "1988-08-08",
            "id_number": idn(date(1988, 8, 8)), "education": "bachelor", "position": "social_worker",
            "employment": "hired", "monthly_allowance": "-100", "joined_on": "2024-01-01"}
    r = c.post(reverse("cadres:new"), data)
    page = r.content.decode()
    assert r.status_code == 200 and "月补贴（元）不能小于 0" in page
    assert not Cadre.objects.filter(region=tree.east2).exists()
    data["monthly_allowance"] = "2500"
    data["note"] = "<script>alert(1)</script>"
    r = c.post(reverse("cadres:new"), data)
    assert r.status_code == 302
    cadre = Cadre.objects.get(region=tree.east2)
    page = c.get(reverse("cadres:detail", args=[cadre.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "&lt;b&gt;孙&lt;/b&gt;" in page


def test_an_appointment_through_the_page(world, personas, client_for):
    c = client_for(personas.street_staff)
    url = reverse("cadres:detail", args=[world.worker.pk])
    r = c.post(url, {"action": "appoint", "position": "deputy_director", "date": timezone.localdate().isoformat(),
                     "two_committees": "on", "document": "东街组〔2026〕8号"})
    assert r.status_code == 302
    world.worker.refresh_from_db()
    assert world.worker.position == "deputy_director" and world.worker.two_committees
    page = c.get(url).content.decode()
    assert "社区工作者 → 居委会副主任" in page and "东街组〔2026〕8号" in page
    r = c.post(url, {"action": "appoint", "position": "director", "one_shoulder": "on",
                     "date": timezone.localdate().isoformat()})
    assert r.status_code == 200 and "只有党组织书记" in r.content.decode()
