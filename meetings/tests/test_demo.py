"""The demo steps of cobuild and meetings on top of the foundation demo."""

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_demo_steps():
    from cobuild import demo as cobuild_demo
    from cobuild.models import Agreement, ChronicleEntry, Criticism, Deed, Need, Project, ResidentUnit, StarRating
    from meetings import demo as meetings_demo
    from meetings.models import Body, Meeting
    from regions import demo as regions_demo

    regions_demo.load()
    cobuild_demo.load()
    meetings_demo.load()
    year = timezone.localdate().year
    assert ResidentUnit.objects.count() == 188
    assert ResidentUnit.objects.values("region").distinct().count() == 8
    assert Agreement.objects.count() == 188 and Need.objects.exists() and Project.objects.exists()
    assert Deed.objects.count() > 500
    unit = ResidentUnit.objects.get(liaison__username="dw_lly")
    assert (unit.name, unit.region.name, unit.region.parent.name) == ("县人民医院", "文化东路社区", "库额尔齐斯镇")
    assert Body.objects.filter(kind="joint").count() == 8
    assert Meeting.objects.filter(body__kind="joint", status="held").count() >= 8 * 11
    board = StarRating.objects.filter(year=year)
    assert board.count() == 188 and board.filter(stars=5).exists() and board.filter(disqualified=True).exists()
    assert Criticism.objects.exists() and ChronicleEntry.objects.filter(source_type="meeting").exists()
