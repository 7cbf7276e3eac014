"""Issue 13: the public id (Open311 service_request_id) and the resident's secret 查询码 are different
values; acting as the resident (rating, which closes or reopens; adding information) needs the secret,
is rate limited and audited with the channel. ID and mobile numbers typed into free text are stored
masked and never published."""

import importlib
import json
from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from core.idnumber import synthetic_id_number
from demands import services
from demands.models import Demand, State

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _handled(personas, tree, **kw):
    d = services.demand_create(actor=personas.secretary, channel="hotline", category="convenience",
                               region=tree.east1, title="楼道灯不亮", description=kw.pop("description", "灯坏了"),
                               caller_phone="13812345678", **kw)
    d = services.demand_transition(actor=personas.secretary, demand=d, action="dispatch",
                                   target_region=tree.east1_grid1)
    return services.demand_transition(actor=personas.grid_worker, demand=d, action="handle", note="已修")


def test_the_open311_feed_never_shows_the_secret(personas, tree, client):
    d = _handled(personas, tree)
    assert d.secret_code and d.secret_code != d.tracking_code
    feed = client.get("/open311/v2/requests.json").content.decode()
    one = client.get(f"/open311/v2/requests/{d.tracking_code}.json").content.decode()
    assert d.tracking_code in feed and d.tracking_code in one
    assert d.secret_code not in feed + one
    assert client.get(f"/open311/v2/tokens/{d.secret_code}.json").status_code == 404
    api = Client()
    api.force_login(personas.secretary)
    assert d.secret_code not in api.get("/api/demands/").content.decode()


def test_a_stranger_with_the_public_id_cannot_rate_close_or_reopen(personas, tree, client):
    d = _handled(personas, tree)
    public_id = json.loads(client.get("/open311/v2/requests.json").content)[0]["service_request_id"]
    assert public_id == d.tracking_code
    client.get(reverse("portal:track"), {"code": public_id})  # the public id opens the progress page only
    page = client.get(reverse("portal:demand", args=[public_id])).content.decode()
    assert 'id="rate-form"' not in page and "输入查询码" in page
    for rating in ("satisfied", "unsatisfied"):  # close, or reopen
        r = client.post(reverse("portal:rate", args=[public_id]), {"rating": rating, "note": "冒充"})
        assert r.status_code == 403 and "查询码" in r.content.decode()
    r = client.post(reverse("portal:add_info", args=[public_id]), {"note": "冒充补充"})
    assert r.status_code == 403
    d.refresh_from_db()
    assert d.state == State.HANDLED and d.satisfaction == "" and not d.events.filter(action="add_info").exists()
    # The service itself refuses a resident's action without the right secret.
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.demand_rate(actor=None, demand=d, rating="satisfied", secret=d.tracking_code)
    assert "查询码不正确" in exc.value.message_dict["secret"][0]


def test_the_resident_with_the_secret_rates_and_it_is_audited_with_the_channel(personas, tree, client):
    d = _handled(personas, tree)
    r = client.get(reverse("portal:track"), {"code": d.secret_code.lower()})
    assert r.status_code == 302 and r["Location"] == reverse("portal:demand", args=[d.tracking_code])
    assert d.secret_code not in r["Location"]
    page = client.get(r["Location"]).content.decode()
    assert 'id="rate-form"' in page and d.secret_code not in page
    r = client.post(reverse("portal:rate", args=[d.tracking_code]), {"rating": "satisfied"})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.state == State.CLOSED
    entry = AuditEntry.objects.get(object_type="demands.demand", object_id=str(d.pk), action="transition",
                                   changes__satisfaction=[None, "satisfied"])
    assert entry.changes["channel"] == "portal" and entry.actor is None


def test_guessing_secrets_is_rate_limited(personas, tree, client):
    d = _handled(personas, tree)
    for i in range(20):
        assert client.get(reverse("portal:track"), {"code": f"WRONG{i:07d}"}).status_code == 404
    r = client.get(reverse("portal:track"), {"code": d.secret_code})  # even the right one, for now
    assert r.status_code == 429 and "频繁" in r.content.decode()


def test_the_submitter_gets_the_secret_once_and_may_act_at_once(tree, client):
    r = client.post(reverse("portal:submit"), {"category": "convenience", "community": tree.east1.pk,
                                               "title": "路灯坏了", "description": "请修理"})
    d = Demand.objects.get()
    page = r.content.decode()
    assert d.secret_code in page and d.tracking_code in page
    assert client.post(reverse("portal:add_info", args=[d.tracking_code]), {"note": "晚上更暗"}).status_code == 302
    assert Client().post(reverse("portal:add_info", args=[d.tracking_code]), {"note": "x"}).status_code == 403
    assert d.secret_code not in client.get(reverse("portal:demand", args=[d.tracking_code])).content.decode()


def test_id_and_mobile_in_free_text_are_stored_masked_and_never_published(personas, tree, client, api_key):

    id_number = synthetic_id_number(birth_date=date(1985, 3, 2), gender="F")
    typed = f"我的身份证号{id_number}，电话 139-0011-2233，请回电"
    r = client.post("/open311/v2/requests.json", {"api_key": api_key.key, "service_code": "convenience",
                                                  "address_string": "文化路 1 号", "description": typed})
    assert r.status_code == 201
    d = Demand.objects.get(tracking_code=r.json()[0]["service_request_id"])
    assert id_number not in d.description and "13900112233" not in d.description
    assert d.description == f"我的身份证号{id_number[:6]}********{id_number[-4:]}，电话 139****2233，请回电"
    assert d.description_full == typed  # kept encrypted for staff who may see it
    assert id_number not in d.title and "0011" not in d.title
    # A staff reply shown on the portal, and the resident's added information: masked too.
    d = services.demand_transition(actor=personas.district_admin, demand=d, action="dispatch",
                                   target_region=tree.east1_grid1)
    services.demand_transition(actor=personas.grid_worker, demand=d, action="handle",
                               note="已联系 13900112233 上门处理")
    services.demand_add_info(actor=None, demand=d, note=f"补充：身份证 {id_number}", secret=d.secret_code)
    published = (client.get("/open311/v2/requests.json").content.decode()
                 + client.get("/open311/v2/requests.xml").content.decode()
                 + client.get(reverse("portal:demand", args=[d.tracking_code])).content.decode())
    assert id_number not in published and "13900112233" not in published and "0011-2233" not in published
    assert "139****2233" in published
    # Staff see it masked; the original only by stating a purpose, audited.
    staff = Client()
    staff.force_login(personas.district_admin)
    assert id_number not in staff.get(f"/demands/{d.pk}/").content.decode()
    shown = staff.post(f"/demands/{d.pk}/phone/", {"purpose": "回电核实"}).content.decode()
    assert id_number in shown
    entry = AuditEntry.objects.get(action="view_pii", object_id=str(d.pk), purpose="回电核实")
    assert entry.changes == {"fields": ["caller_phone", "description_full"]}


def test_the_migration_gives_existing_demands_a_secret_and_masks_their_text(personas, tree):
    from django.apps import apps

    d = _handled(personas, tree)
    Demand.objects.filter(pk=d.pk).update(secret_code="", secret_code_hash=None,
                                          description="电话13812345678", description_full="")
    migration = importlib.import_module("demands.migrations.0006_demand_secret_code")
    migration.forwards(apps, None)
    d = Demand.objects.get(pk=d.pk)
    assert d.secret_code and d.secret_code != d.tracking_code and d.secret_code_hash
    assert d.description == "电话138****5678" and d.description_full == "电话13812345678"
    assert "13812345678" not in "".join(d.events.values_list("note", flat=True))
