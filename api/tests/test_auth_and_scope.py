"""Every API operation, called without credentials, answers 401 with `WWW-Authenticate` (not 403); and the
weakest role (a party member) and the wrong one (another community's secretary) get 403/404 for objects
outside their scope, through the API, never their data."""

from __future__ import annotations

import re

import pytest

from .seed import seed
from .test_schema_contract import _token

pytestmark = pytest.mark.django_db


def _operations(client_for, personas) -> list[tuple[str, str]]:
    schema = client_for(personas.district_admin).get("/api/schema/?format=json").json()
    return [(method.upper(), path) for path, item in schema["paths"].items() for method in item
            if method in ("get", "post", "put", "patch", "delete")]


def test_unauthenticated_calls_answer_401_with_www_authenticate(client, client_for, tree, personas):
    ids = seed(tree, personas).inside
    operations = _operations(client_for, personas)
    assert len(operations) >= 40
    checked = 0
    for method, path in operations:
        if path == "/api/auth/token/":
            continue  # the one open operation: it hands out tokens
        prefix = path.removeprefix("/api/").split("/{id}")[0]
        url = path.replace("{id}", str(ids.get(prefix, tree.east1.pk)))
        for headers in ({}, {"HTTP_AUTHORIZATION": "Token 0123456789abcdef0123456789abcdef01234567"}):
            r = client.generic(method, url, **headers)
            assert r.status_code == 401, (method, url, headers, r.status_code)
            assert r["WWW-Authenticate"] == 'Token realm="api"', url
            detail = r.json()["detail"]
            assert re.search(r"[\u4e00-\u9fff]", detail), detail  # a Chinese message
            checked += 1
    assert checked >= 2 * 40


def test_an_expired_token_answers_401_with_the_reason(client, personas):
    from datetime import timedelta

    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    key = _token(client, "secretary")
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(days=30))
    r = client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert r.status_code == 401 and r["WWW-Authenticate"] == 'Token realm="api"'
    assert r.json()["detail"] == "令牌已过期，请重新获取"


@pytest.mark.parametrize("who", ["member", "west_secretary"])
def test_weakest_and_wrong_role_get_no_data_outside_their_scope(who, client, tree, personas):
    seeded = seed(tree, personas)
    # The member belongs to 东一社区: 西一社区's objects are outside. The west secretary: 东一社区's are.
    outside = seeded.outside if who == "member" else seeded.inside
    auth = {"HTTP_AUTHORIZATION": f"Token {_token(client, who)}"}
    refused = {}
    for prefix, pk in outside.items():
        if prefix == "audit":
            continue
        detail = client.get(f"/api/{prefix}/{pk}/", **auth)
        assert detail.status_code in (403, 404), (prefix, detail.status_code, detail.content[:300])
        assert set(detail.json()) == {"detail"}, prefix  # an error, never the object
        refused[prefix] = detail.status_code
        listing = client.get(f"/api/{prefix}/?page_size=500", **auth)
        assert listing.status_code in (200, 403), prefix
        if listing.status_code == 200:
            assert pk not in [row["id"] for row in listing.json()["results"]], prefix
    for sub in ("children", "descendants"):
        r = client.get(f"/api/regions/{outside['regions']}/{sub}/", **auth)
        assert r.status_code in (403, 404) and set(r.json()) == {"detail"}
    roots = client.get("/api/regions/roots/", **auth)
    assert roots.status_code in (200, 403)
    if roots.status_code == 200:
        assert outside["regions"] not in [row["id"] for row in roots.json()]
    audit = client.get(f"/api/audit/{seeded.inside['audit']}/", **auth)
    assert audit.status_code == 403 and set(audit.json()) == {"detail"}
    assert len(refused) >= 17
    if who == "west_secretary":
        # A secretary reads their own community: the refusals above are about scope, not the role.
        own = client.get(f"/api/demands/{seeded.outside['demands']}/", **auth)
        assert own.status_code == 200 and own.json()["region"] == tree.west1.pk
        assert refused["demands"] == 404
