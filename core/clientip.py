"""The client's address: X-Forwarded-For is believed only from the configured proxies.

settings.TRUSTED_PROXIES lists the reverse proxies (addresses or CIDR networks). When the request comes
straight from one of them, X-Forwarded-For is read from the right, skipping further trusted proxies;
the first address that is not a trusted proxy is the client. From anyone else the header is ignored,
so a client cannot write another address into the audit log or dodge a rate limit by sending one.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(addr, proxies) -> bool:
    return addr is not None and any(addr in net for net in proxies)


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "TRUSTED_PROXIES", None) or []
    if not proxies or not _trusted(_address(remote or ""), proxies):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        addr = _address(hop)
        if addr is None:
            return remote  # a malformed hop: do not guess past it
        if not _trusted(addr, proxies):
            return str(addr)
    return remote
