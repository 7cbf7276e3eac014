"""Two handlers act on the same demand at the same moment, in two real connections: one wins."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from demands import services
from demands.models import Demand, State

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_accepts_only_one_wins(make_demand, personas):
    d = make_demand()
    seen = d.version
    barrier = threading.Barrier(2)
    results = []

    def act(user):
        try:
            barrier.wait(timeout=10)
            services.demand_transition(actor=user, demand=d.pk, action="accept", expected_version=seen)
            results.append("ok")
        except ValidationError as exc:
            results.append(exc.messages[0])
        except Exception as exc:  # noqa: BLE001 - e.g. SQLite "database is locked" also means: did not win
            results.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(u,)) for u in (personas.secretary, personas.community_staff)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results.count("ok") == 1, results
    d = Demand.objects.get(pk=d.pk)
    assert d.state == State.ACCEPTED and d.version == seen + 1
    assert d.events.filter(action="accept").count() == 1
