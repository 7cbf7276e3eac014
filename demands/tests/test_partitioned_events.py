"""The demand timeline on PostgreSQL's monthly partitions (core/partitions.py): events land in their
month, photos still link to them (no database constraint), the timeline reads back in order."""

from __future__ import annotations

import os

import pytest
from django.db import connection

from demands.models import DemandPhoto

pytestmark = pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                                reason="declarative partitioning: PostgreSQL")


def test_events_land_in_their_month_and_photos_link_to_them(make_demand):
    demand = make_demand()
    events = list(demand.events.all())
    assert events
    with connection.cursor() as cur:
        cur.execute("SELECT DISTINCT tableoid::regclass::text FROM demands_demandevent WHERE demand_id = %s",
                    [demand.pk])
        where = {r for r, in cur.fetchall()}
    month = events[0].created_at.astimezone().strftime("%Y%m")
    assert where == {f"demands_demandevent_p{month}"}
    photo = DemandPhoto.objects.create(demand=demand, event=events[0], image="demands/x.jpg")
    assert DemandPhoto.objects.get(pk=photo.pk).event == events[0]
