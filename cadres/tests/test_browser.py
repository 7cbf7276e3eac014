"""On a phone and a desktop: the district records a cadre's appointment and a training attendance, then sees a
community's staffing shortfall and the cadres short of this year's training minimums."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cadres import services
from cadres.models import Attendance, Movement, MovementKind
from conftest import PASSWORD
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def _course(actor, tree):
    today = timezone.localdate()
    start = max(today.replace(month=1, day=1), today - timedelta(days=30))
    return services.course_create(actor=actor, region=tree.district, title="社区干部集中轮训班", kind="county_school",
                                  organizer="县委党校", start=start, end=start + timedelta(days=19), days=20,
                                  hours=120)


@pytest.mark.parametrize("viewport,tag", [((390, 844), "phone"), ((1366, 860), "desktop")])
def test_district_records_appointment_and_training_and_sees_shortfalls(page_for, world, tree, personas, viewport,
                                                                       tag):
    course = _course(personas.district_admin, tree)
    page = page_for(viewport=viewport)
    login(page, "district_admin", PASSWORD)

    # An appointment: 李小梅 becomes the community's full-time Party worker.
    page.goto(f"/cadres/{world.worker.pk}/")
    page.click("#act-appoint summary")
    form = page.locator("#act-appoint form")
    form.locator("select[name=position]").select_option("party_worker")
    form.locator("input[name=two_committees]").check()
    form.locator("input[name=date]").fill(timezone.localdate().isoformat())
    form.locator("input[name=document]").fill("东街道党工委〔2026〕8号")
    form.locator("button").click()
    page.wait_for_selector(".alert-success")
    assert "专职党务工作者" in page.inner_text("#position") and "两委" in page.inner_text("#position")
    assert "东街道党工委〔2026〕8号" in page.inner_text("#movements")
    screenshot(page, f"cadres-appointed-{tag}")
    assert Movement.objects.filter(cadre=world.worker, kind=MovementKind.APPOINT).count() == 1

    # A training attendance: she left the county Party school course after 12 of its 20 days.
    page.goto("/cadres/training/")
    page.click(f"#courses a[href='/cadres/training/courses/{course.pk}/']")
    page.select_option("#id_cadre", str(world.worker.pk))
    page.fill("#id_days", "12")
    page.click("#attendance-form button")
    page.wait_for_selector(".alert-success")
    assert "已登记李小梅参训 12 天" in page.inner_text(".alert-success")
    assert "李小梅" in page.inner_text("#attendance")
    screenshot(page, f"cadres-attendance-{tag}")
    # Over the course's days: refused in Chinese, nothing saved.
    page.select_option("#id_cadre", str(world.secretary.pk))
    page.fill("#id_days", "25")
    page.click("#attendance-form button")
    page.wait_for_selector(".invalid-feedback")
    assert "参训天数" in page.inner_text("#attendance-form")
    assert list(Attendance.objects.values_list("cadre__name", flat=True)) == ["李小梅"]

    # The training shortfall list names her with what is missing.
    page.goto("/cadres/training/")
    gaps = page.inner_text("#training-gaps")
    assert "李小梅" in gaps and "已参加 1 次、12 天" in gaps
    screenshot(page, f"cadres-training-{tag}")

    # The community's staffing shortfall.
    page.goto("/cadres/quotas/?short=1")
    quotas = page.inner_text("#quotas")
    assert "东一社区" in quotas and "工作人员应不少于 10 名" in quotas
    screenshot(page, f"cadres-quotas-{tag}")
    no_overflow = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert no_overflow
