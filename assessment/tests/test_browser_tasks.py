"""The district publishes a task list and hands a task to a street with a 交办书; the street signs
and hands it on to a community; the community signs and reports progress linking a meeting it
held; the task, behind, is reviewed at the street's monthly 调度 (street and community on a phone)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from assessment.models import Assignment, AssignmentStatus, Evidence, TaskList
from conftest import PASSWORD
from meetings import services as meeting_services
from meetings.models import BodyKind, MeetingStatus
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_task_from_list_to_monthly_dispatch(page_for, personas, tree):
    today = timezone.localdate()
    year = today.year
    # The district writes and publishes the list.
    page = page_for()
    login(page, "district_admin", PASSWORD)
    page.click("#main-menu >> text=任务清单")
    page.fill("#list-form input[name=title]", f"{year}年城市基层党建责任清单和任务清单")
    page.click("#list-form button")
    page.fill("#aspect-form input[name=name]", "组织体系建设")
    page.click("#aspect-form button")
    page.wait_for_selector("text=已添加方面")
    form = page.locator("#task-form")
    form.locator("select[name=aspect]").select_option(label="组织体系建设")
    form.locator("input[name=title]").fill("建强小区党支部")
    form.locator("textarea[name=content]").fill("推动小区党组织全覆盖，每个小区建立党支部")
    form.locator("input[name=levels][value=street]").check()
    form.locator("input[name=levels][value=community]").check()
    form.locator("input[name=evidence]").fill("党支部成立批复、会议记录")
    form.locator("input[name=deadline]").fill(f"{year}-12-31")
    form.locator("button").click()
    page.wait_for_selector("text=已添加重点任务")
    page.click("#publish")
    page.wait_for_selector("text=清单已发布")
    assert TaskList.objects.get().status == "published"
    page.click(".aspect a:text-is('交办')")
    page.check("#main-form input[name=regions] >> nth=0")
    page.fill("#main-form input[name=signer]", "李部长")
    page.click("#main-form button")
    page.wait_for_selector("text=已下发 1 份交办书")
    street_a = Assignment.objects.get(region=tree.east)
    screenshot(page, "assessment_list_published")

    # The street signs and hands it on, on a phone.
    phone = page_for(viewport=(390, 844))
    login(phone, "street_staff", PASSWORD)
    phone.goto("/assessment/")
    phone.click(f"#to-sign >> text={street_a.number}")
    phone.click("#acknowledge")
    phone.wait_for_selector("text=已签收交办书")
    phone.check("#hand-on-form input[name=regions] >> nth=0")
    phone.fill("#hand-on-form input[name=signer]", "张书记")
    phone.click("#hand-on-form button")
    phone.wait_for_selector("text=已转交办 1 个社区")
    comm_a = Assignment.objects.get(region=tree.east1)
    assert comm_a.parent == street_a and comm_a.deadline == street_a.deadline
    screenshot(phone, "assessment_street_hands_on_phone")

    # The community signs and reports progress with a meeting it held.
    body = meeting_services.body_create(actor=personas.secretary, name="东一社区党建联席会", kind=BodyKind.JOINT,
                                        region=tree.east1, since=date(2020, 1, 1))
    m = meeting_services.meeting_create(actor=personas.secretary, body=body, title="小区党支部筹建会",
                                        date=today - timedelta(days=1))
    m.status = MeetingStatus.HELD
    m.save()
    sec = page_for(viewport=(390, 844))
    login(sec, "secretary", PASSWORD)
    sec.goto("/assessment/")
    sec.click(f"#to-sign >> text={comm_a.number}")
    sec.click("#acknowledge")
    sec.wait_for_selector("text=已签收交办书")
    form = sec.locator("#progress-form")
    form.locator("textarea[name=text]").fill("召开小区党支部筹建会，3 个小区已建支部")
    form.locator("input[name=progress]").fill("40")
    form.locator("select[name=records]").select_option(f"meeting:{m.pk}")
    form.locator("button").click()
    sec.wait_for_selector("text=已报告进展")
    assert "小区党支部筹建会" in sec.locator("#reports").inner_text()
    assert Evidence.objects.get().record_id == m.pk
    assert sec.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(sec, "assessment_community_progress_phone")
    sec.click("#reports .evidence a:has-text('小区党支部筹建会')")
    sec.wait_for_selector("text=会议纪要")

    # Behind its pace: the street's monthly 调度 takes it up.
    Assignment.objects.filter(pk=comm_a.pk).update(assigned_on=today - timedelta(days=90),
                                                   deadline=today + timedelta(days=10))
    phone.goto("/assessment/dispatches/")
    phone.fill("#dispatch-form textarea[name=summary]", "通报重点任务进度，研究滞后任务")
    phone.click("#dispatch-form button")
    phone.wait_for_selector("text=1 项任务滞后")
    phone.click("#dispatch-items summary")
    phone.fill(".decision-form input[name=decision]", "两周内完成剩余小区支部组建")
    phone.fill(".decision-form input[name=owner]", "王书记")
    phone.click(".decision-form button")
    phone.wait_for_selector("text=已登记调度决定")
    assert "两周内完成" in phone.locator("#dispatch-items").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "assessment_monthly_dispatch_phone")
    assert Assignment.objects.get(pk=comm_a.pk).status == AssignmentStatus.ACKNOWLEDGED
