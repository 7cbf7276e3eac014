"""The star board says when it was computed; community staff refresh it; a nightly command does too."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from cobuild import services
from cobuild.models import Activity, StarRating
from cobuild.testing import units  # noqa: F401  (shared fixture)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_the_secretary_sees_when_and_refreshes_the_board(personas, units, client_for):  # noqa: F811
    c = client_for(personas.secretary)
    html = c.get("/cobuild/stars/").content.decode()
    assert "本年度尚未计算" in html and 'id="refresh-stars"' in html and 'id="compute-stars"' not in html
    services.deed_create(actor=personas.secretary, unit=units.a, activity=Activity.SERVICE,
                         date=TODAY - timedelta(days=1), title="义诊", rating=5)
    resp = c.post("/cobuild/stars/", {"year": TODAY.year}, follow=True)
    html = resp.content.decode()
    assert "已按最新台帐刷新" in html and "计算于" in html
    # Only the secretary's own community's units.
    assert set(StarRating.objects.values_list("unit__name", flat=True)) == {"县医院", "县一中"}
    assert StarRating.objects.get(unit=units.a).deeds == 1


def test_a_liaison_cannot_refresh(personas, units, client_for):  # noqa: F811
    assert client_for(personas.liaison).post("/cobuild/stars/", {"year": TODAY.year}).status_code == 302
    assert not StarRating.objects.exists()


def test_the_nightly_command_refreshes_every_unit_and_keeps_overrides(personas, units):  # noqa: F811
    services.star_board_compute(actor=personas.district_admin, year=TODAY.year)
    b = StarRating.objects.get(unit=units.b)
    services.star_override(actor=personas.street_staff, rating=b, stars=4, reason="抗洪抢险表现突出")
    before = b.computed_at
    services.deed_create(actor=personas.secretary, unit=units.b, activity=Activity.SERVICE,
                         date=TODAY - timedelta(days=1), title="送教", rating=4)
    call_command("stars_refresh")
    b.refresh_from_db()
    assert b.deeds == 1 and b.stars == 4 and b.computed_at > before
    assert StarRating.objects.count() == 4


def test_the_grid_page_map_button_opens_the_map_for_a_grid_worker(personas, tree, client_for):
    c = client_for(personas.grid_worker)
    html = c.get(f"/grid/{tree.east1_grid1.pk}/").content.decode()
    assert f'/grid/map/?region={tree.east1_grid1.pk}"' in html
    assert c.get(f"/grid/map/?region={tree.east1_grid1.pk}").status_code == 200
