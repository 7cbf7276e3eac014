"""Open311 GeoReport v2, driven by the published `georeport` client from PyPI over HTTP against
the live server (JSON and XML), with the request POSTed form-encoded with an api_key as the
spec describes (the client has no POST method)."""

import pytest
import requests
import xmltodict
from georeport import GeoReport

from demands import services
from demands.models import Demand

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def base(live_server):
    return live_server.url + "/open311/v2"


def test_georeport_client_lists_services_and_reads_requests(base, api_key, personas, tree):
    client = GeoReport(base)
    services_json = client.get_service_list()
    codes = {s["service_code"] for s in services_json}
    assert {"convenience", "sanitation"} <= codes
    conv = next(s for s in services_json if s["service_code"] == "convenience")
    assert conv["service_name"] == "便民服务" and conv["metadata"] is False and conv["type"] == "realtime"
    definition = client.get_service_definition("convenience")
    assert definition == {"service_code": "convenience", "attributes": []}

    # POST as the spec describes: form-encoded, with the api_key.
    r = requests.post(f"{base}/requests.json", data={
        "api_key": api_key.key, "service_code": "sanitation", "lat": "46.9931", "long": "89.5231",
        "address_string": "文化东路 12 号", "description": "垃圾桶满溢\n已经两天", "first_name": "伟",
        "last_name": "王", "phone": "13812345678", "email": "a@example.com",
    })
    assert r.status_code == 201 and r.headers["Content-Type"].startswith("application/json")
    rid = r.json()[0]["service_request_id"]
    d = Demand.objects.get(tracking_code=rid)
    assert d.channel == "open311" and d.region == tree.district and d.caller_phone == "13812345678"

    one = client.get_service_request(rid)
    assert one["service_request_id"] == rid and one["status"] == "open" and one["service_code"] == "sanitation"
    assert one["lat"] == pytest.approx(46.9931) and one["long"] == pytest.approx(89.5231)
    listed = client.get_service_requests(service_code="sanitation", status="open")
    assert [x["service_request_id"] for x in listed] == [rid]
    # No personal data on the public side.
    for payload in (requests.get(f"{base}/requests.json").text, requests.get(f"{base}/requests.xml").text):
        assert "13812345678" not in payload and "王" not in payload and "example.com" not in payload
        assert "138****" not in payload

    xml_client = GeoReport(base, output_format="xml")
    xml_services = xml_client.get_service_list()
    assert {s["service_code"] for s in xml_services} == codes
    xml_one = xml_client.get_service_request(rid)
    assert xml_one["service_request_id"] == rid and xml_one["status"] == "open"
    assert xml_client.get_service_definition("convenience")["service_code"] == "convenience"

    # Handling closes it publicly; the status filter follows.
    services.demand_transition(actor=personas.district_admin, demand=d, action="dispatch",
                               target_region=tree.east1_grid1)
    services.demand_transition(actor=personas.grid_worker, demand=d, action="handle", note="已清运")
    assert client.get_service_request(rid)["status"] == "closed"
    assert client.get_service_requests(status="open") == []
    assert requests.get(f"{base}/tokens/{rid}.json").json() == [{"service_request_id": rid, "token": rid}]


def test_open311_errors_in_the_spec_format(base, api_key):
    r = requests.post(f"{base}/requests.json", data={"service_code": "convenience", "lat": "1", "long": "2"})
    assert r.status_code == 403 and r.json()[0]["code"] == 403 and "api_key" in r.json()[0]["description"]
    r = requests.post(f"{base}/requests.json", data={"api_key": "wrong", "service_code": "convenience"})
    assert r.status_code == 403
    r = requests.post(f"{base}/requests.json", data={"api_key": api_key.key, "service_code": "nope", "lat": "1",
                                                     "long": "2"})
    assert r.status_code == 400 and "not found" in r.json()[0]["description"]
    r = requests.post(f"{base}/requests.xml", data={"api_key": api_key.key, "service_code": "sanitation"})
    assert r.status_code == 400
    err = xmltodict.parse(r.content)["errors"]["error"]
    assert err["code"] == "400" and "location" in err["description"]
    r = requests.get(f"{base}/requests/NOSUCHID.json")
    assert r.status_code == 404
    assert r.json() == [{"code": 404, "description": "service_request_id 'NOSUCHID' not found"}]
    assert requests.get(f"{base}/services/nope.xml").status_code == 404
    assert requests.get(f"{base}/tokens/nope.json").status_code == 404
    r = requests.get(f"{base}/requests.json", params={"start_date": "yesterday"})
    assert r.status_code == 400
    r = requests.get(f"{base}/requests.json", params={"status": "pending"})
    assert r.status_code == 400
    assert Demand.objects.count() == 0
