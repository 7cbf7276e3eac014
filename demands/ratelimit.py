"""Per-client rate limiting for the public side, on Django's cache.

Settings: DEMANDS_RATE_CACHE (cache alias, default "default": local memory unless the
deployment configures e.g. Redis), DEMANDS_PORTAL_RATES ({bucket: (requests, seconds)}),
DEMANDS_TRUST_X_FORWARDED_FOR (only behind a proxy that sets it)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import caches

DEFAULT_RATES = {"submit": (10, 3600), "lookup": (120, 3600), "update": (30, 3600)}


def client_ip(request) -> str:
    if getattr(settings, "DEMANDS_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def hit(request, bucket: str) -> bool:
    """Count one request; True when the client is over the limit for `bucket`."""
    rates = {**DEFAULT_RATES, **getattr(settings, "DEMANDS_PORTAL_RATES", {})}
    limit, window = rates[bucket]
    cache = caches[getattr(settings, "DEMANDS_RATE_CACHE", "default")]
    slot = int(time.time() // window)
    key = f"demands:rl:{bucket}:{client_ip(request)}:{slot}"
    if cache.add(key, 1, timeout=window + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=window + 5)
            count = 1
    return count > limit
