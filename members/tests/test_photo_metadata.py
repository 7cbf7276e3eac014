"""What a stored member photo keeps of the upload: the picture only. Uploaded through the edit page, read
back through the scoped photo address (and from the private storage): no EXIF (GPS, camera), no XMP, no
JPEG comment; EXIF orientation applied; a CMYK JPEG (print workflows, scanners) is accepted and stored as an
RGB JPEG with its colours."""

import io

import pytest
from PIL import ExifTags, Image

from members.models import PartyMember

from .test_photo import upload

pytestmark = pytest.mark.django_db

GPS = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (47.0, 2.0, 30.0),
       ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (89.0, 31.0, 0.0)}
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="47,2.5N"/></rdf:RDF>'
       b"</x:xmpmeta>")
COMMENT = b"Fuyun 47.0417N 89.5167E home of the member"


def jpeg_with_gps(size=(300, 400), orientation=6) -> bytes:
    """A camera-like JPEG: EXIF with make, model, orientation and a GPS IFD; an XMP packet; a comment."""
    img = Image.new("RGB", size, (200, 30, 30))
    img.paste((20, 20, 200), (0, 0, size[0] // 3, size[1] // 3))  # top-left marker: shows the rotation
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestCam"
    exif[ExifTags.Base.Model] = "Phone X"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = GPS
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif, xmp=XMP, comment=COMMENT)
    data = buf.getvalue()
    with Image.open(io.BytesIO(data)) as check:  # the upload really carries all of it
        assert dict(check.getexif().get_ifd(ExifTags.IFD.GPSInfo)) == GPS
        assert check.info["xmp"] and check.info["comment"] == COMMENT
    return data


def post_photo(client, member, data, name):
    return client.post(f"/members/{member.pk}/edit/photo/", {"photo": upload(data, name, "image/jpeg")})


def test_upload_through_the_page_strips_exif_gps_xmp_and_comment(personas, members, client_for):
    zs = members["zs"]
    c = client_for(personas.secretary)
    resp = post_photo(c, zs, jpeg_with_gps(), "IMG_0001.jpg")
    assert resp.status_code == 302
    served = c.get(f"/members/{zs.pk}/photo/")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    data = served.content
    zs.refresh_from_db()
    with zs.photo.storage.open(zs.photo.name, "rb") as f:
        assert f.read() == data  # the stored file is what is served
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "JPEG"
        exif = img.getexif()
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo) and ExifTags.IFD.GPSInfo not in exif
        assert len(exif) == 0 and "exif" not in img.info
        assert "xmp" not in img.info and "comment" not in img.info
        # Orientation 6 (rotate 90° clockwise to view) applied to the pixels: 300×400 becomes 400×300, the
        # top-left marker moves to the top-right.
        assert img.size == (400, 300)
        r, g, b = img.convert("RGB").getpixel((380, 20))
        assert b > 150 and r < 80
    for needle in (b"Exif\x00\x00", b"TestCam", b"Phone X", b"http://ns.adobe.com/xap", b"GPSLatitude",
                   b"47.0417N", b"\xff\xfe"):
        assert needle not in data, needle


def test_cmyk_jpeg_is_accepted_and_stored_as_rgb_jpeg(personas, members, client_for):
    zs = members["zs"]
    cmyk = Image.new("CMYK", (300, 400), (0, 255, 255, 0))  # red in print colours
    cmyk.paste((255, 0, 0, 0), (0, 0, 100, 100))  # a cyan corner
    buf = io.BytesIO()
    cmyk.save(buf, "JPEG", quality=95)
    with Image.open(io.BytesIO(buf.getvalue())) as check:
        assert check.mode == "CMYK"
    c = client_for(personas.secretary)
    resp = post_photo(c, zs, buf.getvalue(), "印刷稿.jpg")
    assert resp.status_code == 302
    assert "已上传照片" in c.get(resp["Location"]).content.decode()
    with Image.open(io.BytesIO(c.get(f"/members/{zs.pk}/photo/").content)) as img:
        assert img.format == "JPEG" and img.mode == "RGB" and img.size == (300, 400)
        r, g, b = img.getpixel((200, 300))
        assert r > 230 and g < 30 and b < 30  # still red, not inverted or washed out
        r, g, b = img.getpixel((20, 20))
        assert r < 30 and g > 200 and b > 200  # cyan
    assert PartyMember.objects.get(pk=zs.pk).photo.name.endswith(".jpg")
