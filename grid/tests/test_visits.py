"""Grid workers log visits; coverage, plans and overdue lists follow."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import AuditEntry
from grid import selectors
from grid.models import Household, Visit
from grid.tests.conftest import png_bytes

pytestmark = pytest.mark.django_db


def _post(c, hh, **extra):
    data = {"household": hh.pk, "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "findings": "老人身体健康，反映楼道灯坏了", **extra}
    return c.post("/grid/m/visit/", data)


def test_worker_logs_a_visit_with_a_photo_and_coverage_rises(personas, gdata, client_for):
    c = client_for(personas.grid_worker)
    grid = gdata.households["g11"][0].grid
    assert selectors.grid_stats(grid)["visited"] == 0
    hh = gdata.households["g11"][0]
    resp = _post(c, hh, lat="47.005", lng="89.505",
                 photos=[SimpleUploadedFile("p.png", png_bytes(), "image/png")])
    assert resp.status_code == 302
    v = Visit.objects.get()
    assert v.worker == personas.grid_worker and v.photos.count() == 1 and v.lat == pytest.approx(47.005)
    assert Household.objects.get(pk=hh.pk).last_visited_at == v.visited_at
    stats = selectors.grid_stats(grid)
    assert stats["visited"] == 1 and stats["coverage"] == pytest.approx(33.3)
    page = c.get(resp["Location"])
    assert "33.3%" in page.content.decode()
    assert AuditEntry.objects.filter(object_type="grid.visit", object_id=str(v.pk)).exists()


def test_visit_photo_stored_small_without_exif_and_served_in_scope(personas, gdata, client_for):
    """A phone photo is stored re-encoded (within 1600 px, upright, no GPS/make/model: the visit keeps
    the browser's location as its record), and served only to those who may see the household."""
    from core.tests.photo_samples import assert_clean_photo, camera_jpeg

    c = client_for(personas.grid_worker)
    hh = gdata.households["g11"][0]
    assert _post(c, hh, photos=[camera_jpeg()]).status_code == 302
    photo = Visit.objects.get().photos.get()
    assert_clean_photo(photo.image)
    resp = c.get(f"/grid/photos/{photo.pk}/")
    assert resp.status_code == 200 and resp["Content-Type"] == "image/jpeg"
    assert client_for(personas.other_grid_worker).get(f"/grid/photos/{photo.pk}/").status_code == 404


def test_a_fake_photo_is_refused_and_nothing_is_saved(personas, gdata, client_for):
    c = client_for(personas.grid_worker)
    hh = gdata.households["g11"][0]
    resp = _post(c, hh, photos=[SimpleUploadedFile("p.jpg", b"<html>not an image</html>", "image/jpeg")])
    assert resp.status_code == 200
    assert "不是有效的图片文件" in resp.content.decode()
    assert not Visit.objects.exists()
    assert Household.objects.get(pk=hh.pk).last_visited_at is None


def test_too_big_photo_and_too_many_photos_are_refused(personas, gdata, client_for, settings):
    from grid import services

    c = client_for(personas.grid_worker)
    hh = gdata.households["g11"][0]
    big = SimpleUploadedFile("big.png", png_bytes() + b"\0" * (services.MAX_PHOTO_BYTES + 1), "image/png")
    assert "超过 5 MB" in _post(c, hh, photos=[big]).content.decode()
    many = [SimpleUploadedFile(f"{i}.png", png_bytes(), "image/png") for i in range(7)]
    assert "最多上传 6 张照片" in _post(c, hh, photos=many).content.decode()
    assert not Visit.objects.exists()


def test_future_time_and_empty_findings_are_refused(personas, gdata, client_for):
    c = client_for(personas.grid_worker)
    hh = gdata.households["g11"][0]
    future = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    body = _post(c, hh, visited_at=future, findings="").content.decode()
    assert "走访时间不能晚于现在" in body or "请填写走访情况" in body
    body = _post(c, hh, visited_at=future).content.decode()
    assert "走访时间不能晚于现在" in body
    assert not Visit.objects.exists()


def test_worker_cannot_visit_another_grids_household(personas, gdata, client_for):
    c = client_for(personas.grid_worker)
    assert _post(c, gdata.households["g12"][0]).status_code == 404
    assert c.get(f"/grid/m/visit/?household={gdata.households['w11'][0].pk}").status_code == 404
    # A secretary may view but the visit form needs the visit permission in that grid: west is outside.
    assert client_for(personas.secretary).get(
        f"/grid/m/visit/?household={gdata.households['w11'][0].pk}").status_code == 404


def test_findings_are_rendered_escaped(personas, gdata, client_for):
    c = client_for(personas.grid_worker)
    hh = gdata.households["g11"][0]
    _post(c, hh, findings="<script>alert(1)</script>")
    body = c.get(f"/grid/households/{hh.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body


def test_plan_lists_care_households_first_and_shrinks_as_visits_happen(personas, gdata, client_for):
    grid = gdata.households["g11"][0].grid
    plan = selectors.today_plan(grid)
    assert plan[0].is_care
    assert len(plan) == 3
    c = client_for(personas.grid_worker)
    _post(c, plan[0])
    assert plan[0].pk not in [h.pk for h in selectors.today_plan(grid)]
    body = c.get("/grid/m/").content.decode()
    assert "今日走访计划（2 户）" in body


def test_not_visited_and_care_overdue_lists(personas, gdata, client_for):
    from grid import services

    hh = gdata.households["g11"][0]  # the care household
    services.visit_log(actor=personas.grid_worker, household=hh, visited_at=timezone.now() - timedelta(days=40),
                       findings="上次走访")
    c = client_for(personas.secretary)
    body = c.get("/grid/visits/?show=care&days=30").content.decode()
    assert hh.house.address in body
    body = c.get("/grid/visits/?show=care&days=60").content.decode()
    assert hh.house.address not in body
    month = c.get("/grid/visits/").context["page"].paginator.count
    assert month == 5  # every east household this month
    workers = c.get("/grid/visits/").context["workers"]
    assert {w["worker"].username for w in workers} == {"grid_worker", "other_grid_worker"}


def test_monthly_coverage_per_grid(personas, gdata):
    from grid import services

    hh = gdata.households["g11"][1]
    services.visit_log(actor=personas.grid_worker, household=hh, visited_at=timezone.now(), findings="x")
    months = selectors.monthly_coverage(hh.grid)
    assert len(months) == 6
    assert months[-1][1] == 1 and months[-1][2] == pytest.approx(33.3)


def test_a_moved_out_household_takes_no_visit(personas, gdata, client_for):
    from django.core.exceptions import ValidationError

    from grid import services

    hh = gdata.households["g11"][0]
    services.household_move_out(actor=personas.grid_worker, household=hh, moved_out_on=timezone.localdate(),
                                reason="迁往外地")
    with pytest.raises(ValidationError, match="整户迁出.*不能再记录走访"):
        services.visit_log(actor=personas.grid_worker, household=hh, visited_at=timezone.now(), findings="x")
    c = client_for(personas.grid_worker)
    # The page sends the worker back to the household's (read-only) page with the reason, GET and POST alike.
    for resp in (c.get("/grid/m/visit/", {"household": hh.pk}), _post(c, hh)):
        assert resp.status_code == 302 and resp["Location"] == f"/grid/households/{hh.pk}/"
    page = c.get(f"/grid/households/{hh.pk}/")
    assert any("不能再记录走访" in str(m) for m in page.context["messages"])
    assert f"/grid/m/visit/?household={hh.pk}" not in page.content.decode()   # no 记录走访 button
    assert not Visit.objects.exists()
    assert Household.objects.get(pk=hh.pk).last_visited_at is None
    # Outside the scope it stays a 404, like any other household.
    assert client_for(personas.other_grid_worker).get("/grid/m/visit/", {"household": hh.pk}).status_code == 404
