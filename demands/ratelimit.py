"""Per-client rate limiting for the public side, on Django's cache.

Settings: DEMANDS_RATE_CACHE (cache alias, default "default": local memory unless the
deployment configures e.g. Redis), DEMANDS_PORTAL_RATES ({bucket: (requests, seconds)}).
The client address comes from core.clientip (X-Forwarded-For only from settings.TRUSTED_PROXIES)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import caches

from core.clientip import client_ip as _client_ip

# "secret": wrong codes entered on the portal's tracking box (a secret 查询码 cannot be guessed in 20 tries).
DEFAULT_RATES = {"submit": (10, 3600), "lookup": (120, 3600), "update": (30, 3600), "secret": (20, 3600)}


def client_ip(request) -> str:
    return _client_ip(request) or "unknown"


def _bucket(request, bucket: str):
    rates = {**DEFAULT_RATES, **getattr(settings, "DEMANDS_PORTAL_RATES", {})}
    limit, window = rates[bucket]
    cache = caches[getattr(settings, "DEMANDS_RATE_CACHE", "default")]
    slot = int(time.time() // window)
    return cache, f"demands:rl:{bucket}:{client_ip(request)}:{slot}", limit, window


def exceeded(request, bucket: str) -> bool:
    """Whether the client has used up `bucket` already (nothing counted)."""
    cache, key, limit, _window = _bucket(request, bucket)
    return (cache.get(key) or 0) >= limit


def hit(request, bucket: str) -> bool:
    """Count one request; True when the client is over the limit for `bucket`."""
    cache, key, limit, window = _bucket(request, bucket)
    if cache.add(key, 1, timeout=window + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=window + 5)
            count = 1
    return count > limit
