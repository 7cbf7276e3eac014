"""The demo deployment is shaped like the county of seed 000 and loads exactly once."""

import pytest

from accounts.models import User
from accounts.roles import Role
from core.demo import load_all
from core.models import DemoStep
from orgs.models import OrgForm, OrgLevel, PartyOrg
from regions.models import Region, RegionKind
from regions.services import check_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def foundation_only(monkeypatch):
    from core import demo
    from orgs.demo import DEMO_STEPS

    monkeypatch.setattr(demo, "demo_steps", lambda: list(DEMO_STEPS))


def test_demo_matches_the_seed_county(foundation_only):
    assert load_all() == ["foundation"]
    assert Region.objects.filter(kind=RegionKind.DISTRICT).get().division_code == "654322"
    assert Region.objects.filter(kind=RegionKind.STREET, town=True).count() == 3
    assert Region.objects.filter(kind=RegionKind.COMMUNITY).count() == 8
    community_orgs = PartyOrg.objects.filter(level=OrgLevel.COMMUNITY)
    assert community_orgs.filter(form=OrgForm.GENERAL_BRANCH).count() == 4
    assert community_orgs.filter(form=OrgForm.BRANCH).count() == 4
    assert Region.objects.filter(kind=RegionKind.GRID).count() >= 54  # 26,620 residents at ≤500 each
    assert check_tree() == []
    roles = set(User.objects.values_list("role_assignments__role", flat=True))
    assert set(Role.values) <= roles
    assert User.objects.filter(is_superuser=True).count() == 1


def test_demo_loads_once(foundation_only):
    load_all()
    assert load_all() == []
    assert DemoStep.objects.filter(name="foundation").count() == 1
    assert Region.objects.filter(kind=RegionKind.DISTRICT).count() == 1
