"""The landlord's phone where a lease is listed (house page, household page, grid profile): masked
(136****6000), never the full number; a lease without one shows none."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from grid import services

pytestmark = pytest.mark.django_db

LANDLORD = "13600136000"
MASKED = "136****6000"


def _leases_block(body: str) -> str:
    start = body.index('id="leases"')
    return body[start:body.index("</div>\n</div>", start)]


def _lease(gdata, **kw):
    house = gdata.households["g11"][1].house   # 1单元201, rental; 李四 lives there
    start = timezone.localdate() - timedelta(days=30)
    args = {"landlord_name": "房东甲", "landlord_phone": LANDLORD, "tenants": [gdata.residents["g11"][1]],
            "start_date": start, "end_date": start + timedelta(days=365)}
    args.update(kw)
    return services.lease_create(actor=None, house=house, **args)


@pytest.mark.parametrize("who", ["grid_worker", "secretary", "district_admin"])
def test_house_and_household_pages_show_the_landlord_phone_masked(who, personas, gdata, tree, client_for):
    lease = _lease(gdata)
    c = client_for(getattr(personas, who))
    for url in (f"/grid/houses/{lease.house_id}/", f"/grid/households/{gdata.households['g11'][1].pk}/"):
        body = c.get(url).content.decode()
        leases = _leases_block(body)
        assert "房东 房东甲" in leases and MASKED in leases, url
        assert LANDLORD not in body, url
    body = c.get(f"/grid/{tree.east1_grid1.pk}/").content.decode()     # the grid profile's rental houses
    row = re.search(rf'<tr><td><a href="/grid/houses/{lease.house_id}/">.*?</tr>', body, re.S).group(0)
    assert "房东甲" in row and MASKED in row
    assert LANDLORD not in body


def test_an_ended_lease_keeps_the_masked_phone_and_one_without_shows_none(personas, gdata, client_for):
    lease = _lease(gdata)
    services.lease_end(actor=None, lease=lease, ended_on=timezone.localdate())
    _lease(gdata, landlord_name="房东乙", landlord_phone="", start_date=timezone.localdate() + timedelta(days=1),
           end_date=timezone.localdate() + timedelta(days=200))
    body = client_for(personas.grid_worker).get(f"/grid/houses/{lease.house_id}/").content.decode()
    leases = _leases_block(body)
    assert leases.count("****") == 1 and MASKED in leases and LANDLORD not in body
    second = leases[leases.index("房东 房东乙"):]
    assert "****" not in second[:second.index("</div>")]
