"""Uploaded images: one check for every app (visit photos, demand photos, co-building photos and
scans, member photos), and re-encoding to a plain JPEG where the original must not be kept
(``stored_photo``: photos of visits, demands and co-building deeds; member photos).

``check_image`` reads the upload (at most ``max_bytes`` + 1 bytes), lets Pillow identify and
verify it without decoding the pixels, and raises ``ValidationError({field: 中文原因})`` naming the
file: empty, too big, not an image (or broken), a format outside ``formats``, too many pixels
(a decompression bomb). It returns the format name (``"JPEG"``, ``"PNG"``…) and leaves the upload
rewound.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.exceptions import ValidationError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMAT_LABELS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}


def _read(upload: Any, limit: int) -> bytes:
    upload.seek(0)
    try:
        return upload.read(limit)
    finally:
        upload.seek(0)


def check_image(upload: Any, *, field: str, label: str, formats: tuple[str, ...] = ("JPEG", "PNG", "WEBP"),
                max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS) -> str:
    """Check one uploaded image; ``label`` names it in messages (e.g. "照片“a.jpg”")."""
    from PIL import Image, UnidentifiedImageError

    size = getattr(upload, "size", None)
    mb = max_bytes // 1024 // 1024
    if size is not None and size > max_bytes:
        raise ValidationError({field: f"{label}超过 {mb} MB，请压缩后再上传"})
    data = _read(upload, max_bytes + 1)
    if not data:
        raise ValidationError({field: f"{label}是空文件"})
    if len(data) > max_bytes:
        raise ValidationError({field: f"{label}超过 {mb} MB，请压缩后再上传"})
    allowed = "、".join(FORMAT_LABELS.get(f, f) for f in formats)
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format
            w, h = img.size
            if fmt in formats and w * h <= max_pixels:
                img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({field: f"{label}不是有效的图片文件（只接受 {allowed}），或文件已损坏"}) from None
    if fmt not in formats:
        raise ValidationError({field: f"{label}格式为 {fmt or '未知'}，只接受 {allowed}"})
    if w * h > max_pixels:
        raise ValidationError({field: f"{label}像素过大（{w}×{h}），请缩小后再上传"})
    return fmt


def to_jpeg(upload: Any, *, box: tuple[int, int], quality: int = 88) -> bytes:
    """The image (already passed :func:`check_image`) as a JPEG that fits ``box``: orientation
    applied, transparency flattened on white, metadata such as GPS dropped (EXIF, XMP and ICC are
    not carried over; the JPEG comment, which Pillow would copy from the upload, is emptied)."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(_read(upload, -1))) as img:
        if img.format == "JPEG":  # decode at a reduced scale (still at least the box, either way round)
            img.draft("RGB", (max(box), max(box)))
        img.load()
        img = ImageOps.exif_transpose(img)
        if img.mode in ("RGBA", "LA", "P"):
            img = img.convert("RGBA")
            flat = Image.new("RGB", img.size, (255, 255, 255))
            flat.paste(img, mask=img.getchannel("A"))
            img = flat
        elif img.mode != "RGB":
            img = img.convert("RGB")
        img.thumbnail(box)
        out = io.BytesIO()
        img.save(out, "JPEG", quality=quality, optimize=True, comment=b"")
    return out.getvalue()


PHOTO_BOX = (1600, 1600)


def stored_photo(upload: Any, *, box: tuple[int, int] = PHOTO_BOX):
    """What to store of a photo that passed :func:`check_image`: a ``ContentFile`` of :func:`to_jpeg`
    (fits ``box``, orientation applied, EXIF with GPS, XMP, ICC and the comment dropped) named like
    the upload with ``.jpg``. A resident's or a worker's phone photo keeps no trace of where it was
    taken or with what, and a 12-megapixel picture does not cost 5 MB of storage and of every page
    that shows it."""
    from django.core.files.base import ContentFile

    stem = (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return ContentFile(to_jpeg(upload, box=box), name=f"{stem[:60] or 'photo'}.jpg")
