"""Visit photos: private storage, unguessable names, read only through the scoped, audited view."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import AuditEntry
from grid import services
from grid.tests.conftest import png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(personas, gdata):
    hh = gdata.households["g11"][0]
    visit = services.visit_log(actor=personas.grid_worker, household=hh, visited_at=timezone.now(), findings="正常",
                               photos=[SimpleUploadedFile("a.png", png_bytes(), "image/png")])
    return visit.photos.get()


def test_visit_photo_is_stored_privately_under_a_random_name(photo):
    stored = Path(photo.image.path)
    assert stored.is_file() and Path(settings.PRIVATE_MEDIA_ROOT) in stored.parents
    assert not str(stored).startswith(str(settings.MEDIA_ROOT))
    # nothing to guess from the visit: 32 random hex digits, not "v<visit id>.jpg"
    assert f"v{photo.visit_id}" not in stored.name and len(stored.stem) == 32
    with pytest.raises(ValueError):
        photo.image.url  # noqa: B018  (no public address at all)


def test_visit_photo_only_in_scope_and_every_read_audited(photo, personas, client_for, client):
    url = f"/grid/photos/{photo.pk}/"
    resp = client_for(personas.grid_worker).get(url)
    assert resp.status_code == 200 and resp.content[:3] == b"\xff\xd8\xff"
    assert resp["Cache-Control"] == "private, no-store" and resp["Content-Type"] == "image/jpeg"
    entry = AuditEntry.objects.get(action="view_pii", object_type="grid.visit", object_id=str(photo.visit_id))
    assert entry.actor == personas.grid_worker and entry.changes == {"file": "走访照片"}
    # another community's secretary, another grid's worker: as if it did not exist
    assert client_for(personas.west_secretary).get(url).status_code == 404
    assert client_for(personas.other_grid_worker).get(url).status_code == 404
    # anonymous: the login page, never the photo
    anon = client.get(url)
    assert anon.status_code == 302 and anon["Location"].startswith("/accounts/login/")
    assert AuditEntry.objects.filter(action="view_pii", object_type="grid.visit").count() == 1


def test_the_proxy_can_send_the_file(photo, personas, client_for, settings):
    settings.PRIVATE_MEDIA_SERVE = "x-accel-redirect"
    resp = client_for(personas.grid_worker).get(f"/grid/photos/{photo.pk}/")
    assert resp.status_code == 200 and resp.content == b""
    assert resp["X-Accel-Redirect"] == "/_private/" + photo.image.name
    settings.PRIVATE_MEDIA_SERVE = "x-sendfile"
    resp = client_for(personas.grid_worker).get(f"/grid/photos/{photo.pk}/")
    assert resp.status_code == 200 and resp["X-Sendfile"] == photo.image.path
    # out of scope: no header, no file
    resp = client_for(personas.west_secretary).get(f"/grid/photos/{photo.pk}/")
    assert resp.status_code == 404 and "X-Sendfile" not in resp
