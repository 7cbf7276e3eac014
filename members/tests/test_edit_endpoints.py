"""The edit page's cards post to endpoints of their own (no hidden `action` field): the member's fields
(`members:edit`), the photo (`members:photo_set`, `members:photo_remove`) and the platform account
(`members:user_link`). Each looks the record up in the `members.edit` scope (404 outside it or without the
permission, as for a missing record), answers GET with 405, and audits exactly what its service audits."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from members import services
from members.models import PartyMember

from .test_photo import image_bytes, upload

pytestmark = pytest.mark.django_db

SEES = ["district_admin", "street_staff", "secretary", "community_staff"]
BLIND = ["grid_worker", "member", "liaison", "west_secretary", "sysadmin", "secadmin", "auditor", "nobody"]


def audit_for(member):
    return list(AuditEntry.objects.filter(object_type="members.partymember", object_id=str(member.pk))
                .order_by("id").values_list("action", "changes", "actor__username"))


def test_url_names_and_addresses(members):
    pk = members["zs"].pk
    assert reverse("members:edit", args=[pk]) == f"/members/{pk}/edit/"
    assert reverse("members:photo_set", args=[pk]) == f"/members/{pk}/edit/photo/"
    assert reverse("members:photo_remove", args=[pk]) == f"/members/{pk}/edit/photo/remove/"
    assert reverse("members:user_link", args=[pk]) == f"/members/{pk}/edit/account/"


def test_each_card_posts_to_its_own_endpoint(personas, members, client_for):
    zs = members["zs"]
    c = client_for(personas.secretary)
    services.member_photo_set(actor=personas.secretary, member=zs, photo=upload(image_bytes()))
    page = c.get(f"/members/{zs.pk}/edit/").content.decode()
    assert f'action="/members/{zs.pk}/edit/photo/"' in page
    assert f'action="/members/{zs.pk}/edit/photo/remove/"' in page
    assert f'action="/members/{zs.pk}/edit/account/"' in page
    assert f'action="/members/{zs.pk}/edit/" novalidate id="member-form"' in page
    assert 'name="action"' not in page
    assert 'action="/members/new/"' in c.get("/members/new/").content.decode()


@pytest.mark.parametrize("name", ["photo_set", "photo_remove", "user_link"])
def test_post_only(name, personas, members, client_for):
    resp = client_for(personas.secretary).get(reverse(f"members:{name}", args=[members["zs"].pk]))
    assert resp.status_code == 405


@pytest.mark.parametrize("who", SEES + BLIND)
def test_scope_and_permission_matrix(who, personas, members, client_for):
    zs, ww = members["zs"], members["ww"]
    services.member_photo_set(actor=personas.secretary, member=zs, photo=upload(image_bytes()))
    zs.refresh_from_db()
    before = (zs.photo.name, audit_for(zs))
    c = client_for(getattr(personas, who))
    up = c.post(f"/members/{zs.pk}/edit/photo/", {"photo": upload(image_bytes(color=(0, 90, 0)))})
    link = c.post(f"/members/{zs.pk}/edit/account/", {"username": "nobody"})
    rm = c.post(f"/members/{zs.pk}/edit/photo/remove/")
    zs.refresh_from_db()
    if who in SEES:
        assert (up.status_code, link.status_code, rm.status_code) == (302, 302, 302)
        assert up["Location"] == f"/members/{zs.pk}/"
        assert link["Location"] == rm["Location"] == f"/members/{zs.pk}/edit/"
        assert not zs.photo and zs.user == personas.nobody
    else:
        assert (up.status_code, link.status_code, rm.status_code) == (404, 404, 404)
        assert (zs.photo.name, audit_for(zs)) == before and zs.user is None
    # 西一社区: inside the district admin's and the west secretary's scope only; elsewhere the same 404 as for a
    # missing record.
    for url in (f"/members/{ww.pk}/edit/photo/", f"/members/{ww.pk}/edit/account/",
                f"/members/{ww.pk}/edit/photo/remove/", "/members/999999/edit/photo/"):
        resp = c.post(url, {"username": "nobody"})
        if who in ("district_admin", "west_secretary") and "999999" not in url:
            assert resp.status_code in (302, 400), url
        else:
            assert resp.status_code == 404, url


def test_audit_is_unchanged(personas, members, client_for):
    zs = members["zs"]
    c = client_for(personas.secretary)
    assert c.post(f"/members/{zs.pk}/edit/photo/", {"photo": upload(image_bytes())}).status_code == 302
    assert c.post(f"/members/{zs.pk}/edit/photo/", {"photo": upload(image_bytes(color=(1, 1, 1)))}).status_code == 302
    assert c.post(f"/members/{zs.pk}/edit/photo/remove/").status_code == 302
    assert c.post(f"/members/{zs.pk}/edit/account/", {"username": "nobody"}).status_code == 302
    assert c.post(f"/members/{zs.pk}/edit/account/", {"username": ""}).status_code == 302
    assert audit_for(zs) == [
        ("update", {"photo": ["无照片", "已上传照片"]}, "secretary"),
        ("update", {"photo": ["有照片", "已更换照片"]}, "secretary"),
        ("update", {"photo": ["有照片", "已删除照片"]}, "secretary"),
        ("update", {"user": ["", "nobody"]}, "secretary"),
        ("update", {"user": ["nobody", ""]}, "secretary"),
    ]


def test_a_refused_card_comes_back_with_its_errors_and_the_other_cards_fresh(personas, members, client_for):
    zs = members["zs"]
    c = client_for(personas.secretary)
    resp = c.post(f"/members/{zs.pk}/edit/photo/", {"photo": upload(b"not a picture", "x.png")})
    page = resp.content.decode()
    assert resp.status_code == 400 and "不是有效的图片文件" in page
    assert 'id="link-form"' in page and f'action="/members/{zs.pk}/edit/account/"' in page
    assert 'value="张三"' in page  # the fields card is filled in, unbound
    assert zs.id_number not in page  # and masked
    resp = c.post(f"/members/{zs.pk}/edit/account/", {"username": "auditor"})
    page = resp.content.decode()
    assert resp.status_code == 400 and "审计管理账号不能关联" in page and 'id="photo-form"' in page
    assert not audit_for(zs)


def test_the_fields_form_ignores_a_stale_action_field(personas, members, client_for):
    """A page cached from before the split posts `action=photo` (or `link`) to edit/: it is read as the
    fields form, which is incomplete, so nothing changes and nothing is audited."""
    zs = members["zs"]
    c = client_for(personas.secretary)
    for data in ({"action": "photo", "photo": upload(image_bytes())}, {"action": "link", "username": "nobody"},
                 {"action": "photo_remove"}):
        resp = c.post(f"/members/{zs.pk}/edit/", data)
        assert resp.status_code == 200 and "invalid-feedback" in resp.content.decode()
    zs.refresh_from_db()
    assert not zs.photo and zs.user is None and not audit_for(zs)
    assert PartyMember.objects.get(pk=zs.pk).name == "张三"


def _fields(member, **changes):
    data = {"name": member.name, "id_number": "654322********0000", "ethnicity": member.ethnicity,
            "mobile": "", "joined_on": member.joined_on.isoformat(),
            "full_member_on": member.full_member_on.isoformat(), "status": member.status,
            "category": member.category, "residence": member.residence_id or "", "occupation": ""}
    data.update(changes)
    return data


def test_edit_page_masks_the_mobile_like_the_id_number(personas, members, client_for):
    """The full mobile is shown only on the detail page, with a purpose, audited (pii.view_full); the edit page
    (members.edit, which community staff hold without pii.view_full) shows it masked, as the ID number."""
    from core.masking import mask_mobile

    zs = members["zs"]
    c = client_for(personas.community_staff)
    page = c.get(f"/members/{zs.pk}/edit/").content.decode()
    assert zs.mobile not in page and f'value="{mask_mobile(zs.mobile)}"' in page
    assert "如需更正手机号，请输入完整号码" in page
    # Saved with the masked values: nothing personal changes.
    masked = page.split('name="id_number" value="')[1].split('"')[0]
    resp = c.post(f"/members/{zs.pk}/edit/", _fields(zs, id_number=masked, mobile=mask_mobile(zs.mobile),
                                                     occupation="教师"))
    assert resp.status_code == 302
    after = PartyMember.objects.get(pk=zs.pk)
    assert (after.mobile, after.id_number, after.occupation) == (zs.mobile, zs.id_number, "教师")
    assert set(AuditEntry.objects.filter(object_id=str(zs.pk)).latest("id").changes) == {"occupation"}
    # A full number replaces it.
    resp = c.post(f"/members/{zs.pk}/edit/", _fields(zs, id_number=masked, mobile="13900001111"))
    assert resp.status_code == 302 and PartyMember.objects.get(pk=zs.pk).mobile == "13900001111"


def test_residence_choices_name_the_community(personas, members, tree, client_for):
    """Three communities each have a 网格1: the choice says whose."""
    page = client_for(personas.district_admin).get(f"/members/{members['zs'].pk}/edit/").content.decode()
    select = page[page.index('name="residence"'):page.index("</select>", page.index('name="residence"'))]
    for label in ("东一社区 网格1", "东一社区 网格2", "东二社区 网格1", "西一社区 网格1",
                  "东一社区 网格1 阳光小区 1号楼", ">东一社区<"):
        assert label in select, label
    assert ">网格1<" not in select
    assert f'value="{tree.east1_grid1.pk}" selected>东一社区 网格1<' in select
