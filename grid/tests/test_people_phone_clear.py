"""A resident's phone and a lease's landlord phone can be removed from the edit pages.

The edit pages never send the full number to the browser: the field shows it masked ("138****8000"). Left as
shown it is kept, emptied it is removed (the encrypted value and its blind index both cleared, the change in the
audit entry, masked), a new number replaces it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from audit.models import AuditEntry
from grid import services
from grid.models import RentalLease, Resident

pytestmark = pytest.mark.django_db

STORED = "13800138000"   # every resident of the fixtures has this phone
MASKED = "138****8000"


def _errors(resp) -> dict:
    return {k: " ".join(v) for k, v in resp.context["form"].errors.items()}


def _raw(table: str, columns: str, pk: int):
    with connection.cursor() as cur:
        cur.execute(f"SELECT {columns} FROM {table} WHERE id = %s", [pk])  # noqa: S608 (fixed names)
        return cur.fetchone()


def _last_update(object_type: str, pk: int) -> AuditEntry | None:
    return (AuditEntry.objects.filter(object_type=object_type, object_id=str(pk), action="update")
            .order_by("pk").last())


# ---------------------------------------------------------------------------
# Resident
# ---------------------------------------------------------------------------


def _resident_post(r: Resident, **kw) -> dict:
    data = {"name": r.name, "id_number": "", "phone": MASKED, "phone_shown": MASKED, "kind": r.kind,
            "relation": r.relation, "care_tags": ["elderly_alone"], "arrival_date": "", "permit_expiry": ""}
    data.update(kw)
    return data


def test_resident_edit_shows_the_phone_masked_and_clears_it_when_emptied(personas, gdata, client_for):
    r = gdata.residents["g11"][0]   # 张三, registered, head, elderly_alone
    assert r.phone == STORED and r.phone_hash
    c = client_for(personas.grid_worker)
    body = c.get(f"/grid/residents/{r.pk}/edit/").content.decode()
    assert f'value="{MASKED}"' in body and STORED not in body          # shown masked, never in full
    assert "清空表示删除该号码" in body
    resp = c.post(f"/grid/residents/{r.pk}/edit/", _resident_post(r, phone=""))
    assert resp.status_code == 302, _errors(resp)
    r.refresh_from_db()
    assert r.phone == "" and r.phone_hash is None
    assert _raw("grid_resident", "phone, phone_hash", r.pk) == ("", None)
    entry = _last_update("grid.resident", r.pk)
    assert entry.actor == personas.grid_worker and entry.changes == {"phone": [MASKED, ""]}
    assert STORED not in str(entry.changes)
    # The resident's page says there is no phone; the next edit page says so too.
    assert c.get(f"/grid/residents/{r.pk}/").context["phone_shown"] in ("", None)
    form = c.get(f"/grid/residents/{r.pk}/edit/").context["form"]
    assert form.fields["phone"].help_text == "未登记" and "phone_shown" not in form.fields
    assert Resident.objects.filter(phone_hash=Resident._meta.get_field("phone").blind_index_for(STORED)).count() == \
        len([x for rs in gdata.residents.values() for x in rs]) - 1


def test_resident_edit_keeps_the_phone_left_as_shown_and_replaces_it_when_retyped(personas, gdata, client_for):
    r = gdata.residents["g11"][0]
    c = client_for(personas.grid_worker)
    resp = c.post(f"/grid/residents/{r.pk}/edit/", _resident_post(r, name="张叁"))
    assert resp.status_code == 302, _errors(resp)
    r.refresh_from_db()
    assert r.name == "张叁" and r.phone == STORED
    assert "phone" not in _last_update("grid.resident", r.pk).changes
    resp = c.post(f"/grid/residents/{r.pk}/edit/", _resident_post(r, name="张叁", phone="137 0013 7000"))
    assert resp.status_code == 302, _errors(resp)
    r.refresh_from_db()
    assert r.phone == "13700137000"
    assert r.phone_hash == Resident._meta.get_field("phone").blind_index_for("13700137000")
    assert _last_update("grid.resident", r.pk).changes == {"phone": [MASKED, "137****7000"]}


def test_resident_edit_refuses_a_half_masked_number_and_keeps_on_a_page_that_never_showed_it(
        personas, gdata, client_for):
    r = gdata.residents["g11"][0]
    c = client_for(personas.grid_worker)
    entries = AuditEntry.objects.count()
    resp = c.post(f"/grid/residents/{r.pk}/edit/", _resident_post(r, phone="138****8001"))
    assert resp.status_code == 200
    assert "手机号请填写完整的 11 位手机号" in _errors(resp)["phone"]
    assert AuditEntry.objects.count() == entries
    # A page opened before the field was pre-filled posts a blank phone without the shown number: it said
    # "留空表示不修改", so the number stays.
    resp = c.post(f"/grid/residents/{r.pk}/edit/", _resident_post(r, phone="", phone_shown=""))
    assert resp.status_code == 302
    r.refresh_from_db()
    assert r.phone == STORED


def test_resident_update_service_clears_on_blank_and_keeps_on_none(personas, gdata):
    r = gdata.residents["g11"][2]   # 王五
    kw = {"name": r.name, "kind": r.kind, "relation": r.relation}
    services.resident_update(actor=personas.grid_worker, resident=r, phone=None, **kw)
    assert Resident.objects.get(pk=r.pk).phone == STORED
    # Spaces only are blank too (they used to be refused as a malformed number).
    services.resident_update(actor=personas.grid_worker, resident=r, phone="   ", **kw)
    r = Resident.objects.get(pk=r.pk)
    assert r.phone == "" and r.phone_hash is None
    assert _last_update("grid.resident", r.pk).changes == {"phone": [MASKED, ""]}


# ---------------------------------------------------------------------------
# Lease (landlord phone)
# ---------------------------------------------------------------------------

LANDLORD = "13600136000"
LANDLORD_MASKED = "136****6000"


def _lease(gdata) -> RentalLease:
    house = gdata.households["g11"][1].house   # 1单元201, rental
    start = timezone.localdate() - timedelta(days=10)
    return services.lease_create(actor=None, house=house, landlord_name="房东甲", landlord_phone=LANDLORD,
                                 tenants=[gdata.residents["g11"][1]], start_date=start,
                                 end_date=start + timedelta(days=365))


def _lease_post(lease: RentalLease, **kw) -> dict:
    data = {"landlord_name": lease.landlord_name, "landlord_phone": LANDLORD_MASKED,
            "landlord_phone_shown": LANDLORD_MASKED, "tenants": [t.pk for t in lease.tenants.all()],
            "start_date": lease.start_date.isoformat(), "end_date": lease.end_date.isoformat()}
    data.update(kw)
    return data


def test_lease_edit_clears_the_landlord_phone_when_emptied(personas, gdata, client_for):
    lease = _lease(gdata)
    assert lease.landlord_phone_hash
    c = client_for(personas.grid_worker)
    body = c.get(f"/grid/leases/{lease.pk}/edit/").content.decode()
    assert f'value="{LANDLORD_MASKED}"' in body and LANDLORD not in body
    resp = c.post(f"/grid/leases/{lease.pk}/edit/", _lease_post(lease, landlord_phone=""))
    assert resp.status_code == 302, _errors(resp)
    lease.refresh_from_db()
    assert lease.landlord_phone == "" and lease.landlord_phone_hash is None
    assert _raw("grid_rentallease", "landlord_phone, landlord_phone_hash", lease.pk) == ("", None)
    entry = _last_update("grid.rentallease", lease.pk)
    assert entry.actor == personas.grid_worker and entry.changes == {"landlord_phone": [LANDLORD_MASKED, ""]}
    form = c.get(f"/grid/leases/{lease.pk}/edit/").context["form"]
    assert form.fields["landlord_phone"].help_text == "未登记" and form["landlord_phone"].value() in ("", None)


def test_lease_edit_keeps_or_replaces_the_landlord_phone(personas, gdata, client_for):
    lease = _lease(gdata)
    c = client_for(personas.secretary)
    resp = c.post(f"/grid/leases/{lease.pk}/edit/", _lease_post(lease, landlord_name="房东乙"))
    assert resp.status_code == 302, _errors(resp)
    lease.refresh_from_db()
    assert lease.landlord_name == "房东乙" and lease.landlord_phone == LANDLORD
    assert "landlord_phone" not in _last_update("grid.rentallease", lease.pk).changes
    resp = c.post(f"/grid/leases/{lease.pk}/edit/", _lease_post(lease, landlord_phone="136****600"))
    assert "房东电话请填写完整的 11 位手机号" in _errors(resp)["landlord_phone"]
    resp = c.post(f"/grid/leases/{lease.pk}/edit/", _lease_post(lease, landlord_phone="555"))
    assert "房东电话" in _errors(resp)["landlord_phone"]
    resp = c.post(f"/grid/leases/{lease.pk}/edit/", _lease_post(lease, landlord_phone="13500135000"))
    assert resp.status_code == 302
    lease.refresh_from_db()
    assert lease.landlord_phone == "13500135000"
    assert _last_update("grid.rentallease", lease.pk).changes == {"landlord_phone": [LANDLORD_MASKED,
                                                                                      "135****5000"]}


def test_lease_update_service_clears_on_blank_and_keeps_on_none(personas, gdata):
    lease = _lease(gdata)
    kw = {"landlord_name": "房东甲", "tenants": list(lease.tenants.all()), "start_date": lease.start_date,
          "end_date": lease.end_date}
    services.lease_update(actor=personas.grid_worker, lease=lease, landlord_phone=None, **kw)
    assert RentalLease.objects.get(pk=lease.pk).landlord_phone == LANDLORD
    services.lease_update(actor=personas.grid_worker, lease=lease, landlord_phone=" ", **kw)
    lease = RentalLease.objects.get(pk=lease.pk)
    assert lease.landlord_phone == "" and lease.landlord_phone_hash is None
    assert _last_update("grid.rentallease", lease.pk).changes == {"landlord_phone": [LANDLORD_MASKED, ""]}
