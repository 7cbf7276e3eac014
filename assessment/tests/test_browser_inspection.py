"""An unannounced inspection with two findings: one rectified with a photo as evidence (the
community, on a phone), one overdue and escalated to the street."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from assessment import services
from assessment.models import Finding, RectificationStatus
from conftest import PASSWORD
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_inspection_two_findings(page_for, personas, tree, tmp_path):
    today = timezone.localdate()
    page = page_for()
    login(page, "district_admin", PASSWORD)
    page.click("#main-menu >> text=督查整改")
    form = page.locator("#inspection-form")
    form.locator("select[name=region]").select_option(label="东一社区")
    form.locator("input[name=inspectors]").fill("县委组织部督查组 李明、赵刚")
    form.locator("textarea[name=summary]").fill("直奔现场，查看党群服务中心和小区党支部台账")
    form.locator("button").click()
    page.wait_for_selector("text=已登记督查")
    page.select_option("#checks select >> nth=1", "fail")
    page.fill("#checks input >> nth=1", "两项任务未按期推进")
    page.click("#checks-form button")
    page.wait_for_selector("text=已保存检查结果")
    for text, days in (("党员活动室被挪作仓库", 10), ("每周纪实缺三周", 3)):
        f = page.locator("#finding-form")
        f.locator("input[name=text]").fill(text)
        f.locator("input[name=requirement]").fill("限期整改并报送佐证")
        f.locator("input[name=owner]").fill("王书记")
        f.locator("input[name=deadline]").fill(str(today + timedelta(days=days)))
        f.locator("button").click()
        page.wait_for_selector("text=已登记问题并交整改单位整改")
    assert page.locator("#findings .finding").count() == 2
    screenshot(page, "assessment_inspection_findings")

    # The community rectifies the first with a photo, on a phone.
    photo = tmp_path / "整改后.png"
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, "PNG")
    photo.write_bytes(buf.getvalue())
    sec = page_for(viewport=(390, 844))
    login(sec, "secretary", PASSWORD)
    sec.goto("/assessment/inspections/?tab=rectifications")
    sec.click("#rectifications >> text=党员活动室被挪作仓库")
    first = sec.locator(".finding", has_text="党员活动室被挪作仓库")
    first.locator("summary").click()
    first.locator("textarea").fill("仓库物品已清走，活动室恢复使用")
    first.locator("button:has-text('报送并销号')").click()
    sec.wait_for_selector("text=须附佐证材料")  # refused without evidence, nothing closed
    assert Finding.objects.filter(status=RectificationStatus.CLOSED).count() == 0
    first = sec.locator(".finding", has_text="党员活动室被挪作仓库")
    first.locator("summary").click()
    first.locator("textarea").fill("仓库物品已清走，活动室恢复使用")
    first.locator("input[type=file][name$=photos]").set_input_files(str(photo))
    first.locator("button:has-text('报送并销号')").click()
    sec.wait_for_selector("text=问题销号")
    assert "已销号" in sec.locator(".finding", has_text="党员活动室被挪作仓库").inner_text()
    assert sec.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(sec, "assessment_rectified_phone")

    # The second is not rectified; ten days past its deadline it climbs to the street.
    Finding.objects.filter(text="每周纪实缺三周").update(deadline=today - timedelta(days=10))
    services.escalate_overdue()
    st = page_for(viewport=(390, 844))
    login(st, "street_staff", PASSWORD)
    st.goto("/assessment/inspections/?tab=rectifications")
    row = st.locator("#rectifications tbody tr", has_text="每周纪实缺三周")
    assert "月调度（街道）" in row.inner_text() and "超期未整改" in row.inner_text()
    screenshot(st, "assessment_rectification_escalated_phone")
