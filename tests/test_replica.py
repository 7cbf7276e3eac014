"""The read-replica router (core/replica.py) against a second PostgreSQL database: the tree and the
dashboards read the replica, other pages and every write the primary, and a browser that has just
written reads the primary for a while."""

from __future__ import annotations

import os
import subprocess

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections
from django.db.utils import load_backend
from django.test import override_settings

from core import replica
from regions.models import Region

pytestmark = pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                                reason="a second PostgreSQL database")


def _psql_env(conf):
    return {**os.environ, "PGHOST": conf["HOST"] or "127.0.0.1", "PGPORT": str(conf["PORT"] or 5432),
            "PGUSER": conf["USER"], "PGPASSWORD": conf["PASSWORD"] or ""}


@pytest.fixture
def replica_db(db):
    """A second database with the primary's schema, as alias `replica`, and the router on."""
    conf = connection.settings_dict
    name = f"{conf['NAME']}_replica"
    env = _psql_env(conf)
    subprocess.run(["psql", "-q", "-d", "postgres", "-c", f'DROP DATABASE IF EXISTS "{name}"',
                    "-c", f'CREATE DATABASE "{name}"'], env=env, check=True, capture_output=True)
    schema = subprocess.run(["pg_dump", "--schema-only", "--no-owner", "-d", conf["NAME"]], env=env, check=True,
                            capture_output=True).stdout
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", name], input=schema, env=env, check=True,
                   capture_output=True)
    # The connection of this thread only (the test client answers in it): a deployment declares it in
    # DATABASES from DATABASE_REPLICA_URL; here it comes after the test database is set up.
    replica_conn = load_backend(conf["ENGINE"]).DatabaseWrapper({**conf, "NAME": name}, replica.REPLICA)
    connections[replica.REPLICA] = replica_conn
    try:
        with override_settings(DATABASE_ROUTERS=["core.replica.ReplicaRouter"], DATABASE_REPLICA=True):
            yield name
    finally:
        replica_conn.close()
        del connections[replica.REPLICA]
        subprocess.run(["psql", "-q", "-d", "postgres", "-c", f'DROP DATABASE IF EXISTS "{name}"'], env=env,
                       capture_output=True)


def _copy_regions_to_replica(renamed: Region):
    """What streaming replication would have copied, with one name changed to tell the copies apart."""
    rows = list(Region.objects.using("default").order_by("path"))
    for r in rows:
        if r.pk == renamed.pk:
            r.name = f"{r.name}（副本）"
    Region.objects.using("replica").bulk_create(rows)


def test_the_tree_reads_the_replica_other_pages_and_writes_the_primary(replica_db, tree, personas, client_for):
    _copy_regions_to_replica(tree.east1)
    c = client_for(personas.secretary)
    page = c.get(f"/regions/{tree.east1.pk}/").content.decode()
    assert "东一社区（副本）" in page  # the tree page read the replica
    # A page outside REPLICA_READ_PATHS reads the primary.
    resp = c.get("/demands/")
    assert resp.status_code == 200 and "（副本）" not in resp.content.decode()
    # A write goes to the primary and pins the browser there for a while (a cookie), whatever the path.
    resp = c.post(f"/regions/{tree.east1.pk}/", {})
    assert resp.cookies[replica.PIN_COOKIE]["max-age"] == django_settings.REPLICA_PIN_SECONDS
    assert "东一社区（副本）" not in c.get(f"/regions/{tree.east1.pk}/").content.decode()
    assert Region.objects.using("default").get(pk=tree.east1.pk).name == "东一社区"


def test_sign_in_state_is_never_read_from_the_replica(replica_db, tree, personas, client_for):
    """The replica holds no accounts at all here: signed-in pages still work (accounts read the primary)."""
    _copy_regions_to_replica(tree.east1)
    resp = client_for(personas.secretary).get(f"/regions/{tree.east1.pk}/")
    assert resp.status_code == 200


def test_a_write_inside_a_request_pins_its_later_reads_to_the_primary(replica_db):
    router = replica.ReplicaRouter()
    token, pin = replica._use_replica.set(True), replica._pinned.set(False)
    try:
        assert router.db_for_read(Region) == "replica"
        assert router.db_for_write(Region) == "default"
        assert router.db_for_read(Region) == "default"
    finally:
        replica._pinned.reset(pin)
        replica._use_replica.reset(token)
    assert router.allow_migrate("replica", "regions") is False and router.allow_migrate("default", "regions")


def test_readyz_reports_the_replica(replica_db, client):
    body = client.get("/readyz").json()
    assert body["checks"]["replica"]["ok"] is True
    assert body["checks"]["replica"]["standby"] is False  # a plain database here, not in recovery
