"""Jobs through the broker (consent first, a job filled closes itself) and 全程代办 errands (a checklist,
then the resident's own confirmation)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from services import services
from services.models import ErrandState, JobSeeker, JobState, Placement, SeekerState

pytestmark = pytest.mark.django_db


def test_a_job_is_filled_through_the_broker(world, tree, personas, client_for):
    sec = personas.secretary
    job = services.job_post(actor=sec, unit=world.unit, title="抄表员", openings=1, wage="每月 3000 元",
                            skills="电工 抄表")
    with pytest.raises(ValidationError, match="本人同意"):
        services.seeker_register(actor=sec, resident=world.resident, consent=False, skills="电工")
    assert not JobSeeker.objects.exists()
    electrician = services.seeker_register(actor=sec, resident=world.resident, consent=True, skills="电工",
                                           wanted="水电维修")
    cook = services.seeker_register(actor=sec, resident=world.neighbour, consent=True, skills="厨师")
    ranked = services.suggestions(job)
    assert ranked[0][0] == electrician and ranked[0][1] > ranked[1][1]
    p = services.placement_propose(actor=sec, job=job, seeker=electrician)
    with pytest.raises(ValidationError, match="已向该岗位推荐过"):
        services.placement_propose(actor=sec, job=job, seeker=electrician)
    services.placement_decide(actor=sec, placement=p, placed=True)
    job.refresh_from_db()
    electrician.refresh_from_db()
    assert job.state == JobState.FILLED and electrician.state == SeekerState.PLACED
    with pytest.raises(ValidationError, match="已招满"):
        services.placement_propose(actor=sec, job=job, seeker=cook)
    page = client_for(personas.street_staff).get(reverse("services:job_stats")).content.decode()
    assert "东一社区" in page


def test_a_future_placement_date_and_another_communitys_seeker_are_refused(world, tree, personas):
    sec = personas.secretary
    job = services.job_post(actor=sec, unit=world.unit, title="保洁员", openings=2)
    s = services.seeker_register(actor=sec, resident=world.resident, consent=True)
    p = services.placement_propose(actor=sec, job=job, seeker=s)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.placement_decide(actor=sec, placement=p, placed=True, on=timezone.localdate() + timedelta(days=5))
    assert Placement.objects.get().state == "proposed"
    west = services.seeker_register(actor=personas.west_secretary, resident=world.west_resident, consent=True)
    with pytest.raises(ValidationError, match="不在本社区"):
        services.placement_propose(actor=sec, job=job, seeker=west)
    with pytest.raises(ValidationError, match="招聘人数"):
        services.job_post(actor=sec, unit=world.unit, title="保洁员", openings=10**12)


def test_the_seeker_page_finds_residents_in_scope_only(world, tree, personas, client_for):
    c = client_for(personas.community_staff)
    assert "张大爷" in c.get(reverse("services:seekers") + "?q=张").content.decode()
    assert "王师傅" not in c.get(reverse("services:seekers") + "?q=王").content.decode()
    assert c.post(reverse("services:seekers"), {"resident": world.west_resident.pk, "consent": "1"}).status_code == 404
    c.post(reverse("services:seekers"), {"resident": world.resident.pk})  # no consent
    assert not JobSeeker.objects.exists()
    c.post(reverse("services:seekers"), {"resident": world.resident.pk, "consent": "1", "skills": "电工"})
    assert JobSeeker.objects.get().skills == "电工"


def test_an_errand_needs_every_step_and_the_residents_confirmation(world, tree, personas):
    sec = personas.secretary
    e = services.errand_create(actor=sec, region=tree.east1, resident_name="张大爷", subject="办理高龄津贴",
                               agency="县民政局", taker_name="王党员", steps=["收取材料", "窗口递交", "", "送还结果"])
    assert [s.title for s in e.steps.all()] == ["收取材料", "窗口递交", "送还结果"]
    with pytest.raises(ValidationError, match="所有办理步骤完成后"):
        services.errand_confirm(actor=sec, errand=e, confirmed_by="张大爷", opinion="满意")
    for s in e.steps.all():
        services.errand_step_done(actor=sec, step=s, note="已办")
    e.refresh_from_db()
    assert e.state == ErrandState.WAITING
    with pytest.raises(ValidationError, match="委托居民“张大爷”本人"):
        services.errand_confirm(actor=sec, errand=e, confirmed_by="王党员", opinion="满意")
    services.errand_confirm(actor=sec, errand=e, confirmed_by="张大爷", opinion="已领到津贴卡，满意")
    e.refresh_from_db()
    assert e.state == ErrandState.CONFIRMED and e.confirmed_at


def test_an_errand_without_steps_or_with_markup_is_refused(world, tree, personas, client_for):
    with pytest.raises(ValidationError, match="至少填写一个办理步骤"):
        services.errand_create(actor=personas.secretary, region=tree.east1, resident_name="张大爷", subject="x",
                               taker_name="王党员", steps=["", "  "])
    c = client_for(personas.secretary)
    r = c.post(reverse("services:errand_new"), {"region": tree.east1.pk, "resident_name": "张大爷",
                                               "subject": "<img src=x>", "taker_name": "王党员", "steps": "递交"})
    assert r.status_code == 200 and "代办事项不能包含" in r.content.decode()
    from services.models import Errand
    assert not Errand.objects.exists()
