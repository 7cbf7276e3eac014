"""Who sees what. Key people: only with their own permission and inside the scope, only after a purpose
is stated, every list and record shown one audit entry with that purpose. The other pages: the scope."""

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db

KEY = ["stability:people", "stability:person_new"]
PAGES = ["stability:cases", "stability:reports", "stability:patrols", "stability:stats"]


def _with_purpose(c, purpose="例行走访"):
    c.post(reverse("stability:purpose"), {"purpose": purpose, "next": "/stability/people/"})
    return c


@pytest.mark.parametrize("who,status", [
    ("district_admin", 200), ("street_staff", 200), ("secretary", 200), ("community_staff", 403),
    ("grid_worker", 200), ("west_secretary", 200), ("member", 403), ("liaison", 403), ("sysadmin", 403),
    ("secadmin", 403), ("auditor", 403), ("superuser", 200),
])
def test_key_people_list_needs_its_own_permission(world, personas, client_for, who, status):
    c = client_for(getattr(personas, who))
    assert c.get(reverse("stability:people")).status_code == status
    assert c.get(reverse("stability:person", args=[world.released.pk])).status_code in (status, 404)


@pytest.mark.parametrize("who,status", [
    ("district_admin", 200), ("street_staff", 200), ("secretary", 200), ("community_staff", 200),
    ("grid_worker", 200), ("west_secretary", 200), ("member", 403), ("liaison", 403), ("sysadmin", 403),
    ("secadmin", 403), ("auditor", 403),
])
def test_the_other_pages_by_role(world, personas, client_for, who, status):
    c = client_for(getattr(personas, who))
    for name in PAGES:
        assert c.get(reverse(name)).status_code == status, name


def test_without_a_purpose_no_key_person_is_shown(world, personas, client_for):
    c = client_for(personas.secretary)
    page = c.get(reverse("stability:people")).content.decode()
    assert "查看用途" in page and "张三" not in page and "李四" not in page
    page = c.get(reverse("stability:person", args=[world.released.pk])).content.decode()
    assert "张三" not in page and "盗窃罪" not in page
    assert not AuditEntry.objects.filter(action=AuditAction.VIEW_PII).exists()
    bad = c.post(reverse("stability:purpose"), {"purpose": "其他", "detail": "", "next": "/stability/people/"},
                 follow=True).content.decode()
    assert "须写明具体用途" in bad and "张三" not in bad


def test_each_view_is_audited_with_the_purpose(world, personas, client_for):
    c = _with_purpose(client_for(personas.secretary), "帮教工作")
    page = c.get(reverse("stability:people")).content.decode()
    assert "张三" in page and "李四" in page and "孙八" not in page
    listing = AuditEntry.objects.filter(action=AuditAction.VIEW_PII).get()
    assert listing.purpose == "帮教工作" and listing.actor == personas.secretary
    assert set(listing.changes["ids"]) == {world.released.pk, world.correction.pk}
    page = c.get(reverse("stability:person", args=[world.released.pk])).content.decode()
    assert "盗窃罪刑满释放" in page and "138****8000" in page and "13800138000" not in page
    c.get(reverse("stability:person", args=[world.released.pk]))
    detail = AuditEntry.objects.filter(action=AuditAction.VIEW_PII, object_id=str(world.released.pk),
                                       object_type="stability.keyperson")
    assert detail.count() == 2 and all(e.purpose == "帮教工作" for e in detail)


def test_key_people_out_of_scope_are_404(world, personas, client_for):
    grid = _with_purpose(client_for(personas.other_grid_worker))
    assert grid.get(reverse("stability:person", args=[world.released.pk])).status_code == 404
    assert "张三" not in grid.get(reverse("stability:people")).content.decode()
    west = _with_purpose(client_for(personas.west_secretary))
    assert west.get(reverse("stability:person", args=[world.released.pk])).status_code == 404
    street = _with_purpose(client_for(personas.street_staff))
    assert street.get(reverse("stability:person", args=[world.released.pk])).status_code == 200
    assert street.get(reverse("stability:person", args=[world.west.pk])).status_code == 404
    mine = _with_purpose(client_for(personas.grid_worker))
    assert mine.get(reverse("stability:person", args=[world.released.pk])).status_code == 200


def test_key_writes_need_their_permission(world, personas, client_for):
    url = reverse("stability:person", args=[world.released.pk])
    data = {"action": "visit", "visited_on": "2026-01-01", "way": "home", "findings": "x"}
    assert client_for(personas.community_staff).post(url, data).status_code == 403
    assert client_for(personas.west_secretary).post(url, data).status_code == 404
    assert client_for(personas.street_staff).post(url, data).status_code == 403  # oversight, no visits
    plan = {"action": "plan", "risk": "low", "helpers": "", "plan": ""}
    assert client_for(personas.grid_worker).post(url, plan).status_code == 403
    assert world.released.visits.count() == 0


def test_key_people_counts_in_statistics_only_with_the_permission(world, personas, client_for):
    staff = client_for(personas.community_staff).get(reverse("stability:stats")).content.decode()
    assert "在管重点人员" not in staff and "受理案件" in staff
    sec = client_for(personas.secretary).get(reverse("stability:stats")).content.decode()
    assert "在管重点人员" in sec


def test_menu_shows_the_key_people_entry_only_with_the_permission(world, personas, client_for):
    assert "/stability/people/" in client_for(personas.secretary).get("/").content.decode()
    home = client_for(personas.community_staff).get("/").content.decode()
    assert "/stability/people/" not in home and "/stability/cases/" in home
