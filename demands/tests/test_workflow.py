"""The demand workflow through its services: intake, the state machine, concurrency, rating,
escalation, duplicates, personal data."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from audit.models import AuditEntry
from demands import selectors, services
from demands.models import Demand, DemandEvent, Escalation, Satisfaction, State
from demands.rules import add_minutes
from notifications.models import Notification

from .conftest import png

pytestmark = pytest.mark.django_db


def test_intake_sets_deadlines_from_the_category_and_masks_the_phone(make_demand, convenience):
    d = make_demand()
    assert d.state == State.SUBMITTED and len(d.tracking_code) == 12
    assert (d.response_due - d.submitted_at).total_seconds() == 10 * 60
    assert (d.handling_due - d.submitted_at).total_seconds() == 30 * 60
    assert d.caller_phone_masked == "138****5678" and d.caller_name_masked == "张*"
    with connection.cursor() as c:
        c.execute("select caller_phone from demands_demand where id = %s", [d.pk])
        stored = c.fetchone()[0]
    assert "13812345678" not in stored and stored.startswith(("v1:", "s1:"))  # AES or 国密 mode
    assert d.events.get().action == "submit"
    assert AuditEntry.objects.filter(object_type="demands.demand", object_id=str(d.pk)).exists()


def test_anonymous_demand_keeps_no_caller(make_demand):
    d = make_demand(anonymous=True)
    assert d.caller_phone == "" and d.caller_name == "" and d.caller_name_masked == "匿名"


def test_working_hours_deadline_skips_the_night_and_weekend():
    tz = timezone.get_current_timezone()
    friday_1630 = timezone.datetime(2026, 11, 20, 16, 30, tzinfo=tz)
    due = add_minutes(friday_1630, 60, working_hours_only=True)
    assert timezone.localtime(due) == timezone.datetime(2026, 11, 23, 9, 30, tzinfo=tz)


@pytest.mark.parametrize("kw, field", [
    ({"category": "no-such"}, "category"),
    ({"description": "x" * (10 * 1024 * 1024)}, "description"),
    ({"title": ""}, "title"),
    ({"caller_phone": "12345"}, "caller_phone"),
    ({"photos": [__import__("django.core.files.uploadedfile", fromlist=["x"]).SimpleUploadedFile(
        "a.png", b"not an image", content_type="image/png")]}, "photos"),
])
def test_bad_input_is_refused_with_the_field_and_nothing_saved(make_demand, kw, field):
    with pytest.raises(ValidationError) as exc:
        make_demand(**kw)
    assert field in exc.value.message_dict
    assert Demand.objects.count() == 0 and DemandEvent.objects.count() == 0


def test_missing_location_refused_when_the_category_needs_one(make_demand, sanitation):
    with pytest.raises(ValidationError) as exc:
        make_demand(category=sanitation, address="")
    assert "必须提供位置" in exc.value.message_dict["lat"][0]
    assert make_demand(category=sanitation, lat=46.99, lng=89.52).lat == 46.99


def test_full_path_with_dispatch_to_the_grid_worker(make_demand, personas, tree):
    d = make_demand(photos=[png()])
    assert d.photos.count() == 1
    d = services.demand_transition(actor=personas.secretary, demand=d, action="accept")
    d = services.demand_transition(actor=personas.secretary, demand=d, action="dispatch",
                                   target_region=tree.east1_grid1)
    assert d.state == State.DISPATCHED and d.assignee_user == personas.grid_worker and d.region == tree.east1_grid1
    assert Notification.objects.filter(recipient=personas.grid_worker, title__contains="新派单").exists()
    # The grid worker sees it in their queue, arrives and handles it.
    assert list(selectors.handler_queue(personas.grid_worker)) == [d]
    d = services.demand_transition(actor=personas.grid_worker, demand=d, action="arrive")
    d = services.demand_transition(actor=personas.grid_worker, demand=d, action="handle", note="已更换灯泡",
                                   photos=[png("after.png")])
    assert d.state == State.HANDLED and d.responded_at and d.handled_at
    actions = list(d.events.values_list("action", flat=True))
    assert actions == ["submit", "accept", "dispatch", "arrive", "handle"]


def test_not_allowed_transition_changes_nothing(make_demand, personas):
    d = make_demand()
    with pytest.raises(ValidationError) as exc:
        services.demand_transition(actor=personas.secretary, demand=d, action="handle", note="x")
    assert "不能执行“办结”" in exc.value.messages[0]
    d.refresh_from_db()
    assert d.state == State.SUBMITTED and d.version == 1 and d.events.count() == 1


def test_handler_outside_the_scope_cannot_act(make_demand, personas):
    d = make_demand()
    with pytest.raises(ValidationError):
        services.demand_transition(actor=personas.west_secretary, demand=d, action="accept")
    with pytest.raises(ValidationError):  # a grid worker of another grid
        services.demand_transition(actor=personas.other_grid_worker, demand=d, action="accept")


def test_two_handlers_cannot_both_win(make_demand, personas):
    d = make_demand()
    seen = d.version
    services.demand_transition(actor=personas.secretary, demand=d, action="accept", expected_version=seen)
    with pytest.raises(ValidationError) as exc:
        services.demand_transition(actor=personas.community_staff, demand=d, action="accept", expected_version=seen)
    assert "已被他人更新" in exc.value.messages[0]
    assert Demand.objects.get(pk=d.pk).events.filter(action="accept").count() == 1


def test_return_goes_back_to_the_dispatcher(make_demand, personas, tree):
    d = make_demand()
    d = services.demand_transition(actor=personas.secretary, demand=d, action="dispatch",
                                   target_region=tree.east1_grid1)
    with pytest.raises(ValidationError):  # a reason is required
        services.demand_transition(actor=personas.grid_worker, demand=d, action="return")
    d = services.demand_transition(actor=personas.grid_worker, demand=d, action="return", note="不属于本网格")
    assert d.state == State.ACCEPTED and d.region == tree.east1 and d.assignee_user is None


def _handled(make_demand, personas, tree):
    d = make_demand()
    d = services.demand_transition(actor=personas.secretary, demand=d, action="dispatch",
                                   target_region=tree.east1_grid1)
    return services.demand_transition(actor=personas.grid_worker, demand=d, action="handle", note="已处理")


def test_not_satisfied_reopens_once_with_the_reason(make_demand, personas, tree):
    d = _handled(make_demand, personas, tree)
    with pytest.raises(ValidationError) as exc:
        services.demand_rate(actor=None, demand=d, rating=Satisfaction.UNSATISFIED, note="", secret=d.secret_code)
    assert "note" in exc.value.message_dict
    d = services.demand_rate(actor=None, demand=d, rating=Satisfaction.UNSATISFIED, note="灯还是不亮",
                             secret=d.secret_code)
    assert d.state == State.DISPATCHED and d.reopen_count == 1 and d.assignee_user == personas.grid_worker
    assert d.events.filter(action="reopen", note__contains="灯还是不亮").exists()
    assert Notification.objects.filter(recipient=personas.grid_worker, title__contains="不满意").exists()
    d = services.demand_transition(actor=personas.grid_worker, demand=d, action="handle", note="换了整个灯座")
    d = services.demand_rate(actor=None, demand=d, rating=Satisfaction.UNSATISFIED, note="还是不满意",
                             secret=d.secret_code)
    assert d.state == State.CLOSED and d.reopen_count == 1  # only once


def test_rating_a_demand_that_is_not_handled_is_refused(make_demand):
    d = make_demand()
    with pytest.raises(ValidationError) as exc:
        services.demand_rate(actor=None, demand=d, rating=Satisfaction.SATISFIED, secret=d.secret_code)
    assert "办结后才能评价" in exc.value.message_dict["rating"][0]
    d.refresh_from_db()
    assert d.satisfaction == "" and d.state == State.SUBMITTED


def test_satisfied_closes(make_demand, personas, tree):
    d = _handled(make_demand, personas, tree)
    d = services.demand_rate(actor=personas.secretary, demand=d, rating=Satisfaction.BASIC, via="follow_up")
    assert d.state == State.CLOSED and d.closed_at


def test_escalation_ladder_and_notifications(make_demand, personas, tree):
    now = timezone.now()
    fresh = make_demand()
    week = make_demand(submitted_at=now - timezone.timedelta(days=3))
    month = make_demand(region=tree.east1_grid1, submitted_at=now - timezone.timedelta(days=12))
    quarter = make_demand(submitted_at=now - timezone.timedelta(days=40))
    out = services.escalate_overdue(now=now)
    assert out == {"flagged": 3, "escalated": 3}
    levels = {d.pk: Demand.objects.get(pk=d.pk).escalation for d in (fresh, week, month, quarter)}
    assert levels == {fresh.pk: 0, week.pk: Escalation.WEEKLY, month.pk: Escalation.MONTHLY,
                      quarter.pk: Escalation.QUARTERLY}
    assert Notification.objects.filter(recipient=personas.street_staff, title__contains="月调度").exists()
    assert Notification.objects.filter(recipient=personas.secretary, title__contains="周纪实").exists()
    assert Notification.objects.filter(recipient=personas.district_admin, title__contains="季化解").exists()
    assert services.escalate_overdue(now=now) == {"flagged": 0, "escalated": 0}  # idempotent
    monthly = list(selectors.escalation_list(personas.street_staff, Escalation.MONTHLY))
    assert monthly == [Demand.objects.get(pk=month.pk)]
    assert list(selectors.escalation_list(personas.west_secretary, Escalation.MONTHLY)) == []


def test_duplicates_within_50_metres_same_category(make_demand, personas, sanitation, convenience):
    a = make_demand(category=sanitation, lat=46.99000, lng=89.52000)
    near = make_demand(category=sanitation, lat=46.99030, lng=89.52000)  # ~33 m
    make_demand(category=sanitation, lat=46.99100, lng=89.52000)  # ~111 m
    make_demand(category=convenience, lat=46.99001, lng=89.52000)  # other category
    found = selectors.duplicate_candidates(personas.secretary, near)
    assert [d for d, _ in found] == [a] and 30 < found[0][1] < 36
    merged = services.demand_merge(actor=personas.secretary, demand=near, into=a)
    assert merged.state == State.CLOSED and merged.duplicate_of == a


def test_timeline_is_append_only(make_demand):
    d = make_demand()
    ev = d.events.get()
    with pytest.raises(PermissionError):
        ev.save()
    with pytest.raises(PermissionError):
        ev.delete()
    with pytest.raises(PermissionError):
        DemandEvent.objects.filter(pk=ev.pk).update(note="x")


def test_statistics_and_fair_ranking(make_demand, personas, tree):
    d = _handled(make_demand, personas, tree)
    services.demand_rate(actor=None, demand=d, rating=Satisfaction.SATISFIED, secret=d.secret_code)
    make_demand(region=tree.east2, actor=personas.street_staff)
    start, end, _ = selectors.period_bounds("year")
    stats = selectors.statistics_for(personas.street_staff, tree.east, start, end)
    assert stats["rates"]["total"] == 2 and stats["rates"]["resolution_rate"] == 0.5
    assert stats["rates"]["satisfaction_rate"] == 1.0
    ranking = stats["ranking"]
    assert [r["name"] for r in ranking] == ["东一社区", "东二社区"]
    # With one demand each, shrinkage keeps the scores close to the street's average.
    assert 40 < ranking[1]["score"] < ranking[0]["score"] < 80
    assert selectors.open_counts_by_grid([tree.east1_grid1.pk, tree.east1_grid2.pk]) == {
        tree.east1_grid1.pk: 0, tree.east1_grid2.pk: 0}


def test_one_outlier_does_not_top_the_ranking():
    from demands.selectors import shrunk_rate

    tiny = shrunk_rate(1, 1, prior=0.7)       # 1 of 1 satisfied
    big = shrunk_rate(180, 200, prior=0.7)    # 90 % of 200
    assert big > tiny


def test_open_counts_by_grid(make_demand, tree):
    make_demand(region=tree.east1_grid1)
    assert selectors.open_counts_by_grid([tree.east1_grid1.pk])[tree.east1_grid1.pk] == 1


def test_reveal_phone_needs_purpose_and_is_logged(make_demand, personas):
    d = make_demand()
    with pytest.raises(ValidationError):
        services.demand_reveal_phone(actor=personas.secretary, demand=d, purpose="")
    assert services.demand_reveal_phone(actor=personas.secretary, demand=d, purpose="回访") == "13812345678"
    assert AuditEntry.objects.filter(action="view_pii", object_id=str(d.pk)).exists()
    with pytest.raises(ValidationError):
        services.demand_reveal_phone(actor=personas.grid_worker, demand=d, purpose="回访")


def test_photos_are_stored_without_gps_and_fit_the_box(make_demand):
    """A resident's phone photo keeps no trace of where it was taken or with what phone."""
    from core.tests.photo_samples import assert_clean_photo, camera_jpeg

    d = make_demand(photos=[camera_jpeg()])
    assert_clean_photo(d.photos.get().image)
