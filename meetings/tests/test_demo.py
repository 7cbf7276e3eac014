"""The demo steps of cobuild and meetings on top of the foundation demo."""

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_demo_steps():
    from cobuild import demo as cobuild_demo
    from cobuild.models import Agreement, ChronicleEntry, Criticism, Deed, Need, Project, ResidentUnit, StarRating
    from meetings import demo as meetings_demo
    from meetings.models import Body, Meeting
    from orgs import demo as foundation_demo

    foundation_demo.load()
    cobuild_demo.load()
    meetings_demo.load()
    year = timezone.localdate().year
    # seed 000: 188 unit-community pairings, made by 85 organizations (one record each), 8 communities
    assert ResidentUnit.objects.count() == 85
    assert Agreement.objects.count() == 188
    assert Agreement.objects.values("unit", "region").distinct().count() == 188
    assert Agreement.objects.values("region").distinct().count() == 8
    assert ResidentUnit.objects.filter(agreements__isnull=True).count() == 0
    assert Need.objects.exists() and Project.objects.exists()
    assert Deed.objects.count() > 500
    unit = ResidentUnit.objects.get(liaison__username="dw_lly")
    assert unit.name == "县人民医院"
    assert ("库额尔齐斯镇", "文化东路社区") in {(c.parent.name, c.name) for c in unit.communities()}
    assert len(list(unit.communities())) > 1  # the county hospital serves several communities
    assert Body.objects.filter(kind="joint").count() == 8
    assert Meeting.objects.filter(body__kind="joint", status="held").count() >= 8 * 11
    board = StarRating.objects.filter(year=year)
    # one rating per unit per community
    assert board.count() == 188 and board.values("unit", "region").distinct().count() == 188
    assert board.filter(stars=5).exists() and board.filter(disqualified=True).exists()
    assert Criticism.objects.exists() and ChronicleEntry.objects.filter(source_type="meeting").exists()
    # The demo liaison's 我单位的会议: an upcoming meeting to reply to, past ones with attendance and
    # replies that agree with it, resolutions for the unit, a next chair turn.
    from meetings import selectors

    d = selectors.unit_meetings(unit)
    assert d.upcoming and all(a is not None and not a.reply for _, a in d.upcoming)
    assert d.past.paginator.count >= 11
    for _, a in d.past:
        expected = {"present": "attend", "excused": "leave", "absent": ""}[a.status]
        assert a.reply == expected and (a.reply != "leave" or a.reply_reason)
    assert {r.kind for r in d.resolutions} == {"task", "project"} and d.resolutions[0].project.unit == unit
    assert d.next_turn is not None and d.next_turn.unit == unit
    assert list(selectors.liaison_units(unit.liaison)) == [unit]
    # The invitation to that upcoming meeting waits among the liaison's notifications.
    from notifications.models import Notification

    # (the unit serves several communities: one invitation per community's upcoming meeting)
    notes = Notification.objects.filter(recipient=unit.liaison, title__startswith="会议通知")
    assert {n.link for n in notes} == {f"/meetings/unit/{m.pk}/" for m, _ in d.upcoming}
