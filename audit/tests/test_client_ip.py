"""The client address in the audit log and the rate limits: X-Forwarded-For only from a configured proxy."""

from __future__ import annotations

import ipaddress

import pytest
from django.test import RequestFactory, override_settings

from audit.models import AuditEntry
from core.clientip import client_ip

PROXY = [ipaddress.ip_network("10.0.0.10/32"), ipaddress.ip_network("10.9.0.0/16")]


def _req(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize("remote, forwarded, expected", [
    ("203.0.113.7", "1.2.3.4", "203.0.113.7"),           # not from the proxy: the header is ignored
    ("10.0.0.10", "172.16.5.9", "172.16.5.9"),           # from the proxy: its client
    ("10.0.0.10", "1.2.3.4, 172.16.5.9", "172.16.5.9"),  # a client-sent first hop is not believed
    ("10.0.0.10", "172.16.5.9, 10.9.3.3", "172.16.5.9"),  # two trusted proxies in a row
    ("10.0.0.10", "garbage", "10.0.0.10"),
    ("10.0.0.10", None, "10.0.0.10"),
])
def test_forwarded_for_is_believed_only_from_trusted_proxies(remote, forwarded, expected):
    with override_settings(TRUSTED_PROXIES=PROXY):
        assert client_ip(_req(remote, forwarded)) == expected


def test_without_configured_proxies_the_header_is_ignored():
    with override_settings(TRUSTED_PROXIES=[]):
        assert client_ip(_req("203.0.113.7", "1.2.3.4")) == "203.0.113.7"


def test_a_spoofed_forwarded_for_does_not_reach_the_audit_log(personas, client):
    from conftest import PASSWORD

    client.post("/accounts/login/", {"username": "secretary", "password": PASSWORD},
                REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="8.8.8.8")
    assert AuditEntry.objects.filter(action="login").latest("id").ip == "203.0.113.7"


def test_a_spoofed_forwarded_for_does_not_dodge_the_portal_rate_limit(tree, client, settings):
    from demands import ratelimit

    settings.DEMANDS_PORTAL_RATES = {"lookup": (2, 3600)}
    from django.core.cache import cache
    cache.clear()
    hits = [ratelimit.hit(_req("203.0.113.8", f"9.9.9.{i}"), "lookup") for i in range(3)]
    assert hits == [False, False, True]
