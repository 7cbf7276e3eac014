"""Who sees what: the district all, the street its communities, a community secretary their own community's
roster (allowances masked); everyone else nothing. Lists answer 403 without the right, a record 404."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry

pytestmark = pytest.mark.django_db

PAGES = ["cadres:roster", "cadres:stats", "cadres:quotas", "cadres:training", "cadres:tracks", "cadres:roster_xlsx"]


@pytest.mark.parametrize("who,status", [
    ("district_admin", 200), ("street_staff", 200), ("secretary", 200), ("west_secretary", 200),
    ("community_staff", 403), ("grid_worker", 403), ("member", 403), ("liaison", 403), ("sysadmin", 403),
    ("secadmin", 403), ("auditor", 403), ("nobody", 403), ("superuser", 200),
])
def test_pages_by_role(world, personas, client_for, who, status):
    c = client_for(getattr(personas, who))
    for name in PAGES:
        assert c.get(reverse(name)).status_code == status, name


def test_anonymous_is_sent_to_the_login(world, client):
    for name in PAGES:
        r = client.get(reverse(name))
        assert r.status_code == 302 and "login" in r["Location"]
    assert client.get(reverse("cadres:detail", args=[world.worker.pk])).status_code == 302


@pytest.mark.parametrize("who,status", [
    ("district_admin", 200), ("street_staff", 200), ("secretary", 200), ("west_secretary", 404),
    ("community_staff", 404), ("grid_worker", 404), ("member", 404), ("liaison", 404), ("auditor", 404),
    ("sysadmin", 404), ("nobody", 404),
])
def test_a_cadre_record_by_role(world, personas, client_for, who, status):
    c = client_for(getattr(personas, who))
    assert c.get(reverse("cadres:detail", args=[world.worker.pk])).status_code == status


def test_lists_show_only_the_scope_and_mask(world, personas, client_for):
    sec = client_for(personas.secretary).get(reverse("cadres:roster")).content.decode()
    assert "李小梅" in sec and "王网格" not in sec
    assert world.worker.id_number not in sec and "139****5678" in sec
    assert "2,800" not in sec and "***" in sec  # allowances masked for the secretary
    street = client_for(personas.street_staff).get(reverse("cadres:roster")).content.decode()
    assert "李小梅" in street and "王网格" not in street and "2,800" in street
    district = client_for(personas.district_admin).get(reverse("cadres:roster")).content.decode()
    assert "李小梅" in district and "王网格" in district
    assert client_for(personas.street_staff).get(
        reverse("cadres:detail", args=[world.west.pk])).status_code == 404


def test_writes_need_manage_in_scope(world, tree, personas, client_for):
    url = reverse("cadres:detail", args=[world.worker.pk])
    data = {"action": "award", "title": "最辛苦社区干部", "award_date": "2025-12-01", "issuer": "县委组织部"}
    assert client_for(personas.secretary).post(url, data).status_code == 403
    assert client_for(personas.west_secretary).post(url, data).status_code == 404
    assert world.worker.awards.count() == 0
    assert client_for(personas.street_staff).post(url, data).status_code == 302
    assert world.worker.awards.get().title == "最辛苦社区干部"
    assert client_for(personas.secretary).get(reverse("cadres:new")).status_code == 403
    assert client_for(personas.street_staff).get(reverse("cadres:rules")).status_code == 403
    assert client_for(personas.district_admin).get(reverse("cadres:rules")).status_code == 200


def test_full_id_number_needs_a_purpose_and_is_audited(world, personas, client_for):
    c = client_for(personas.secretary)
    url = reverse("cadres:detail", args=[world.worker.pk])
    assert world.worker.id_number not in c.get(url).content.decode()
    page = c.post(url, {"action": "reveal", "purpose": "核对社保信息"}).content.decode()
    assert world.worker.id_number in page
    assert AuditEntry.objects.filter(action="view_pii", purpose="核对社保信息").exists()


def test_menu(world, personas, client_for):
    home = client_for(personas.district_admin).get("/").content.decode()
    assert reverse("cadres:roster") in home and reverse("cadres:training") in home
    assert reverse("cadres:roster") not in client_for(personas.grid_worker).get("/").content.decode()
    assert reverse("cadres:roster") not in client_for(personas.community_staff).get("/").content.decode()
