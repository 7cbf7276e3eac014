"""Demo: the points of the year, from the facts the earlier demo steps recorded (pledges, hours, zone
contacts, service stars, co-building deeds): the same sync cron runs."""

from django.utils import timezone

from .services import points_sync


def load() -> None:
    points_sync(year=timezone.localdate().year)


DEMO_STEPS = [("points", load)]
