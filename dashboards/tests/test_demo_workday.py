"""The demo's working day: the demo accounts find real work on their workbench."""

import pytest

from accounts.models import RoleAssignment, User
from accounts.roles import Role
from dashboards.selectors.workbench import workbench
from grid.models import GridProfile

pytestmark = pytest.mark.django_db


def _blocks(username):
    return {b.key: b for b in workbench(User.objects.get(username=username))}


def test_the_workday_step_fills_the_workbenches():
    from dashboards import demo
    from orgs import demo as foundation_demo

    foundation_demo.load()
    grid = RoleAssignment.objects.get(user__username="wgy", role=Role.GRID_WORKER).region
    GridProfile.objects.create(region=grid, center_lat=47.0, center_lng=89.5)
    demo.load()
    sec = _blocks("sq_shuji")
    assert sec["new-demands"].count == 3 and sec["overdue-demands"].count >= 1
    assert sec["my-queue"].count == 2 and sec["cadence-gaps"].count == 1
    worker = _blocks("wgy")
    titles = {i.title for i in worker["my-queue"].items}
    assert {"独居老人家中水管漏水", "路口井盖松动"} <= titles
    assert {i.title for i in worker["grid-events"].items} >= {"路口井盖松动"}
