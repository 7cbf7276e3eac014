"""The demo step on the seed county: 103 cadres (48 国家干部, 55 聘用人员, seed 000), every community with 10 or
more, secretaries appointed (most 一肩挑), contracts for the hired, training with a few short of the minimums."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from audit.models import AuditEntry
from cadres import selectors
from cadres.demo import load
from cadres.models import Attendance, Award, Cadre, Contract, Movement, MovementKind, Position, Track
from cobuild.demo import load as load_cobuild
from core.idnumber import parse_id_number
from orgs.demo import load as load_foundation
from stewardship.demo import load as load_stewardship

pytestmark = pytest.mark.django_db


def test_demo_cadres():
    load_foundation()
    load_cobuild()
    load_stewardship()
    load()
    today = timezone.localdate()
    admin = get_user_model().objects.get(username="qw_zzb")
    total = selectors.stats_total(admin, today)
    assert (total.total, total.national, total.hired) == (103, 48, 55)
    per = {row.region.pk: row.stats.total for row in selectors.stats_rows(admin, today) if row.level == "community"}
    assert len(per) == 8 and min(per.values()) >= 10
    for c in Cadre.objects.all():
        assert parse_id_number(c.id_number).birth_date == c.birth_date
        age = c.age_on(today)
        if c.position == Position.SECRETARY:
            assert 40 <= age <= 55
        if c.position == Position.SOCIAL_WORKER:
            assert 25 <= age <= 35
    secretaries = Cadre.objects.filter(position=Position.SECRETARY)
    assert secretaries.count() == 8 and secretaries.filter(one_shoulder=True).count() == 7
    assert Movement.objects.filter(kind=MovementKind.APPOINT).count() == 8
    hired = Cadre.objects.exclude(employment__in=["admin", "career"])
    assert Contract.objects.filter(cadre__in=hired, start__lte=today, end__gte=today).count() == 55
    gaps = selectors.training_gaps(admin, today.year)
    assert 1 <= len(gaps) <= 10
    assert Attendance.objects.count() > 250
    assert Track.objects.filter(kind="reserve").count() == 3
    assert Award.objects.get().title == "最辛苦社区干部"
    assert AuditEntry.objects.filter(object_type__startswith="cadres.").count() > 400
    shortfalls = [c for c in selectors.compliance(admin) if not c.compliant]
    assert shortfalls and len(shortfalls) < 8
