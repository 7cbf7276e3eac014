"""Shared test personas on a small tree (healthchecks-style named people).

县 (district)
├── 东街道 (street)
│   ├── 东一社区 (community) ── 网格1, 网格2 (grids); 网格1 ── 阳光小区 ── 1号楼
│   └── 东二社区 (community) ── 网格1
└── 西镇 (street, town)
    └── 西一社区 (community) ── 网格1
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from accounts.models import RoleAssignment, User
from accounts.roles import Role
from orgs.models import OrgForm, OrgLevel, PartyOrg
from regions.models import Region, RegionKind

PASSWORD = "Test-pass-2026"

# Playwright fixtures (browser, page_for) and helpers (login, screenshot) for every app's browser tests.
pytest_plugins = ["tests.browser_fixtures"]


@dataclass
class Tree:
    district: Region
    east: Region
    west: Region
    east1: Region
    east2: Region
    west1: Region
    east1_grid1: Region
    east1_grid2: Region
    east2_grid1: Region
    west1_grid1: Region
    compound: Region
    building: Region
    east1_org: PartyOrg
    west1_org: PartyOrg


def _r(name, kind, parent=None, **kw):
    return Region.objects.create(name=name, kind=kind, parent=parent, **kw)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """PostgreSQL refuses TRUNCATE of the audit log; the suite's own test_* databases are emptied with it
    between transactional tests, so their connections ask for the exception (audit migration 0003)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.postgresql":
        options = db.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c dangjian.allow_audit_truncate=on".strip()


@pytest.fixture
def tree(db) -> Tree:
    d = _r("测试县", RegionKind.DISTRICT, division_code="654322")
    east = _r("东街道", RegionKind.STREET, d)
    west = _r("西镇", RegionKind.STREET, d, town=True)
    east1 = _r("东一社区", RegionKind.COMMUNITY, east)
    east2 = _r("东二社区", RegionKind.COMMUNITY, east)
    west1 = _r("西一社区", RegionKind.COMMUNITY, west)
    g11 = _r("网格1", RegionKind.GRID, east1)
    g12 = _r("网格2", RegionKind.GRID, east1)
    g21 = _r("网格1", RegionKind.GRID, east2)
    w11 = _r("网格1", RegionKind.GRID, west1)
    compound = _r("阳光小区", RegionKind.COMPOUND, g11)
    building = _r("1号楼", RegionKind.BUILDING, compound)
    county_org = PartyOrg.objects.create(name="测试县委", level=OrgLevel.DISTRICT, form=OrgForm.COMMITTEE, region=d)
    east_org = PartyOrg.objects.create(
        name="东街道党工委", level=OrgLevel.STREET, form=OrgForm.WORKING_COMMITTEE, region=east, parent=county_org
    )
    west_org = PartyOrg.objects.create(
        name="西镇党委", level=OrgLevel.STREET, form=OrgForm.COMMITTEE, region=west, parent=county_org
    )
    east1_org = PartyOrg.objects.create(
        name="东一社区党总支", level=OrgLevel.COMMUNITY, form=OrgForm.GENERAL_BRANCH, region=east1, parent=east_org,
        secretary_name="书记甲",
    )
    west1_org = PartyOrg.objects.create(
        name="西一社区党支部", level=OrgLevel.COMMUNITY, form=OrgForm.BRANCH, region=west1, parent=west_org
    )
    return Tree(d, east, west, east1, east2, west1, g11, g12, g21, w11, compound, building, east1_org, west1_org)


def make_user(username: str, role: str | None = None, region: Region | None = None, **extra) -> User:
    """A test account. Like the demo's accounts it is flagged `is_demo` (no forced password change, no
    two-factor enrolment), so tests sign in with one step; pass is_demo=False for an ordinary account."""
    extra.setdefault("is_demo", True)
    user = User.objects.create_user(username, password=PASSWORD, full_name=extra.pop("full_name", username), **extra)
    if role:
        RoleAssignment.objects.create(user=user, role=role, region=region)
    return user


@dataclass
class Personas:
    district_admin: User
    street_staff: User        # 东街道
    secretary: User           # 东一社区 secretary
    community_staff: User     # 东一社区
    grid_worker: User         # 东一社区 网格1
    other_grid_worker: User   # 东一社区 网格2
    member: User              # Party member in 东一社区
    liaison: User             # resident-unit liaison in 东一社区
    west_secretary: User      # 西一社区 secretary
    sysadmin: User
    secadmin: User
    auditor: User
    superuser: User
    nobody: User              # signed in, no role


@pytest.fixture
def personas(tree) -> Personas:
    return Personas(
        district_admin=make_user("district_admin", Role.DISTRICT_ADMIN, tree.district),
        street_staff=make_user("street_staff", Role.STREET_STAFF, tree.east),
        secretary=make_user("secretary", Role.COMMUNITY_SECRETARY, tree.east1, full_name="王书记"),
        community_staff=make_user("community_staff", Role.COMMUNITY_STAFF, tree.east1),
        grid_worker=make_user("grid_worker", Role.GRID_WORKER, tree.east1_grid1),
        other_grid_worker=make_user("other_grid_worker", Role.GRID_WORKER, tree.east1_grid2),
        member=make_user("member", Role.PARTY_MEMBER, tree.east1),
        liaison=make_user("liaison", Role.UNIT_LIAISON, tree.east1),
        west_secretary=make_user("west_secretary", Role.COMMUNITY_SECRETARY, tree.west1),
        sysadmin=make_user("sysadmin", Role.SYSTEM_ADMIN),
        secadmin=make_user("secadmin", Role.SECURITY_ADMIN),
        auditor=make_user("auditor", Role.AUDIT_ADMIN),
        superuser=User.objects.create_superuser("root", password=PASSWORD, is_demo=True),
        nobody=make_user("nobody"),
    )


@pytest.fixture
def client_for():
    def _client(user: User) -> Client:
        c = Client()
        c.force_login(user)
        return c

    return _client


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Hashing strength is not under test; PBKDF2 would dominate the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Login slowdown per client address and other counters live in the cache: each test starts clean.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path_factory):
    # Files written by tests (and by demo loads) stay out of var/: member photos, uploads, photos.
    settings.PRIVATE_MEDIA_ROOT = tmp_path_factory.mktemp("private")
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
