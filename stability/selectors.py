"""Reads of the defence line that depend on who asks: each applies the viewer's scope."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.scope import has_perm, has_perm_at, scope_filter

from .models import Case, KeyPerson, KeyStatus, PatrolShift, PatrolTeam, PoliceOfficer, ShiftPost, StabilityReport
from .rules import P
from .services.common import today


def key_people(actor) -> QuerySet[KeyPerson]:
    return scope_filter(KeyPerson.objects.select_related("resident", "category", "grid", "leader", "worker"),
                        actor, P.KEY_VIEW)


def key_overdue(actor) -> QuerySet[KeyPerson]:
    return key_people(actor).filter(status=KeyStatus.ACTIVE, next_visit_due__lt=today())


def key_led_by(actor) -> QuerySet[KeyPerson]:
    """Key people the actor is responsible for or visits (the secretary's 亲自包, the grid worker's)."""
    from django.db.models import Q

    return key_people(actor).filter(Q(leader=actor) | Q(worker=actor)).exclude(status=KeyStatus.RELEASED)


def cases(actor) -> QuerySet[Case]:
    return scope_filter(Case.objects.select_related("region", "mediator"), actor, P.VIEW)


def reports(actor) -> QuerySet[StabilityReport]:
    return scope_filter(StabilityReport.objects.select_related("region", "reporter"), actor, P.VIEW)


def teams(actor) -> QuerySet[PatrolTeam]:
    return scope_filter(PatrolTeam.objects.select_related("community"), actor, P.VIEW)


def officers(actor) -> QuerySet[PoliceOfficer]:
    return scope_filter(PoliceOfficer.objects.filter(active=True).select_related("community"), actor, P.VIEW)


def shifts(actor) -> QuerySet[PatrolShift]:
    return scope_filter(PatrolShift.objects.select_related("team__community"), actor, P.VIEW, "team__community__path")


def my_posts(actor) -> QuerySet[ShiftPost]:
    return (ShiftPost.objects.filter(member__user=actor, member__active=True)
            .select_related("shift__team__community", "member").order_by("starts_at"))


def has_patrol_posts(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and ShiftPost.objects.filter(member__user=user).exists()


def can(actor, perm: str, region) -> bool:
    return has_perm_at(actor, perm, region.path)


def can_any(actor, perm: str) -> bool:
    return has_perm(actor, perm)
