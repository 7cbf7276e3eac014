"""Browser: a Party member opens 我的档案 and prints the card; a secretary uploads a photo; the district
admin edits the dues tiers (Playwright + Debian's Chromium)."""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from accounts.roles import Role
from conftest import PASSWORD, make_user
from members.models import DualRegistration, DuesPayment, DuesTier, MemberDeed, PartyMember
from tests.browser_fixtures import login, screenshot

from .conftest import add_member
from .test_photo import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_party_member_opens_my_record_and_prints_the_card(page_for, personas, tree):
    dangyuan = make_user("dangyuan", Role.PARTY_MEMBER, tree.east1, full_name="张建国")
    me = add_member(tree.east1_org, "张建国", residence=tree.east1_grid1, user=dangyuan, monthly_income=Decimal("5200"),
                    employer="县第一中学", occupation="教师")
    add_member(tree.east1_org, "李四")
    today = timezone.localdate()
    for k in range(3, 6):  # paid up to three months ago: the last two months are owed
        y, m = divmod(today.year * 12 + today.month - 1 - k, 12)
        DuesPayment.objects.create(member=me, month=date(y, m + 1, 1), amount=Decimal("78.00"), paid_on=today,
                                   org=me.org)
    DualRegistration.objects.create(member=me, community=tree.east1, status="confirmed")
    MemberDeed.objects.create(member=me, date=today, title="为独居老人代购")
    page = page_for(viewport=(390, 844))
    login(page, "dangyuan", PASSWORD)
    page.goto("/")
    if page.locator("#main-menu").is_hidden():  # the phone layout folds the menu
        page.click(".navbar-toggler")
    page.click("#main-menu >> text=我的档案")
    page.wait_for_url("**/members/me/")
    info = page.locator("#my-info").inner_text()
    assert "张建国" in info and me.id_number not in info and me.mobile not in info
    assert "东一社区党总支" in info and "李四" not in page.content()
    assert "已达到要求" in page.locator("#my-quota").inner_text()
    assert "有 2 个月未缴" in page.locator("#my-owed").inner_text()
    screenshot(page, "members_my_record_phone")
    with page.expect_download() as dl:
        page.click("#my-card-pdf")
    download = dl.value
    assert download.suggested_filename == "社区党员登记卡-张建国.pdf"
    text = PdfReader(download.path()).pages[0].extract_text().replace("\x00", "")
    assert "张建国" in text and "社区党员登记卡" in text
    page.set_viewport_size({"width": 1280, "height": 860})
    page.reload()
    screenshot(page, "members_my_record")
    # Another member's record is out of reach.
    other = PartyMember.objects.get(name="李四")
    assert page.goto(f"/members/{other.pk}/").status == 404


def test_secretary_uploads_a_photo_and_sees_it_on_the_detail_page(page_for, personas, tree, tmp_path):
    zs = add_member(tree.east1_org, "张三", residence=tree.east1_grid1)
    photo = tmp_path / "证件照.jpg"
    photo.write_bytes(image_bytes("JPEG", size=(450, 600), color=(190, 40, 40)))
    bad = tmp_path / "不是图片.png"
    bad.write_bytes(b"%PDF-1.4 not a picture")
    page = page_for()
    login(page, "secretary", PASSWORD)
    page.goto(f"/members/{zs.pk}/")
    assert "暂无照片" in page.locator("#member-photo").inner_text()
    page.click("text=上传照片")
    page.wait_for_url(f"**/members/{zs.pk}/edit/**")
    page.set_input_files("#id_photo", str(bad))
    page.click("#photo-submit")
    page.wait_for_selector("#photo-form .invalid-feedback")
    assert "不是有效的图片文件" in page.locator("#photo-form").inner_text()
    screenshot(page, "members_photo_refused")
    page.set_input_files("#id_photo", str(photo))
    page.click("#photo-submit")
    page.wait_for_url(re.compile(rf"/members/{zs.pk}/(#.*)?$"))  # the #photo-card fragment survives the redirect
    page.wait_for_selector(".alert >> text=已上传照片")
    img = page.locator("img#member-photo")
    assert "/media/" not in img.get_attribute("src") and f"/members/{zs.pk}/photo/" in img.get_attribute("src")
    assert page.evaluate("document.getElementById('member-photo').naturalWidth") == 450
    screenshot(page, "members_photo_detail")
    with page.expect_download() as dl:
        page.click("#card-pdf")
    assert len(PdfReader(io.BytesIO(open(dl.value.path(), "rb").read())).pages[0].images) == 1
    # The edit page now offers to replace or remove it.
    page.click("text=更换照片")
    page.wait_for_selector("#photo-remove-form")
    assert page.locator("#photo-submit").inner_text() == "更换照片"
    screenshot(page, "members_photo_edit")


def test_district_admin_edits_dues_tiers_from_the_dues_page(page_for, personas):
    page = page_for()
    login(page, "district_admin", PASSWORD)
    page.goto("/members/dues/")
    page.click("#dues-tiers-link")
    page.wait_for_url("**/members/dues/tiers/")
    # An overlap is refused with a message naming the base and the bands.
    page.fill("[name=income-1-lower]", "2500")
    page.click("#tiers-save")
    page.wait_for_selector("#tiers-income .alert")
    assert "重叠" in page.locator("#tiers-income .alert").inner_text()
    screenshot(page, "members_dues_tiers_error")
    page.fill("[name=income-1-lower]", "3000")
    page.fill("[name=income-3-upper]", "20000")
    page.fill("[name=income-4-lower]", "20000")
    page.fill("[name=income-4-rate]", "3")
    page.click("#tiers-save")
    page.wait_for_selector(".alert >> text=已保存党费标准")
    assert DuesTier.objects.filter(base="income").count() == 5
    assert DuesTier.objects.get(base="income", lower=20000).rate == Decimal("3.00")
    screenshot(page, "members_dues_tiers")
