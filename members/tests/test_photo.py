"""Member photos: upload / replace / remove on the edit page, checked with Pillow, stored privately and
served only through the data scope; shown on the detail page and on both registration cards."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from docx import Document
from PIL import Image
from pypdf import PdfReader

from audit.models import AuditEntry
from members import services
from members.models import PartyMember

pytestmark = pytest.mark.django_db


def image_bytes(fmt="PNG", size=(300, 400), color=(200, 30, 30), mode="RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, color).save(buf, fmt)
    return buf.getvalue()


def upload(data: bytes, name="photo.png", content_type="image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def post_photo(client, member, data, name="photo.png", content_type="image/png"):
    return client.post(f"/members/{member.pk}/edit/photo/", {"photo": upload(data, name, content_type)})


def test_secretary_uploads_replaces_and_removes_a_photo(personas, members, client_for, settings,
                                                        django_capture_on_commit_callbacks):
    zs = members["zs"]
    c = client_for(personas.secretary)
    edit = c.get(f"/members/{zs.pk}/edit/").content.decode()
    assert 'id="photo-form"' in edit and 'enctype="multipart/form-data"' in edit and "暂无照片" in edit
    resp = post_photo(c, zs, image_bytes("PNG", mode="RGBA", color=(0, 0, 255, 128)))
    assert resp.status_code == 302 and resp["Location"] == f"/members/{zs.pk}/"
    zs.refresh_from_db()
    first = zs.photo.name
    assert first.startswith("members/photos/") and first.endswith(".jpg")
    # Stored outside MEDIA_ROOT (which /media/ publishes), re-encoded as JPEG within 600×800.
    stored = Path(zs.photo.path)
    assert stored.exists() and Path(settings.MEDIA_ROOT) not in stored.parents
    with Image.open(stored) as img:
        assert img.format == "JPEG" and img.size == (300, 400)
    with pytest.raises(ValueError):
        zs.photo.url  # noqa: B018  (no public address at all)
    detail = c.get(f"/members/{zs.pk}/").content.decode()
    assert f'src="/members/{zs.pk}/photo/?v=' in detail and "/media/" not in detail
    photo = c.get(f"/members/{zs.pk}/photo/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert photo["Cache-Control"] == "private, no-store" and photo.content == stored.read_bytes()
    # Replace: a big JPEG is scaled down and the old file goes away.
    with django_capture_on_commit_callbacks(execute=True):  # the old file is deleted once the change commits
        resp = post_photo(c, zs, image_bytes("JPEG", size=(1200, 1600)), "新照片.jpg", "image/jpeg")
    assert resp.status_code == 302
    zs.refresh_from_db()
    assert zs.photo.name != first and not stored.exists()
    with Image.open(zs.photo.path) as img:
        assert img.size == (600, 800)
    # Remove.
    second = Path(zs.photo.path)
    with django_capture_on_commit_callbacks(execute=True):
        resp = c.post(f"/members/{zs.pk}/edit/photo/remove/", {})
    assert resp.status_code == 302
    zs.refresh_from_db()
    assert not zs.photo and not second.exists()
    assert c.get(f"/members/{zs.pk}/photo/").status_code == 404
    entries = AuditEntry.objects.filter(object_type="members.partymember", object_id=str(zs.pk)).order_by("id")
    changes = [e.changes["photo"] for e in entries.filter(action="update")]
    assert changes == [["无照片", "已上传照片"], ["有照片", "已更换照片"], ["有照片", "已删除照片"]]
    assert entries.filter(action="view_pii", changes={"file": "党员照片"}).exists()  # every read is audited


@pytest.mark.parametrize("data, name, reason", [
    (b"GIF89a" + b"\x00" * 100, "a.png", "不是有效的图片文件"),
    (b"<script>alert(1)</script>", "x.jpg", "不是有效的图片文件"),
    (image_bytes("PNG")[:60], "broken.png", "不是有效的图片文件"),
    (image_bytes("GIF"), "a.gif", "只接受 JPEG、PNG"),
    (image_bytes("BMP"), "a.jpg", "只接受 JPEG、PNG"),
    (image_bytes("WEBP"), "a.webp", "只接受 JPEG、PNG"),
    (b"", "empty.png", "空"),
])
def test_bad_photos_are_refused_in_chinese_and_nothing_is_saved(data, name, reason, personas, members, client_for):
    zs = members["zs"]
    resp = post_photo(client_for(personas.secretary), zs, data, name)
    assert resp.status_code == 400
    page = resp.content.decode()
    assert reason in page and "照片" in page
    zs.refresh_from_db()
    assert not zs.photo
    assert not AuditEntry.objects.filter(object_type="members.partymember", action="update").exists()


def test_photo_over_5_mb_is_refused(personas, members, client_for):
    big = image_bytes("PNG") + b"\x00" * (5 * 1024 * 1024)
    resp = post_photo(client_for(personas.secretary), members["zs"], big)
    assert resp.status_code == 400 and "超过 5 MB" in resp.content.decode()
    members["zs"].refresh_from_db()
    assert not members["zs"].photo


def test_no_file_and_remove_without_photo(personas, members, client_for):
    c = client_for(personas.secretary)
    zs = members["zs"]
    resp = c.post(f"/members/{zs.pk}/edit/photo/", {})
    assert resp.status_code == 400 and "请选择要上传的图片文件" in resp.content.decode()
    resp = c.post(f"/members/{zs.pk}/edit/photo/remove/", {}, follow=True)
    assert "该党员尚未上传照片" in resp.content.decode()


def test_photo_upload_does_not_touch_the_other_fields(personas, members, client_for):
    zs = members["zs"]
    before = (zs.name, zs.id_number, zs.mobile, zs.category)
    post_photo(client_for(personas.secretary), zs, image_bytes())
    zs.refresh_from_db()
    assert (zs.name, zs.id_number, zs.mobile, zs.category) == before and zs.photo


SEES = ["district_admin", "street_staff", "secretary", "community_staff"]
BLIND = ["grid_worker", "member", "liaison", "west_secretary", "sysadmin", "auditor", "nobody"]


@pytest.mark.parametrize("who", SEES + BLIND)
def test_role_matrix_photo(who, personas, members, client_for):
    zs = members["zs"]
    services.member_photo_set(actor=personas.secretary, member=zs, photo=upload(image_bytes()))
    zs.refresh_from_db()
    name = zs.photo.name
    c = client_for(getattr(personas, who))
    get = c.get(f"/members/{zs.pk}/photo/")
    up = post_photo(c, zs, image_bytes(color=(0, 200, 0)))
    rm = c.post(f"/members/{zs.pk}/edit/photo/remove/", {})
    zs.refresh_from_db()
    if who in SEES:  # every role holding members.edit there may also change the photo
        assert get.status_code == 200 and get.content[:2] == b"\xff\xd8"
        assert up.status_code == 302 and rm.status_code == 302 and not zs.photo
    else:  # looked up in the members.view / members.edit scope: outside it (or without the permission) → 404
        assert get.status_code == 404
        assert up.status_code == 404 and rm.status_code == 404
        assert zs.photo.name == name


def test_photo_is_never_under_the_public_media_url(personas, members, client_for, settings):
    zs = members["zs"]
    services.member_photo_set(actor=personas.secretary, member=zs, photo=upload(image_bytes()))
    zs.refresh_from_db()
    with override_settings(DEBUG=True):
        # Even where the development server publishes MEDIA_ROOT, the file is not there.
        assert not (Path(settings.MEDIA_ROOT) / zs.photo.name).exists()
    assert client_for(personas.secretary).get(f"/media/{zs.photo.name}").status_code == 404


def test_service_refuses_outside_scope_and_keeps_nothing(personas, members, settings):
    from django.core.exceptions import ValidationError

    ww = members["ww"]
    with pytest.raises(ValidationError):
        services.member_photo_set(actor=personas.secretary, member=ww, photo=upload(image_bytes()))
    ww.refresh_from_db()
    assert not ww.photo
    root = Path(settings.PRIVATE_MEDIA_ROOT) / "members" / "photos"
    assert not root.exists() or not any(root.iterdir())


def test_cards_carry_the_photo_or_a_blank_box(personas, members, client_for):
    zs = members["zs"]
    c = client_for(personas.secretary)
    # Without a photo: a blank box labelled 照片 on both cards.
    doc = Document(io.BytesIO(c.get(f"/members/{zs.pk}/card.docx").content))
    assert not doc.inline_shapes and "照片" in doc.tables[0].cell(0, 4).text
    pdf = PdfReader(io.BytesIO(c.get(f"/members/{zs.pk}/card.pdf").content))
    assert not pdf.pages[0].images and "照片" in pdf.pages[0].extract_text().replace("\x00", "")
    # With a photo: the picture in the box.
    services.member_photo_set(actor=personas.secretary, member=zs, photo=upload(image_bytes()))
    doc = Document(io.BytesIO(c.get(f"/members/{zs.pk}/card.docx").content))
    assert len(doc.inline_shapes) == 1 and doc.tables[0].cell(0, 4).text.strip() == ""
    assert doc.tables[0].cell(0, 0).text == "姓名" and doc.tables[0].cell(0, 1).text == "张三"
    pdf = PdfReader(io.BytesIO(c.get(f"/members/{zs.pk}/card.pdf").content))
    assert len(pdf.pages[0].images) == 1
    assert "张三" in pdf.pages[0].extract_text().replace("\x00", "")


def test_member_record_keeps_its_photo_through_an_edit(personas, members, client_for):
    zs = members["zs"]
    services.member_photo_set(actor=personas.secretary, member=zs, photo=upload(image_bytes()))
    zs.refresh_from_db()
    name = zs.photo.name
    services.member_update(actor=personas.secretary, member=zs, occupation="教师")
    assert PartyMember.objects.get(pk=zs.pk).photo.name == name
