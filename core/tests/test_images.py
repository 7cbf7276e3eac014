"""The one image check every upload goes through, and the JPEG re-encoding of member photos."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.images import check_image, to_jpeg


def image(fmt="PNG", size=(40, 30), mode="RGB", **save) -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, "red").save(buf, fmt, **save)
    return buf.getvalue()


def reason(data: bytes, name="a.png", **kw) -> str:
    with pytest.raises(ValidationError) as exc:
        check_image(SimpleUploadedFile(name, data), field="photo", label=f"照片“{name}”", **kw)
    return exc.value.message_dict["photo"][0]


def test_good_image_returns_its_format_and_leaves_the_upload_rewound():
    up = SimpleUploadedFile("a.jpg", image("JPEG"))
    assert check_image(up, field="photo", label="照片") == "JPEG"
    assert up.read(2) == b"\xff\xd8"


@pytest.mark.parametrize("data,kw,expected", [
    (b"", {}, "照片“a.png”是空文件"),
    (b"x" * 2048, {"max_bytes": 1024}, "超过 0 MB"),
    (b"<html>not an image</html>", {}, "不是有效的图片文件"),
    (image("PNG")[:60], {}, "不是有效的图片文件"),
    (image("GIF"), {}, "格式为 GIF，只接受 JPEG、PNG、WebP"),
    (image("PNG", size=(3000, 3000)), {"max_pixels": 1_000_000}, "像素过大（3000×3000）"),
])
def test_bad_uploads_get_a_reason_naming_the_file(data, kw, expected):
    assert expected in reason(data, **kw)


def test_to_jpeg_applies_orientation_drops_metadata_and_fits_the_box():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° on display
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 0.0)}  # GPS
    src = image("JPEG", size=(400, 200), exif=exif.tobytes(), comment=b"home 47.04N 89.51E")
    out = to_jpeg(SimpleUploadedFile("a.jpg", src), box=(60, 80))
    with Image.open(io.BytesIO(out)) as img:
        assert img.format == "JPEG" and img.size == (40, 80)  # portrait after rotation, inside the box
        assert not img.getexif() and "comment" not in img.info  # Pillow would copy the comment over
    assert b"47.04N" not in out


def test_to_jpeg_flattens_transparency_on_white():
    buf = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(buf, "PNG")
    with Image.open(io.BytesIO(to_jpeg(SimpleUploadedFile("t.png", buf.getvalue()), box=(10, 10)))) as img:
        assert img.mode == "RGB" and img.getpixel((5, 5))[0] > 240
