"""What the public portal shows of reports (诉求) besides the submitter's own progress page: the
promise of a category (its real deadlines), the community outlines for the map pin, the open
reports near a point and a report's public page — never a name, a phone, an address, a staff name
or a personal number in free text."""

from __future__ import annotations

import json
import math
import re

from django.db.models import Prefetch

from core.masking import mask_id_number, mask_mobile
from demands.models import OPEN_STATES, Category, Demand, DemandPhoto, State
from demands.selectors import haversine_m
from grid.models import GridProfile
from regions.models import Region, RegionKind

WORKDAY_MINUTES = 8 * 60  # working hours 9:00–17:00 (demands.rules)
NEARBY_RADIUS_M = 300
NEARBY_DAYS = 60
NEARBY_MAX = 5


# -- the promise -------------------------------------------------------------------------------


def duration_text(minutes: int, *, working_hours_only: bool = False) -> str:
    """A deadline as people say it: 10 分钟, 2 小时, 3 天; working-hours categories count 工作日."""
    minutes = int(minutes)
    if working_hours_only:
        if minutes < WORKDAY_MINUTES:
            return f"{_round(minutes / 60)} 个工作小时" if minutes >= 60 else f"{minutes} 分钟（工作时间）"
        return f"{_round(minutes / WORKDAY_MINUTES)} 个工作日"
    if minutes < 60:
        return f"{minutes} 分钟"
    if minutes < 24 * 60:
        return f"{_round(minutes / 60)} 小时"
    return f"{_round(minutes / (24 * 60))} 天"


def _round(x: float) -> str:
    return str(int(x)) if abs(x - round(x)) < 0.05 else f"{x:.1f}"


def promise(category: Category) -> str:
    """The category's own deadlines, the one sentence the portal promises (banner and success page)."""
    wh = category.working_hours_only
    return (f"{duration_text(category.response_minutes, working_hours_only=wh)}内响应，"
            f"{duration_text(category.handling_minutes, working_hours_only=wh)}内办结")


def promises(categories) -> dict[str, str]:
    """{category code (the form's value): its promise}."""
    return {c.code: promise(c) for c in categories}


# -- personal data out of public text ------------------------------------------------------------

_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])|(?<![0-9])[0-9]{15}(?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[ \-]?)?(1[3-9][0-9](?:[ \-]?[0-9]){8})(?![0-9])")


def public_text(text: str | None) -> str:
    """Free text as the public sees it: ID and mobile numbers masked (the services mask them when
    stored as well; this keeps older rows and anything missed off the public pages)."""
    text = _ID.sub(lambda m: mask_id_number(m.group().upper()), text or "")
    return _MOBILE.sub(lambda m: mask_mobile(re.sub(r"[ \-]", "", m.group(1))), text)


# -- the map -------------------------------------------------------------------------------------


def outlines() -> dict:
    """Every grid's boundary (WGS-84) with its community: the map's offline base layer and what a
    pin is matched against to suggest the community. Names and outlines only."""
    grids = {g.pk: g for g in Region.objects.filter(kind=RegionKind.GRID).select_related("parent")}
    features = []
    for p in GridProfile.objects.filter(region_id__in=list(grids)).exclude(boundary="").only("region_id", "boundary"):
        try:
            geometry = json.loads(p.boundary)
        except ValueError:
            continue
        grid = grids[p.region_id]
        if grid.parent is None or grid.parent.kind != RegionKind.COMMUNITY:
            continue
        features.append({"type": "Feature", "geometry": geometry,
                         "properties": {"grid": grid.name, "community": grid.parent_id,
                                        "community_name": grid.parent.name}})
    return {"type": "FeatureCollection", "features": features}


# -- reports -------------------------------------------------------------------------------------


def public_demands():
    """Reports the public may see: not merged into another."""
    return Demand.objects.filter(duplicate_of__isnull=True).select_related("category", "region")


def nearby(lat: float, lng: float, *, category_id: int | None = None, radius_m: float = NEARBY_RADIUS_M,
           now=None) -> list[tuple[Demand, float]]:
    """Open reports of the last NEARBY_DAYS days within `radius_m` of a point, nearest first (same
    category first when one is given): a bounding box in SQL, the exact distance in Python."""
    from django.utils import timezone

    now = now or timezone.now()
    dlat = radius_m / 111_320.0
    dlng = radius_m / (111_320.0 * max(math.cos(math.radians(lat)), 0.01))
    qs = public_demands().filter(state__in=OPEN_STATES, lat__gte=lat - dlat, lat__lte=lat + dlat,
                                 lng__gte=lng - dlng, lng__lte=lng + dlng,
                                 submitted_at__gte=now - timezone.timedelta(days=NEARBY_DAYS))[:200]
    found = [(d, haversine_m(lat, lng, d.lat, d.lng)) for d in qs]
    found = [(d, m) for d, m in found if m <= radius_m]
    found.sort(key=lambda t: (t[0].category_id != category_id if category_id else False, t[1]))
    return found[:NEARBY_MAX]


def report(code: str) -> Demand | None:
    code = (code or "").strip().upper()
    if not code or len(code) > 20:
        return None
    photos = DemandPhoto.objects.select_related("event").order_by("created_at", "id")
    return (public_demands().select_related("region__parent").prefetch_related(Prefetch("photos", queryset=photos))
            .filter(tracking_code=code).first())


RESIDENT_ACTIONS = {"submit", "add_info"}


def report_parts(d: Demand) -> dict:
    """The public page of a report: the resident's photos, the handler's after-photos and the
    replies (public notes of the handling), with personal numbers masked."""
    resident, after = [], []
    for p in d.photos.all():
        action = p.event.action if p.event is not None else "submit"
        if action in RESIDENT_ACTIONS:
            resident.append(p)
        elif action in ("handle", "arrive"):
            after.append(p)
    replies = [{"at": e.created_at, "label": "办理结果" if e.action == "handle" else "到场处置",
                "text": public_text(e.note)}
               for e in d.events.filter(public=True, action__in=["handle", "arrive"]).order_by("created_at", "id")
               if e.note]
    region = d.region
    place = f"{region.parent.name}{region.name}" if region.kind == RegionKind.GRID and region.parent else region.name
    return {"resident_photos": resident, "after_photos": after, "replies": replies, "place": place,
            "title": public_text(d.title), "description": public_text(d.description),
            "handled": d.state in (State.HANDLED, State.FOLLOW_UP, State.CLOSED)}


def report_photo(d: Demand, pk: int) -> DemandPhoto | None:
    """One photo of the public page (the resident's or the after-photo), never another report's."""
    for p in d.photos.all():
        if p.pk == pk:
            parts = report_parts(d)
            return p if p in parts["resident_photos"] or p in parts["after_photos"] else None
    return None
