"""Shared fixtures of the assessment tests: a published task list of the test county."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.utils import timezone

from . import services
from .models import KeyTask, Level, TaskList


@dataclass
class Plan:
    task_list: TaskList
    street_task: KeyTask     # street and community
    community_task: KeyTask  # community only


@pytest.fixture
def plan(personas, tree) -> Plan:
    year = timezone.localdate().year
    tl = services.tasklist_create(actor=personas.district_admin, region=tree.district, year=year,
                                  title=f"{year}年城市基层党建责任清单和任务清单")
    a1 = services.aspect_add(actor=personas.district_admin, task_list=tl, name="组织体系建设")
    a2 = services.aspect_add(actor=personas.district_admin, task_list=tl, name="治理体系建设")
    t1 = services.keytask_add(actor=personas.district_admin, aspect=a1, title="建强小区党支部",
                              content="实现小区党组织全覆盖", levels=[Level.STREET, Level.COMMUNITY],
                              deadline=date(year, 12, 31), evidence="党支部成立批复")
    t2 = services.keytask_add(actor=personas.district_admin, aspect=a2, title="推行周纪实月调度",
                              content="社区干部每周下访并记录", levels=[Level.COMMUNITY], deadline=date(year, 12, 31))
    tl = services.tasklist_publish(actor=personas.district_admin, task_list=tl)
    return Plan(tl, t1, t2)
