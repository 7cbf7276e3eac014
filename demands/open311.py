"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2): services, service definitions,
requests (GET and form-encoded POST with an api_key), one request, tokens; JSON and XML; errors
as `[{"code": 400, "description": "..."}]` / `<errors><error>…</error></errors>`.

The public side shows no personal data: names, phones and e-mails given in a POST are kept
(phone encrypted) but never returned. `service_request_id` is the demand's unguessable
tracking code; it doubles as the token (requests are created synchronously)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from .models import OPEN_STATES, ApiKey, Category, Channel, Demand, State
from .services import demand_create

MAX_RESULTS = 1000
DEFAULT_DAYS = 90


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description


def _fmt(fmt: str) -> str:
    if fmt not in ("json", "xml"):
        raise Open311Error(404, f"format '{fmt}' not supported: use json or xml")
    return fmt


def _xml(root_tag: str, item_tag: str, items: list[dict]) -> bytes:
    root = ET.Element(root_tag)
    for item in items:
        el = ET.SubElement(root, item_tag)
        for key, value in item.items():
            child = ET.SubElement(el, key)
            if isinstance(value, list):
                for v in value:
                    sub = ET.SubElement(child, "value" if not isinstance(v, dict) else "attribute")
                    if isinstance(v, dict):
                        for k2, v2 in v.items():
                            text = str(v2).lower() if isinstance(v2, bool) else str(v2)
                            ET.SubElement(sub, k2).text = "" if v2 is None else text
                    else:
                        sub.text = str(v)
            elif value is not None:
                child.text = str(value).lower() if isinstance(value, bool) else str(value)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8")


