"""A phone-camera-like JPEG for tests of stored photos: big, rotated, with GPS, make/model and a comment."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

COMMENT = b"47.0417N 89.5167E at home"


def camera_jpeg(name="IMG_0001.JPG", size=(2400, 1800)) -> SimpleUploadedFile:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    exif[0x0112] = 6  # shown rotated 90°: the stored picture is portrait
    exif[0x8825] = {1: "N", 2: (47.0, 2.0, 30.0), 3: "E", 4: (89.0, 31.0, 0.0)}  # GPS
    buf = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buf, "JPEG", exif=exif.tobytes(), comment=COMMENT, quality=80)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def assert_clean_photo(field_file, box=(1600, 1600)) -> None:
    """The stored file is a JPEG inside ``box``, upright, with no EXIF (GPS, make, model) and no comment."""
    field_file.open("rb")
    try:
        data = field_file.read()
    finally:
        field_file.close()
    assert field_file.name.endswith(".jpg"), field_file.name
    assert COMMENT not in data and b"PhoneMaker" not in data
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "JPEG" and not img.getexif() and "comment" not in img.info
        assert img.width <= box[0] and img.height <= box[1]
        assert img.height > img.width  # the orientation was applied before the EXIF went
