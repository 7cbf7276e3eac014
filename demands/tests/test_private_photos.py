"""Demand photos: private storage, read only through the demand's scope, every read audited."""

from pathlib import Path

import pytest
from django.conf import settings

from audit.models import AuditEntry

from .conftest import png

pytestmark = pytest.mark.django_db


def test_demand_photo_only_through_the_scoped_view(make_demand, personas, client_for, client):
    d = make_demand(photos=[png()])
    p = d.photos.get()
    assert Path(settings.PRIVATE_MEDIA_ROOT) in Path(p.image.path).parents
    with pytest.raises(ValueError):
        p.image.url  # noqa: B018  (no public address)
    page = client_for(personas.secretary).get(f"/demands/{d.pk}/").content.decode()
    url = f"/demands/{d.pk}/photos/{p.pk}/"
    assert f'src="{url}"' in page and "/media/" not in page
    resp = client_for(personas.secretary).get(url)
    assert resp.status_code == 200 and resp["Content-Type"] == "image/jpeg"
    assert AuditEntry.objects.filter(action="view_pii", object_type="demands.demand", object_id=str(d.pk),
                                     actor=personas.secretary, changes={"file": "诉求照片"}).count() == 1
    assert client_for(personas.west_secretary).get(url).status_code == 404
    assert client_for(personas.nobody).get(url).status_code == 403  # no demand role at all
    assert client.get(url).status_code == 302  # anonymous: the login page
    # a photo id of another demand under a demand one may see: 404 too
    other = make_demand(photos=[png()])
    assert client_for(personas.secretary).get(f"/demands/{d.pk}/photos/{other.photos.get().pk}/").status_code == 404