def _respond(fmt: str, data, root_tag: str, item_tag: str, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        items = data if isinstance(data, list) else [data]
        if isinstance(data, dict) and root_tag == "service_definition":
            root = ET.Element("service_definition")
            ET.SubElement(root, "service_code").text = data["service_code"]
            attrs = ET.SubElement(root, "attributes")
            for a in data["attributes"]:
                at = ET.SubElement(attrs, "attribute")
                for k, v in a.items():
                    ET.SubElement(at, k).text = str(v).lower() if isinstance(v, bool) else str(v)
            body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8")
        else:
            body = _xml(root_tag, item_tag, items)
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _error(fmt: str, status: int, description: str) -> HttpResponse:
    fmt = fmt if fmt in ("json", "xml") else "json"
    return _respond(fmt, [{"code": status, "description": description}], "errors", "error", status=status)


def _handle(fn):
    def view(request, *args, fmt="json", **kwargs):
        try:
            return fn(request, *args, fmt=_fmt(fmt), **kwargs)
        except Open311Error as exc:
            return _error(fmt, exc.status, exc.description)
    view.__name__ = fn.__name__
    return view


def _service(c: Category) -> dict:
    return {
        "service_code": c.code, "service_name": c.name, "description": c.description or c.name,
        "metadata": False, "type": "realtime", "keywords": "", "group": c.group,
    }


@_handle
def services(request, fmt):
    return _respond(fmt, [_service(c) for c in Category.objects.filter(active=True)], "services", "service")


@_handle
def service_definition(request, code, fmt):
    c = Category.objects.filter(code=code, active=True).first()
    if c is None:
        raise Open311Error(404, f"service_code '{code}' not found")
    return _respond(fmt, {"service_code": c.code, "attributes": []}, "service_definition", "attribute")


def _iso(dt):
    return timezone.localtime(dt).isoformat(timespec="seconds") if dt else None


def _request_row(d: Demand) -> dict:
    notes = {State.HANDLED: "已办结", State.FOLLOW_UP: "已办结，回访中", State.CLOSED: "已关闭"}.get(d.state, "")
    return {
        "service_request_id": d.tracking_code,
        "status": d.public_status,
        "status_notes": notes or d.get_state_display(),
        "service_name": d.category.name,
        "service_code": d.category.code,
        "description": d.description,
        "agency_responsible": d.region.name,
        "service_notice": "",
        "requested_datetime": _iso(d.submitted_at),
        "updated_datetime": _iso(d.updated_at),
        "expected_datetime": _iso(d.handling_due),
        "address": d.address,
        "address_id": "",
        "zipcode": "",
        "lat": d.lat,
        "long": d.lng,
        "media_url": "",
    }


def _parse_date(value: str, name: str) -> datetime:
    dt = parse_datetime(value.replace(" ", "+")) if value else None
    if dt is None:
        raise Open311Error(400, f"{name} must be a w3c datetime, e.g. 2010-01-01T00:00:00Z")
    return dt if timezone.is_aware(dt) else timezone.make_aware(dt)


@csrf_exempt
@_handle
def requests_view(request, fmt):
    if request.method == "POST":
        return _post_request(request, fmt)
    if request.method != "GET":
        raise Open311Error(400, "method not allowed: use GET or POST")
    qs = Demand.objects.select_related("category", "region").order_by("-submitted_at")
    g = request.GET
    if g.get("service_request_id"):
        ids = [i.strip().upper() for i in g["service_request_id"].split(",") if i.strip()][:MAX_RESULTS]
        return _respond(fmt, [_request_row(d) for d in qs.filter(tracking_code__in=ids)], "service_requests", "request")
    if g.get("service_code"):
        codes = [c.strip() for c in g["service_code"].split(",") if c.strip()]
        qs = qs.filter(category__code__in=codes)
    now = timezone.now()
    start = _parse_date(g["start_date"], "start_date") if g.get("start_date") else None
    end = _parse_date(g["end_date"], "end_date") if g.get("end_date") else None
    if start and end and start > end:
        raise Open311Error(400, "start_date must not be after end_date")
    if start and end and end - start > timedelta(days=DEFAULT_DAYS):
        raise Open311Error(400, "the date range may not span more than 90 days")
    if not start and not end:
        start = now - timedelta(days=DEFAULT_DAYS)
    elif start and not end:
        end = start + timedelta(days=DEFAULT_DAYS)
    elif end and not start:
        start = end - timedelta(days=DEFAULT_DAYS)
    qs = qs.filter(submitted_at__gte=start)
    if end:
        qs = qs.filter(submitted_at__lte=end)
    if g.get("status"):
        statuses = {s.strip().lower() for s in g["status"].split(",")}
        if not statuses <= {"open", "closed"}:
            raise Open311Error(400, "status must be open or closed")
        if statuses == {"open"}:
            qs = qs.filter(state__in=OPEN_STATES)
        elif statuses == {"closed"}:
            qs = qs.exclude(state__in=OPEN_STATES)
    return _respond(fmt, [_request_row(d) for d in qs[:MAX_RESULTS]], "service_requests", "request")


def _post_request(request, fmt):
    try:
        data = request.POST
    except RequestDataTooBig:
        raise Open311Error(400, "request body too large (limit 10 MB)") from None
    key = (data.get("api_key") or "").strip()
    api_key = ApiKey.objects.select_related("region").filter(key=key, active=True).first() if key else None
    if api_key is None:
        raise Open311Error(403, "api_key is missing or invalid")
    code = (data.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, "service_code is required")
    if not Category.objects.filter(code=code, active=True).exists():
        raise Open311Error(400, f"service_code '{code}' not found")
    lat, lng = data.get("lat"), data.get("long")
    address = (data.get("address_string") or "").strip()
    if not ((lat and lng) or address or data.get("address_id")):
        raise Open311Error(400, "a location is required: lat and long, address_string or address_id")
    description = data.get("description") or ""
    name = " ".join(x for x in [data.get("last_name", ""), data.get("first_name", "")] if x).strip()
    try:
        d = demand_create(
            actor=None, channel=Channel.OPEN311, category=code, region=api_key.region,
            title=(description.strip().splitlines() or [""])[0][:60] or code, description=description,
            address=address, lat=lat or None, lng=lng or None, caller_name=name[:50],
            caller_phone=data.get("phone", ""), anonymous=not (name or data.get("phone")),
        )
    except ValidationError as exc:
        msgs = exc.message_dict if hasattr(exc, "error_dict") else {"request": exc.messages}
        raise Open311Error(400, "; ".join(f"{k}: {' '.join(v)}" for k, v in msgs.items())) from None
    row = {"service_request_id": d.tracking_code, "service_notice": "", "account_id": None}
    return _respond(fmt, [row], "service_requests", "request", status=201)


@_handle
def request_detail(request, rid, fmt):
    d = Demand.objects.select_related("category", "region").filter(tracking_code=rid.upper()).first()
    if d is None:
        raise Open311Error(404, f"service_request_id '{rid}' not found")
    return _respond(fmt, [_request_row(d)], "service_requests", "request")


@_handle
def token(request, tok, fmt):
    d = Demand.objects.filter(tracking_code=tok.upper()).first()
    if d is None:
        raise Open311Error(404, f"token '{tok}' not found")
    return _respond(fmt, [{"service_request_id": d.tracking_code, "token": d.tracking_code}],
                    "service_requests", "request")


def discovery(request):
    base = request.build_absolute_uri("/open311/v2/")
    return JsonResponse({
        "changeset": "2026-01-01T00:00:00Z", "contact": "", "key_service": "",
        "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": base,
                       "changeset": "2026-01-01T00:00:00Z", "type": "production",
                       "formats": ["application/json", "text/xml"]}],
    })
