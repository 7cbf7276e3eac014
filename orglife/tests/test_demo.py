"""The demo step on the seed county: a year of sessions for every organization with members, a few
missed months flagged, mobile members attending online."""

import pytest

from members.demo import load as load_members
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
