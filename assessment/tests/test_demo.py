"""The command system's demo on top of the foundation, co-building and meetings demos."""

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_demo_year():
    from assessment import demo
    from assessment.models import Aspect, Assignment, Dispatch, Evidence, KeyTask, WeeklyLog
    from cobuild import demo as cobuild_demo
    from meetings import demo as meetings_demo
    from orgs import demo as regions_demo

    regions_demo.load()
    cobuild_demo.load()
    meetings_demo.load()
    demo.load()
    today = timezone.localdate()
    assert Aspect.objects.count() == 5 and KeyTask.objects.count() == 18
    assert Assignment.objects.filter(parent__isnull=False).exists()
    assert Assignment.objects.filter(status="assigned", region__name="文化东路社区").exists()
    assert Assignment.objects.filter(escalation__gt=0).exists()
    assert Evidence.objects.filter(kind="meeting").exists()
    assert WeeklyLog.objects.values("region").distinct().count() == 8
    # One 调度 a month (the current month's once its first day is past).
    assert Dispatch.objects.count() == (today.month if today.day > 1 else today.month - 1)
    assert Dispatch.objects.filter(items__isnull=False).exists()
    from assessment.models import Finding, Inspection, Sanction

    assert Inspection.objects.count() == 2 and Inspection.objects.filter(kind="unannounced").count() == 1
    assert Finding.objects.filter(status="closed", evidence__isnull=False).exists()
    assert Finding.objects.filter(status="open", escalation__gt=0).exists() and Sanction.objects.count() == 1
    from assessment import scoring
    from assessment.models import Opinion, Review, Scheme, Score

    sch = Scheme.objects.get(level="community")
    assert scoring.scheme_problems(sch) == [] and Review.objects.count() == 8
    assert Score.objects.filter(item__scheme=sch, hand=False).count() >= 8 * 4  # (no demands, visits in this test)
    rows = scoring.ranking(sch)
    assert len(rows) == 8 and all(r.scored for r in rows) and sum(r.excellent for r in rows) >= 1
    assert Opinion.objects.exists() and any(r.needs_opinion for r in scoring.ranking(Scheme.objects.get(level="unit")))

    from assessment.models import Contract, DelegatedPower, Refusal

    assert Contract.objects.filter(status="refused").exclude(reason="").count() == 1
    assert Contract.objects.filter(status="pending", region__name="文化东路社区").exists()
    assert Refusal.objects.exists() and DelegatedPower.objects.count() == 15


def test_demo_campaigns(client):
    from django.urls import reverse

    from accounts.models import User
    from assessment import demo_campaigns
    from assessment.models import Campaign, Entry, Honor
    from orgs import demo as regions_demo

    regions_demo.load()
    demo_campaigns.load()
    assert set(Campaign.objects.values_list("kind", "status")) == {("five_good", "closed"), ("brand", "review"),
                                                                   ("contest", "open")}
    assert Honor.objects.filter(kind="award").count() == 3 and Honor.objects.filter(kind="criticism").count() == 1
    assert Entry.objects.filter(campaign__kind="five_good").count() == 8
    assert Entry.objects.filter(campaign__kind="brand", status="submitted").count() == 4
    client.force_login(User.objects.get(username="sq_shuji"))
    assert "待申报的评选活动" in client.get("/").content.decode()
    client.force_login(User.objects.get(username="qw_zzb"))
    home = client.get("/").content.decode()
    assert "待评审的评选申报" in home
    awarded = Honor.objects.filter(kind="award").first()
    page = client.get(reverse("orgs:detail", args=[awarded.org_id])).content.decode()
    assert "“五个好”社区党组织" in page
