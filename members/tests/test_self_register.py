"""报到 from 我的档案: the member taps the button, the community's secretary is told and confirms,
the member sees the result; nothing for someone without a linked record."""

import pytest

from members import services
from members.models import Category, Decision, DualRegistration
from notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def zs(personas, members, tree):
    m = members["zs"]
    m.user, m.residence, m.category = personas.member, tree.east1_grid1, Category.EMPLOYED
    m.save()
    return m


def test_the_register_button_works_end_to_end(zs, personas, tree, client_for):
    c = client_for(personas.member)
    html = c.get("/members/me/").content.decode()
    assert 'id="register-button"' in html and f'<option value="{tree.east1.pk}" selected>' in html
    resp = c.post("/members/me/register/", {"community": tree.east1.pk}, follow=True)
    html = resp.content.decode()
    assert "已向东一社区报到，等待社区党组织确认" in html and 'id="register-button"' not in html
    reg = DualRegistration.objects.get(member=zs)
    assert reg.status == Decision.PENDING and reg.requested_by == personas.member
    note = Notification.objects.get(recipient=personas.secretary, source_id=str(reg.pk))
    assert note.read_at is None and note.link == "/members/dual/?status=pending"
    assert not Notification.objects.filter(recipient=personas.west_secretary).exists()
    services.dual_registration_decide(actor=personas.secretary, registration=reg, confirm=True)
    note.refresh_from_db()
    assert note.read_at is not None  # the secretary's notice closes with the decision
    assert Notification.objects.filter(recipient=personas.member, title__contains="已确认").exists()
    assert "已确认" in c.get("/members/me/").content.decode()


def test_twice_and_bad_communities_are_refused(zs, personas, tree, client_for):
    c = client_for(personas.member)
    for bad in ("", "abc", str(tree.east1_grid1.pk)):
        html = c.post("/members/me/register/", {"community": bad}, follow=True).content.decode()
        assert "请选择要报到的居住地社区" in html
    c.post("/members/me/register/", {"community": tree.east1.pk})
    html = c.post("/members/me/register/", {"community": tree.east1.pk}, follow=True).content.decode()
    assert "今年已向该社区报到" in html and DualRegistration.objects.count() == 1


def test_a_retired_member_has_no_button_and_cannot_post(zs, personas, tree, client_for):
    zs.category = Category.RETIRED
    zs.save()
    c = client_for(personas.member)
    assert 'id="register-button"' not in c.get("/members/me/").content.decode()
    html = c.post("/members/me/register/", {"community": tree.east1.pk}, follow=True).content.decode()
    assert "双报到适用于在职党员" in html and not DualRegistration.objects.exists()


def test_an_account_without_a_record_gets_404_and_get_is_refused(personas, client_for, tree, zs):
    assert client_for(personas.liaison).post("/members/me/register/", {"community": tree.east1.pk}).status_code == 404
    assert client_for(personas.member).get("/members/me/register/").status_code == 405
