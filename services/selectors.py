"""Reads of the service systems, through the data scope of the person asking."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.scope import get_in_scope_or_404, has_perm, scope_filter
from regions.models import Region, RegionKind

from .models import (
    Booking,
    CharityEntry,
    CharityItem,
    DutyShift,
    Errand,
    JobPost,
    JobSeeker,
    Offering,
    Order,
    Placement,
    Provider,
    Service,
    Training,
    Venue,
)
from .rules import P


def is_provider(user) -> bool:
    """The account of an active registered provider (its page lists its own orders only)."""
    return bool(getattr(user, "is_authenticated", False)) and Provider.objects.filter(account=user,
                                                                                      active=True).exists()


def communities(actor, perm: str = P.VIEW) -> QuerySet[Region]:
    return scope_filter(Region.objects.filter(kind=RegionKind.COMMUNITY).select_related("parent"), actor, perm,
                        "path").order_by("path")


def catalogue(actor, perm: str = P.VIEW) -> QuerySet[Service]:
    return scope_filter(Service.objects.select_related("region"), actor, perm)


def providers(actor, perm: str = P.VIEW) -> QuerySet[Provider]:
    return scope_filter(Provider.objects.select_related("region", "unit", "account"), actor, perm)


def offerings(actor, perm: str = P.VIEW) -> QuerySet[Offering]:
    return scope_filter(Offering.objects.select_related("provider", "service"), actor, perm)


def orders(actor, perm: str = P.VIEW) -> QuerySet[Order]:
    return scope_filter(Order.objects.select_related("region", "service", "provider", "grid"), actor, perm)


def grid_orders(actor) -> QuerySet[Order]:
    """Orders a grid worker placed or may place: those of the grids in their scope."""
    return scope_filter(Order.objects.select_related("region", "service", "provider", "grid"), actor, P.ORDER,
                        "grid__path")


def order_get(actor, pk) -> Order:
    return get_in_scope_or_404(orders(actor), pk=pk)


def provider_orders(actor) -> QuerySet[Order]:
    """What a provider's account sees: the orders given to its providers, and nothing else."""
    return Order.objects.select_related("region", "service", "provider").filter(provider__account=actor)


def services_for_order(region: Region) -> QuerySet[Service]:
    return Service.objects.filter(region=region, active=True).order_by("category", "name")


def providers_for(service: Service) -> list[Offering]:
    return list(Offering.objects.filter(service=service, provider__active=True).select_related("provider")
                .order_by("provider__name"))


def errands(actor, perm: str = P.VIEW) -> QuerySet[Errand]:
    return scope_filter(Errand.objects.select_related("region", "resident"), actor, perm)


def jobs(actor, perm: str = P.VIEW) -> QuerySet[JobPost]:
    return scope_filter(JobPost.objects.select_related("region", "unit"), actor, perm)


def seekers(actor, perm: str = P.VIEW) -> QuerySet[JobSeeker]:
    return scope_filter(JobSeeker.objects.select_related("region", "resident"), actor, perm)


def placements(actor, perm: str = P.VIEW) -> QuerySet[Placement]:
    return scope_filter(Placement.objects.select_related("job", "job__unit", "seeker", "seeker__resident",
                                                         "broker"), actor, perm)


def trainings(actor, perm: str = P.VIEW) -> QuerySet[Training]:
    return scope_filter(Training.objects.select_related("region"), actor, perm)


def charity_items(actor, perm: str = P.VIEW) -> QuerySet[CharityItem]:
    return scope_filter(CharityItem.objects.select_related("region"), actor, perm)


def charity_entries(actor, perm: str = P.VIEW) -> QuerySet[CharityEntry]:
    return scope_filter(CharityEntry.objects.select_related("region", "item", "household"), actor, perm)


def venues(actor, perm: str = P.VIEW) -> QuerySet[Venue]:
    return scope_filter(Venue.objects.select_related("region"), actor, perm)


def bookings(actor, perm: str = P.VIEW) -> QuerySet[Booking]:
    return scope_filter(Booking.objects.select_related("venue", "venue__region", "unit"), actor, perm)


def duty_shifts(actor, perm: str = P.VIEW) -> QuerySet[DutyShift]:
    return scope_filter(DutyShift.objects.select_related("region"), actor, perm)


def can_manage(actor) -> bool:
    return has_perm(actor, P.MANAGE)
