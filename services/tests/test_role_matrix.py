"""Who sees what: community staff their community, the street and district their subtree (read only),
a grid worker only the order form, a provider's account only the orders given to it, the three
system roles nothing (out of scope = 404, no permission = 403)."""

import pytest
from django.urls import reverse

from services import services
from services.models import Channel

pytestmark = pytest.mark.django_db

PAGES = ["services:orders", "services:catalogue", "services:errands", "services:jobs", "services:seekers",
         "services:job_stats", "services:charity", "services:charity_account", "services:venues", "services:duty"]


@pytest.mark.parametrize("who,status", [
    ("district_admin", 200), ("street_staff", 200), ("secretary", 200), ("community_staff", 200),
    ("west_secretary", 200), ("grid_worker", 403), ("member", 403), ("liaison", 403), ("sysadmin", 403),
    ("secadmin", 403), ("auditor", 403), ("nobody", 403), ("superuser", 200),
])
def test_pages_by_role(world, personas, client_for, who, status):
    c = client_for(getattr(personas, who))
    for name in PAGES:
        assert c.get(reverse(name)).status_code == status, name


@pytest.mark.parametrize("who,status", [
    ("secretary", 200), ("community_staff", 200), ("grid_worker", 200), ("street_staff", 403),
    ("district_admin", 403), ("member", 403), ("liaison", 403), ("auditor", 403), ("nobody", 403),
])
def test_the_order_form_by_role(world, personas, client_for, who, status):
    assert client_for(getattr(personas, who)).get(reverse("services:order_new")).status_code == status


@pytest.mark.parametrize("who,status", [
    ("district_admin", 200), ("street_staff", 200), ("secretary", 200), ("community_staff", 200),
    ("west_secretary", 404), ("grid_worker", 403), ("liaison", 403), ("auditor", 403), ("nobody", 403),
])
def test_an_order_by_role_and_scope(world, tree, personas, client_for, who, status):
    o = services.order_create(actor=None, region=tree.east1, service=world.repair, channel=Channel.PORTAL,
                              requester_name="张大爷", requester_phone="13912345678", address="阳光小区",
                              description="漏水")
    c = client_for(getattr(personas, who))
    assert c.get(reverse("services:order", args=[o.pk])).status_code == status
    assert c.get(reverse("services:provider", args=[world.fixers.pk])).status_code == status


def test_reading_staff_cannot_write(world, tree, personas, client_for):
    o = services.order_create(actor=None, region=tree.east1, service=world.repair, channel=Channel.PORTAL,
                              requester_name="张大爷", requester_phone="13912345678", address="阳光小区",
                              description="漏水")
    for who in ("street_staff", "district_admin"):
        c = client_for(getattr(personas, who))
        assert c.post(reverse("services:order", args=[o.pk]), {"action": "assign",
                                                              "provider": world.fixers.pk}).status_code == 403
        assert c.get(reverse("services:service_new")).status_code == 403
        assert c.get(reverse("services:donation_new")).status_code == 403
    assert client_for(personas.west_secretary).post(reverse("services:order", args=[o.pk]),
                                                    {"action": "cancel", "reason": "x"}).status_code == 404
    o.refresh_from_db()
    assert o.state == "new" and o.provider is None


def test_providers_see_only_their_orders(world, tree, personas, client_for):
    mine = services.order_create(actor=None, region=tree.east1, service=world.repair, channel=Channel.PORTAL,
                                 requester_name="张大爷", requester_phone="13912345678", address="阳光小区1号楼101",
                                 description="水龙头漏水")
    theirs = services.order_create(actor=None, region=tree.east1, service=world.cleaning, channel=Channel.PORTAL,
                                   requester_name="李阿姨", requester_phone="13912345679", address="阳光小区2号楼",
                                   description="大扫除")
    services.order_assign(actor=personas.secretary, order=mine, provider=world.fixers)
    services.order_assign(actor=personas.secretary, order=theirs, provider=world.other)
    c = client_for(personas.liaison)
    page = c.get(reverse("services:provider_orders")).content.decode()
    assert "上门维修" in page and "家庭保洁" not in page
    assert c.get(reverse("services:provider_order", args=[theirs.pk])).status_code == 404
    detail = c.get(reverse("services:provider_order", args=[mine.pk])).content.decode()
    assert "13912345678" in detail  # the provider calls before coming: the read is audited
    from audit.models import AuditEntry
    assert AuditEntry.objects.filter(action="view_pii", object_id=str(mine.pk), actor=personas.liaison).exists()
    r = c.post(reverse("services:provider_order", args=[mine.pk]), {"note": "已修好"})
    assert r.status_code == 302
    mine.refresh_from_db()
    assert mine.state == "done"
    assert c.post(reverse("services:provider_order", args=[theirs.pk]), {"note": "x"}).status_code == 404
    other = client_for(world.other_account)
    assert "家庭保洁" in other.get(reverse("services:provider_orders")).content.decode()
    # Not a provider: the page does not exist for them.
    assert client_for(personas.secretary).get(reverse("services:provider_orders")).status_code == 404
    assert client_for(personas.member).get(reverse("services:provider_orders")).status_code == 404


def test_the_menu_shows_the_entries_to_whom_they_belong(world, personas, client_for):
    def href(name):
        return f'href="{reverse(name)}"'

    staff = client_for(personas.community_staff).get("/").content.decode()
    assert href("services:orders") in staff and href("services:charity") in staff
    grid = client_for(personas.grid_worker).get("/").content.decode()
    assert href("services:order_new") in grid and href("services:charity") not in grid
    liaison = client_for(personas.liaison).get("/").content.decode()
    assert href("services:provider_orders") in liaison and href("services:orders") not in liaison
    auditor = client_for(personas.auditor).get("/").content.decode()
    assert href("services:orders") not in auditor


def test_the_workbench_shows_waiting_orders_and_the_providers_visits(world, tree, personas, client_for):
    o = services.order_create(actor=None, region=tree.east1, service=world.repair, channel=Channel.PORTAL,
                              requester_name="张大爷", requester_phone="13912345678", address="阳光小区1号楼101",
                              description="漏水")
    home = client_for(personas.secretary).get("/").content.decode()
    assert 'id="wb-services-waiting"' in home and reverse("services:order", args=[o.pk]) in home
    assert 'id="wb-services-waiting"' not in client_for(personas.west_secretary).get("/").content.decode() or \
        reverse("services:order", args=[o.pk]) not in client_for(personas.west_secretary).get("/").content.decode()
    services.order_assign(actor=personas.secretary, order=o, provider=world.fixers)
    liaison = client_for(personas.liaison).get("/").content.decode()
    assert 'id="wb-provider-orders"' in liaison and reverse("services:provider_order", args=[o.pk]) in liaison
