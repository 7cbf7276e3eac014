"""Household visits by grid workers, with photos."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit.models import AuditAction
from audit.services import record
from core.images import check_image, stored_photo

from ..apps import GridPerm
from ..models import (
    Household,
    HouseholdStatus,
    Visit,
    VisitPhoto,
)
from .common import (
    _clean_text,
    _gather,
    _raise,
    _require,
    moved_out_message,
)

MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


# ---------------------------------------------------------------------------
# Visits
# ---------------------------------------------------------------------------


def _check_photo(f: UploadedFile, index: int) -> None:
    """A visit photo: a real image of an accepted format and size (core.images.check_image)."""
    check_image(f, field="photos", label=f"第 {index} 张照片（{f.name}）", formats=tuple(PHOTO_FORMATS),
                max_bytes=MAX_PHOTO_BYTES, max_pixels=MAX_PHOTO_PIXELS)


@transaction.atomic
def visit_log(*, actor, household: Household, visited_at: datetime, findings: str, photos=(),
              lat: float | None = None, lng: float | None = None) -> Visit:
    household = Household.objects.select_for_update().select_related("grid").get(pk=household.pk)
    _require(actor, GridPerm.VISIT, household.grid, "记录走访")
    if household.status != HouseholdStatus.ACTIVE:
        raise ValidationError(moved_out_message(household, "不能再记录走访"))
    errors = {}
    now = timezone.now()
    if visited_at is None:
        errors["visited_at"] = "请填写走访时间"
    elif visited_at > now + timedelta(minutes=5):
        errors["visited_at"] = "走访时间不能晚于现在"
    elif visited_at < now - timedelta(days=62):
        errors["visited_at"] = "走访时间不能早于两个月前，请及时记录"
    findings = _gather(errors, _clean_text, findings, "findings", "走访情况", max_length=2000)
    if (lat is None) != (lng is None) or (lat is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180)):
        errors["location"] = "定位坐标不正确"
    photos = list(photos)
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = f"最多上传 {MAX_PHOTOS} 张照片"
    _raise(errors)
    for i, p in enumerate(photos, 1):
        _check_photo(p, i)
    visit = Visit.objects.create(grid_id=household.grid_id, household=household, worker=actor, visited_at=visited_at,
                                 findings=findings, lat=lat, lng=lng)
    for p in photos:  # stored re-encoded: within 1600 px, upright, no EXIF/GPS (the visit keeps its location)
        VisitPhoto(visit=visit).image.save(f"v{visit.pk}.jpg", stored_photo(p), save=True)
    latest = Visit.objects.filter(household=household).aggregate(m=Max("visited_at"))["m"]
    Household.objects.filter(pk=household.pk).update(last_visited_at=latest)
    record(actor=actor, action=AuditAction.CREATE, obj=visit,
           changes={"household": [None, str(household.pk)], "visited_at": [None, visited_at.isoformat()],
                    "photos": [None, len(photos)]})
    return visit
