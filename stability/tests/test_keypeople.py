"""Key people: registration on a resident record, the secretary leading the most serious categories,
visits at the category's frequency, overdue visits flagged to the secretary once, bad input refused."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from notifications.models import Notification
from stability import services
from stability.models import KeyPerson, KeyStatus, KeyVisit

from .conftest import cat

pytestmark = pytest.mark.django_db


def test_no_resident_record_no_key_person(world, personas):
    with pytest.raises(ValidationError) as exc:
        services.key_person_register(actor=personas.secretary, resident=None, category=cat("drug"), reason="吸毒",
                                     registered_on=date.today())
    assert "请先登记该居民" in str(exc.value)
    assert KeyPerson.objects.count() == 3


def test_the_secretary_leads_the_most_serious_categories(world, personas):
    assert world.correction.leader == personas.secretary  # chosen for them
    with pytest.raises(ValidationError) as exc:
        services.key_person_register(actor=personas.secretary, resident=world.residents["王五"], category=cat("drug"),
                                     reason="社区戒毒", registered_on=date.today(), leader=personas.grid_worker)
    assert "须由社区党组织书记亲自包联" in str(exc.value)
    assert world.released.leader == personas.grid_worker  # a lighter category: whoever is named
    assert world.released.worker == personas.grid_worker  # the grid's worker visits


def test_a_second_open_listing_in_one_category_is_refused(world, personas):
    with pytest.raises(ValidationError) as exc:
        services.key_person_register(actor=personas.secretary, resident=world.residents["张三"],
                                     category=cat("released"), reason="重复", registered_on=date.today())
    assert "不能重复登记" in str(exc.value)


@pytest.mark.parametrize("field,value,message", [
    ("reason", "", "列管原因不能为空"),
    ("reason", "坏\x00字", "控制字符"),
    ("reason", "<script>alert(1)</script>", "不能包含 < 或 > 符号"),
    ("reason", "很" * 301, "不能超过 300 个字"),
    ("registered_on", date.today() + timedelta(days=1), "不能晚于今天"),
])
def test_bad_registration_is_refused_naming_the_field(world, personas, field, value, message):
    kw = {"reason": "社区戒毒", "registered_on": date.today()} | {field: value}
    with pytest.raises(ValidationError) as exc:
        services.key_person_register(actor=personas.secretary, resident=world.residents["王五"], category=cat("drug"),
                                     **kw)
    assert message in str(exc.value) and field in exc.value.message_dict
    assert not KeyPerson.objects.filter(resident=world.residents["王五"]).exists()


def test_only_the_scope_registers(world, personas):
    with pytest.raises(ValidationError):
        services.key_person_register(actor=personas.west_secretary, resident=world.residents["王五"],
                                     category=cat("other"), reason="x", registered_on=date.today())
    with pytest.raises(ValidationError):  # a grid worker visits, does not list
        services.key_person_register(actor=personas.grid_worker, resident=world.residents["王五"],
                                     category=cat("other"), reason="x", registered_on=date.today())


def test_a_visit_sets_the_next_due_date_and_clears_the_flag(world, personas):
    p = world.released
    assert p.next_visit_due == p.registered_on + timedelta(days=30)
    assert p.is_overdue
    services.key_visit_record(actor=personas.grid_worker, person=p, visited_on=date.today(), way="home",
                              findings="在物流公司上班，情绪稳定")
    p.refresh_from_db()
    assert p.last_visit_on == date.today() and p.next_visit_due == date.today() + timedelta(days=30)
    assert not p.is_overdue


@pytest.mark.parametrize("visited_on,message", [
    (date.today() - timedelta(days=61), "早于该人员的列管日期"),
    (date.today() + timedelta(days=1), "不能晚于今天"),
    (None, "请填写走访日期"),
])
def test_a_visit_before_registration_or_in_the_future_is_refused(world, personas, visited_on, message):
    with pytest.raises(ValidationError) as exc:
        services.key_visit_record(actor=personas.grid_worker, person=world.released, visited_on=visited_on, way="home",
                                  findings="正常")
    assert message in str(exc.value)
    assert KeyVisit.objects.count() == 0
    world.released.refresh_from_db()
    assert world.released.last_visit_on is None


def test_visits_only_in_scope(world, personas):
    with pytest.raises(ValidationError):
        services.key_visit_record(actor=personas.other_grid_worker, person=world.released, visited_on=date.today(),
                                  way="home", findings="正常")
    with pytest.raises(ValidationError):
        services.key_visit_record(actor=personas.community_staff, person=world.released, visited_on=date.today(),
                                  way="home", findings="正常")


def test_an_overdue_visit_is_flagged_to_the_secretary_once(world, personas):
    assert services.key_visits_check() == 2  # 张三 (60 days) and 孙八 of 西一社区
    got = Notification.objects.filter(recipient=personas.secretary, title__contains="走访逾期")
    assert got.count() == 1
    n = got.get()
    assert "张三" not in n.title and "张*" in n.title  # masked in the message
    assert Notification.objects.filter(recipient=personas.west_secretary, title__contains="走访逾期").count() == 1
    assert Notification.objects.filter(recipient=personas.grid_worker, title__contains="走访逾期").count() == 1
    assert services.key_visits_check() == 0  # once
    assert world.released.events.filter(action="走访逾期").count() == 1


def test_a_concern_found_notifies_the_leader_and_secretary(world, personas):
    services.key_visit_record(actor=personas.grid_worker, person=world.correction, visited_on=date.today(), way="talk",
                              findings="近期与家人争吵，情绪激动", concern=True)
    assert Notification.objects.filter(recipient=personas.secretary, title__contains="发现异常").exists()


def test_status_changes_suspend_and_end_the_visits(world, personas):
    p = services.key_person_set_status(actor=personas.secretary, person=world.released, status=KeyStatus.AWAY,
                                       on=date.today(), note="外出务工")
    assert p.next_visit_due is None
    p = services.key_person_set_status(actor=personas.secretary, person=p, status=KeyStatus.ACTIVE, on=date.today(),
                                       note="返回社区")
    assert p.next_visit_due == date.today() + timedelta(days=30)
    p = services.key_person_set_status(actor=personas.secretary, person=p, status=KeyStatus.RELEASED,
                                       on=date.today(), note="安置帮教期满")
    assert p.released_on == date.today()
    with pytest.raises(ValidationError):
        services.key_visit_record(actor=personas.grid_worker, person=p, visited_on=date.today(), way="home",
                                  findings="x")
    # released: a new listing in the same category is allowed again
    services.key_person_register(actor=personas.secretary, resident=p.resident, category=p.category, reason="再次列管",
                                 registered_on=date.today())


def test_the_plan_update_checks_the_version(world, personas):
    p = world.released
    services.key_person_update(actor=personas.secretary, person=p, risk="high", helpers="民警、家属", plan="每周谈心",
                               expected_version=p.version)
    with pytest.raises(ValidationError) as exc:
        services.key_person_update(actor=personas.secretary, person=p, risk="low", helpers="", plan="",
                                   expected_version=p.version)  # stale
    assert "已被他人修改" in str(exc.value)
    p.refresh_from_db()
    assert p.risk == "high" and p.plan == "每周谈心"


def test_a_household_check_and_its_bad_input(world, personas, client_for):
    from stability.models import HouseholdCheck

    hh = world.residents["张三"].household
    c = client_for(personas.grid_worker)
    assert "未核查" in c.get("/stability/checks/").content.decode()
    c.post(f"/stability/checks/{hh.pk}/",
           {"items": ["know_people", "clear_key"], "checked_on": date.today().isoformat()})
    assert HouseholdCheck.objects.get().items == ["know_people", "clear_key"]
    bad = c.post(f"/stability/checks/{hh.pk}/", {"items": ["x"], "checked_on": "2999-01-01"}, follow=True)
    assert "核查事项不正确" in bad.content.decode() and HouseholdCheck.objects.count() == 1
    assert client_for(personas.other_grid_worker).get(f"/stability/checks/{hh.pk}/").status_code == 404
    assert client_for(personas.member).get("/stability/checks/").status_code == 403
