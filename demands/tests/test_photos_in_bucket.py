"""A demand photo kept on object storage (a real S3 server, tests/s3_server.py) is still read only
through the demand's scoped, audited view: streamed by the application, or as a redirect to a
short-lived presigned URL (PRIVATE_MEDIA_SERVE=redirect) that the server refuses once it has expired."""

from __future__ import annotations

import time
import urllib.error
import urllib.request

import pytest

from audit.models import AuditEntry
from core.storage import PrivateS3Storage, PrivateStorage
from demands.models import DemandPhoto
from tests.s3_server import s3_server, s3rver_server  # noqa: F401 - the fixtures

from .conftest import png

pytestmark = pytest.mark.django_db


@pytest.fixture
def bucket(s3_server, settings, monkeypatch):  # noqa: F811
    """The deployment as it starts with DANGJIAN_S3_*: the photo field's storage is the bucket."""
    settings.PRIVATE_S3 = {k: v for k, v in s3_server.items() if k not in ("client", "env")}
    monkeypatch.setattr(DemandPhoto._meta.get_field("image"), "storage", PrivateStorage())
    return s3_server


def test_a_bucket_photo_is_streamed_only_through_the_scoped_view(bucket, make_demand, personas, client_for):
    d = make_demand(photos=[png()])
    p = d.photos.get()
    assert isinstance(p.image.storage, PrivateS3Storage)
    stored = bucket["client"].get_object(Bucket=bucket["bucket"], Key=p.image.name)["Body"].read()
    url = f"/demands/{d.pk}/photos/{p.pk}/"
    resp = client_for(personas.secretary).get(url)
    assert resp.status_code == 200 and resp["Content-Type"] == "image/jpeg" and resp.content == stored
    assert resp["Cache-Control"] == "private, no-store"
    assert AuditEntry.objects.filter(action="view_pii", object_id=str(d.pk), actor=personas.secretary,
                                     changes={"file": "诉求照片"}).count() == 1
    assert client_for(personas.west_secretary).get(url).status_code == 404
    assert client_for(personas.nobody).get(url).status_code == 403


def test_redirect_mode_hands_out_a_presigned_url_after_the_scope_check(bucket, make_demand, personas,
                                                                       client_for, settings):
    settings.PRIVATE_MEDIA_SERVE = "redirect"
    d = make_demand(photos=[png()])
    p = d.photos.get()
    url = f"/demands/{d.pk}/photos/{p.pk}/"
    resp = client_for(personas.secretary).get(url)
    assert resp.status_code == 302 and resp["Cache-Control"] == "private, no-store"
    target = resp["Location"]
    assert target.startswith(bucket["endpoint_url"]) and "X-Amz-Expires=60" in target
    with urllib.request.urlopen(target, timeout=10) as fetched:  # noqa: S310 - the local test server
        assert fetched.read()[:2] == b"\xff\xd8"  # the JPEG the upload was re-encoded to
        assert fetched.headers["Content-Type"] == "image/jpeg"
    assert AuditEntry.objects.filter(action="view_pii", object_id=str(d.pk), actor=personas.secretary).count() == 1
    # Out of scope: no URL at all.
    other = client_for(personas.west_secretary).get(url)
    assert other.status_code == 404 and "Location" not in other


def test_a_presigned_url_stops_working_when_its_lifetime_is_over(s3rver_server, make_demand, personas,  # noqa: F811
                                                                  client_for, settings, monkeypatch):
    """Against a server that checks expiry (s3rver, as MinIO and S3 do): the URL handed out after the scope
    check opens the photo within DANGJIAN_S3_URL_SECONDS and is refused after it, so a URL copied out of
    a browser's history or a log is worth nothing a few seconds later."""
    settings.PRIVATE_S3 = {k: v for k, v in s3rver_server.items() if k != "client"} | {"url_seconds": 2}
    settings.PRIVATE_MEDIA_SERVE = "redirect"
    monkeypatch.setattr(DemandPhoto._meta.get_field("image"), "storage", PrivateStorage())
    d = make_demand(photos=[png()])
    p = d.photos.get()
    resp = client_for(personas.secretary).get(f"/demands/{d.pk}/photos/{p.pk}/")
    assert resp.status_code == 302
    target = resp["Location"]
    assert "X-Amz-Expires=2&" in target or target.endswith("X-Amz-Expires=2")
    with urllib.request.urlopen(target, timeout=10) as fetched:  # noqa: S310 - the local test server
        assert fetched.read()[:2] == b"\xff\xd8"
    time.sleep(3.1)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(target, timeout=10)  # noqa: S310 - the local test server
    assert refused.value.code == 403 and b"Request has expired" in refused.value.read()
