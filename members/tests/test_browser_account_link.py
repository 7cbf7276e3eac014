"""Browser: a community secretary links a member record to a fresh platform account on the edit page; the
account then reads its own record under 我的档案; the secretary removes the member's photo
(Playwright + Debian's Chromium)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEntry
from conftest import PASSWORD, make_user
from members import services
from members.models import PartyMember
from tests.browser_fixtures import login, screenshot

from .conftest import add_member
from .test_photo import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_links_an_account_which_then_sees_its_record_and_the_photo_is_removed(page_for, personas, tree):
    zs = add_member(tree.east1_org, "张三", residence=tree.east1_grid1)
    add_member(tree.east1_org, "李四")
    services.member_photo_set(actor=personas.secretary, member=zs, photo=SimpleUploadedFile(
        "证件照.jpg", image_bytes("JPEG", size=(300, 400), color=(40, 90, 190)), content_type="image/jpeg"))
    fresh = make_user("zhangsan2026", full_name="张三")  # a new account: no role at all
    assert not fresh.role_assignments.exists()

    secretary = page_for()
    login(secretary, "secretary", PASSWORD)
    secretary.goto(f"/members/{zs.pk}/edit/")
    link_card = secretary.locator("#link-card")
    assert "已关联" not in link_card.inner_text()
    # An account outside the secretary's scope (staff of another community) is refused, in Chinese.
    secretary.fill("#link-form [name=username]", "west_secretary")
    secretary.click("#link-form button[type=submit]")
    secretary.wait_for_selector("#link-form .invalid-feedback")
    assert "该账号不在您的管辖范围内" in secretary.locator("#link-form").inner_text()
    screenshot(secretary, "members_account_link_refused")
    # The fresh account is linked.
    secretary.fill("#link-form [name=username]", "zhangsan2026")
    secretary.click("#link-form button[type=submit]")
    secretary.wait_for_selector(".alert >> text=已关联平台账号")
    assert re.search(rf"/members/{zs.pk}/edit/$", secretary.url)
    assert "已关联 zhangsan2026" in secretary.locator("#link-card").inner_text()
    assert secretary.locator("#link-form [name=username]").input_value() == "zhangsan2026"
    screenshot(secretary, "members_account_link_linked")
    zs.refresh_from_db()
    assert zs.user == fresh
    assert AuditEntry.objects.filter(object_type="members.partymember", object_id=str(zs.pk),
                                     changes__user=["", "zhangsan2026"], actor=personas.secretary).exists()

    # The account signs in and opens its own record from the menu: it holds no role, but the 我的档案
    # entry shows to every account linked to a member record.
    member = page_for()
    login(member, "zhangsan2026", PASSWORD)
    member.goto("/")
    menu = member.locator("#main-menu")
    if menu.is_hidden():
        member.click(".navbar-toggler")
    menu.get_by_text("我的档案").click()
    member.wait_for_url("**/members/me/")
    info = member.locator("#my-info").inner_text()
    assert "张三" in info and "东一社区党总支" in info
    assert zs.id_number not in info and zs.mobile not in info  # masked
    assert "李四" not in member.content()
    img = member.locator("img#member-photo")
    assert img.get_attribute("src").startswith("/members/me/photo/")
    assert member.evaluate("document.getElementById('member-photo').naturalWidth") == 300
    screenshot(member, "members_account_link_my_record")
    assert member.goto(f"/members/{zs.pk}/").status == 404  # still no access to the register itself

    # The secretary removes the photo on the edit page (after a confirmation).
    secretary.goto(f"/members/{zs.pk}/edit/")
    assert secretary.locator("img#photo-preview").count() == 1
    secretary.once("dialog", lambda dialog: dialog.accept())
    secretary.click("#photo-remove-form button[type=submit]")
    secretary.wait_for_selector(".alert >> text=已删除照片")
    assert "暂无照片" in secretary.locator("#photo-preview").inner_text()
    assert secretary.locator("#photo-remove-form").count() == 0
    assert secretary.locator("#photo-submit").inner_text() == "上传照片"
    screenshot(secretary, "members_account_link_photo_removed")
    zs.refresh_from_db()
    assert not zs.photo
    # The member's own page now shows the blank box, and the photo address answers 404.
    member.goto("/members/me/")
    assert "暂无照片" in member.locator("#member-photo").inner_text()
    assert member.goto("/members/me/photo/").status == 404
    assert PartyMember.objects.get(pk=zs.pk).user == fresh
