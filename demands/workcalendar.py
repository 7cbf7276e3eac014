"""The work calendar: which dates are working days (Mon–Fri, minus statutory holidays, plus the
adjusted working weekends, 调休上班), read once per process and cached.

The exception table is tiny (a few dozen rows a year), so a snapshot holds all of it in a dict and
the deadline arithmetic (`rules.add_minutes`) never queries per day. Bulk callers (the recompute
after a calendar change, the demo) load one `WorkCalendar` and pass it along.

Invalidation:
- in this process: a change (service, admin, shell: the model signals) drops the snapshot at
  once and again when its transaction commits. While a transaction that changed the calendar is
  still open, this thread reads the calendar fresh from the database and caches nothing, so a
  rollback leaves no stale snapshot behind;
- across processes: a token in the Django cache (`DEMANDS_CALENDAR_CACHE`, default alias
  `default`; point it at Redis in a multi-process deployment) changes with every commit; each
  read compares it (one cache get). Without a shared cache the snapshot is reloaded after
  `DEMANDS_CALENDAR_TTL` seconds (default 300) at the latest.
"""

from __future__ import annotations

import threading
import time as _time
import uuid
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction

TOKEN_KEY = "demands:workcalendar:token"
_TXN_ATTR = "_demands_calendar_txn"

_lock = threading.Lock()
_snapshot: WorkCalendar | None = None


@dataclass
class WorkCalendar:
    """{date: True (调休上班) | False (day off)}; every other date: Mon–Fri work, weekends off."""

    exceptions: dict[date, bool] = field(default_factory=dict)
    names: dict[date, str] = field(default_factory=dict)
    token: str | None = None
    loaded_at: float = 0.0

    def is_workday(self, day: date) -> bool:
        kind = self.exceptions.get(day)
        if kind is not None:
            return kind
        return day.weekday() < 5

    def name_of(self, day: date) -> str:
        return self.names.get(day, "")

    @classmethod
    def load(cls, *, token: str | None = None) -> WorkCalendar:
        from .models import DayKind, WorkCalendarDay

        exceptions, names = {}, {}
        for day, kind, name in WorkCalendarDay.objects.values_list("date", "kind", "name"):
            exceptions[day] = kind == DayKind.WORKDAY
            names[day] = name
        return cls(exceptions, names, token, _time.monotonic())


WEEKDAYS_ONLY = WorkCalendar()  # no exceptions: the plain Mon–Fri week


def _cache():
    return caches[getattr(settings, "DEMANDS_CALENDAR_CACHE", "default")]


def _ttl() -> float:
    return float(getattr(settings, "DEMANDS_CALENDAR_TTL", 300))


def _shared_token() -> str:
    cache = _cache()
    token = cache.get(TOKEN_KEY)
    if token is None:
        cache.add(TOKEN_KEY, uuid.uuid4().hex, None)
        token = cache.get(TOKEN_KEY) or ""
    return token


def _changing_transaction():
    """The outermost atomic block of this thread's open transaction that changed the calendar, if any."""
    marker = getattr(connection, _TXN_ATTR, None)
    if marker is None:
        return None
    if connection.in_atomic_block and connection.atomic_blocks and connection.atomic_blocks[0] is marker:
        return marker
    # That transaction has ended (committed: already invalidated; or rolled back): forget it.
    setattr(connection, _TXN_ATTR, None)
    invalidate()
    return None


def current_calendar() -> WorkCalendar:
    """The calendar as this thread should see it: the process snapshot while it is valid."""
    global _snapshot
    if _changing_transaction() is not None:
        return WorkCalendar.load()
    token = _shared_token()
    snap = _snapshot
    if snap is not None and snap.token == token and _time.monotonic() - snap.loaded_at < _ttl():
        return snap
    with _lock:
        snap = WorkCalendar.load(token=token)
        _snapshot = snap
    return snap


def invalidate() -> None:
    """Drop this process's snapshot and tell the others (new shared token)."""
    global _snapshot
    with _lock:
        _snapshot = None
    _cache().set(TOKEN_KEY, uuid.uuid4().hex, None)


def calendar_changed() -> None:
    """Call after writing calendar rows (the services and the model signals do)."""
    invalidate()
    if connection.in_atomic_block:
        setattr(connection, _TXN_ATTR, connection.atomic_blocks[0])
        transaction.on_commit(_committed)


def _committed() -> None:
    setattr(connection, _TXN_ATTR, None)
    invalidate()


def _on_model_change(sender, **kwargs) -> None:
    calendar_changed()


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    from .models import WorkCalendarDay

    post_save.connect(_on_model_change, sender=WorkCalendarDay, dispatch_uid="demands_workcalendar_save")
    post_delete.connect(_on_model_change, sender=WorkCalendarDay, dispatch_uid="demands_workcalendar_delete")
