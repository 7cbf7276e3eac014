"""Browser workflows of issue 4: a grid worker on a phone logs a visit; a secretary uses the map."""

import pytest

from conftest import PASSWORD
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_grid_worker_logs_visit_with_photo_on_phone(page_for, personas, gdata, tmp_path):
    from grid.tests.conftest import png_bytes

    photo = tmp_path / "visit.png"
    photo.write_bytes(png_bytes((320, 240)))
    page = page_for(viewport=(390, 844))
    login(page, "grid_worker", PASSWORD)
    page.goto("/grid/m/")
    assert page.locator("#my-coverage").inner_text() == "0.0%"
    assert "今日走访计划（3 户）" in page.locator("body").inner_text()
    screenshot(page, "grid_mobile_before")
    page.locator("#plan a").first.click()
    page.wait_for_url("**/grid/m/visit/**")
    page.fill("#id_findings", "独居老人身体良好，提醒冬季取暖安全。")
    page.set_input_files("#id_photos", str(photo))
    screenshot(page, "grid_visit_form_phone")
    page.click("#visit-form button[type=submit]")
    page.wait_for_url("**/grid/m/?grid=*")
    assert page.locator("#my-coverage").inner_text() == "33.3%"
    assert "已记录对" in page.locator(".alert").inner_text()
    assert "今日走访计划（2 户）" in page.locator("body").inner_text()
    # No horizontal scrolling on the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "grid_mobile_after_visit")


def test_secretary_colours_map_by_coverage_and_opens_profile(page_for, personas, gdata, tree):
    from django.utils import timezone

    from grid import services

    services.visit_log(actor=personas.grid_worker, household=gdata.households["g11"][0],
                       visited_at=timezone.now(), findings="正常")
    page = page_for()
    login(page, "secretary", PASSWORD)
    page.click("#main-menu >> text=一张图")
    page.wait_for_url("**/grid/map/**")
    page.select_option("#map-region", str(tree.east1.pk))
    page.select_option("#map-metric", "coverage")
    page.wait_for_selector("#grid-map[data-loaded='coverage']", state="attached")
    assert page.locator("path.grid-poly").count() == 2
    assert "本月走访覆盖率" in page.locator(".map-legend").inner_text()
    screenshot(page, "grid_map_coverage")
    page.locator(f"path.grid-poly-{tree.east1_grid1.pk}").click()
    page.locator(".leaflet-popup a.profile-link").click()
    page.wait_for_url(f"**/grid/{tree.east1_grid1.pk}/")
    assert "一格一档" in page.locator("h1").inner_text()
    assert page.locator("#coverage-value").inner_text() == "33.3%"
    screenshot(page, "grid_profile")


def test_secretary_imports_residents_with_bad_rows(page_for, personas, tree, tmp_path, settings):
    from grid.tests.test_import import _ids, _row, xlsx

    settings.MEDIA_ROOT = tmp_path / "media"
    ids = _ids(3)
    path = tmp_path / "居民.xlsx"
    path.write_bytes(xlsx([
        _row("刘一", ids[0]),
        _row("刘二", ids[1][:-1] + ("0" if ids[1][-1] != "0" else "1"), 与户主关系="配偶"),
        _row("刘三", ids[2], 楼栋="9号楼", 与户主关系="子女"),
    ]))
    page = page_for()
    login(page, "secretary", PASSWORD)
    page.click("#main-menu >> text=居民查询")
    page.click("#import-link")
    page.set_input_files("input[type=file]", str(path))
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/grid/import/jobs/**")
    body = page.locator("body").inner_text()
    assert "未导入任何数据" in body
    assert "找不到楼栋" in body and "身份证号" in body
    assert ids[1] not in body  # values in the report are masked
    screenshot(page, "grid_import_bad_rows")
    from grid.models import Resident

    assert not Resident.objects.exists()
