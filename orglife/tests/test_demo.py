"""The demo step on the seed county: a year of sessions for every organization with members, a few
missed months flagged, mobile members attending online."""

import pytest

from members.demo import load as load_members
from members.models import MobileRecord
from orglife.demo import load, load_pipeline
from orglife.models import Applicant, CadenceFlag, Session, SessionAttendance, SessionKind
from orgs.demo import load as load_foundation

pytestmark = pytest.mark.django_db


def test_demo_sessions():
    load_foundation()
    load_members()
    load()
    orgs = set(Session.objects.values_list("org_id", flat=True))
    assert len(orgs) >= 8  # the eight communities and the unit branches with members
    assert Session.objects.filter(kind=SessionKind.THEME_DAY, status="held").count() >= 8 * 11
    assert SessionAttendance.objects.filter(status="online").exists()
    inflow = SessionAttendance.objects.filter(inflow=True)  # members who flowed in attend on site there
    assert inflow.exists() and not inflow.exclude(status__in=["present", "excused"]).exists()
    flagged = set(CadenceFlag.objects.filter(kind=SessionKind.THEME_DAY).values_list("org_id", flat=True))
    assert 1 <= len(flagged) <= 3


def test_demo_pipeline():
    from orglife.services.pipeline import due_on

    load_foundation()
    load_members()
    load_pipeline()
    stages = set(Applicant.objects.values_list("stage", flat=True))
    assert stages == {"applicant", "activist", "candidate", "probationary"}
    assert Applicant.objects.exclude(social_org="").exists()
    for a in Applicant.objects.all():  # every demo person's dates keep the rules
        assert a.steps.count() >= 1 and due_on(a) is not None


def test_demo_reviews():
    from orglife.demo import load_reviews
    from orglife.models import Review, ReviewEntry

    load_foundation()
    load_members()
    load_reviews()
    assert Review.objects.count() == 8 and not Review.objects.filter(closed_on__isnull=True).exists()
    bad = ReviewEntry.objects.filter(rating="unqualified")
    assert bad.count() == 1 and bad.get().follow_up == "correct"
    assert ReviewEntry.objects.filter(rating="excellent").count() > ReviewEntry.objects.filter(rating="basic").count()


def test_demo_growth_series_is_seed_004():
    """The community organizations' books at the end of the last five years: 147 → 190 → 284 → 323
    → 354 (seed 004), 398 today (seed 000); most of it transfers in, a few new members a year."""
    from django.utils import timezone

    from orglife.stats import growth_series, year_stats
    from orgs.models import PartyOrg

    load_foundation()
    load_members()
    orgs = list(PartyOrg.objects.filter(level="community"))
    year = timezone.localdate().year
    assert [n for _, n in growth_series(orgs, year - 1)] == [147, 190, 284, 323, 354]
    assert growth_series(orgs, year)[-1] == (str(year), 398)
    assert sum(r.gained for r in year_stats(orgs, year - 3)) == 284 - 190


def test_demo_care_ledgers():
    from django.db.models import Sum

    from orglife.demo import load_care
    from orglife.models import CareVisit, ContactLog, FundEntry, MobilePair
    from orglife.services.care import fund_balance
    from orgs.models import PartyOrg

    load_foundation()
    load_members()
    load_care()
    assert CareVisit.objects.filter(kind="study").count() >= 8
    assert CareVisit.objects.filter(kind="holiday").aggregate(s=Sum("amount"))["s"] > 0
    for org in PartyOrg.objects.filter(level="community"):  # every ledger's balance adds up, never negative
        entries = list(FundEntry.objects.filter(org=org).order_by("id"))
        running = 0
        for e in entries:
            running += e.amount if e.kind == "income" else -e.amount
            assert e.balance == running >= 0
        assert fund_balance(org) == running
    assert FundEntry.objects.filter(kind="payout").exists()
    open_recs = MobileRecord.objects.filter(ended_on__isnull=True).count()
    assert MobilePair.objects.count() == open_recs - 1
    for p in MobilePair.objects.select_related("record"):  # the last contact is the record's
        assert max(p.logs.values_list("date", flat=True)) == p.record.last_contact_on
    assert ContactLog.objects.count() > open_recs
