"""Co-building deed photos and agreement scans: private, scoped, audited."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import AuditEntry
from cobuild import services
from cobuild.models import Activity

from .test_services import png

pytestmark = pytest.mark.django_db


def test_deed_photo_and_agreement_scan_only_in_scope(personas, units, client_for, client):
    deed = services.deed_create(actor=personas.liaison, unit=units.a, activity=Activity.SERVICE,
                                date=timezone.localdate(), title="义诊", photos=[png()],
                                participants=[{"name": "张三", "hours": 2}])
    ph = deed.photos.get()
    with pytest.raises(ValueError):
        ph.image.url  # noqa: B018
    a = services.agreement_attach_document(actor=personas.secretary, agreement=units.agreement_a,
                                           document=SimpleUploadedFile("协议.pdf", b"%PDF-1.4 test", "application/pdf"))
    sec = client_for(personas.secretary)
    page = sec.get(f"/cobuild/deeds/{deed.pk}/").content.decode()
    photo_url = f"/cobuild/deeds/{deed.pk}/photos/{ph.pk}/"
    assert photo_url in page and "/media/" not in page
    assert sec.get(photo_url).status_code == 200
    doc_url = f"/cobuild/agreements/{a.pk}/document.file"
    assert doc_url in sec.get(f"/cobuild/agreements/{a.pk}/").content.decode()
    resp = sec.get(doc_url)
    assert resp.status_code == 200 and resp.content == b"%PDF-1.4 test"
    assert resp["Content-Type"] == "application/pdf"
    assert AuditEntry.objects.filter(action="view_pii", actor=personas.secretary).count() == 2
    west = client_for(personas.west_secretary)
    assert west.get(photo_url).status_code == 404 and west.get(doc_url).status_code == 404
    assert client.get(photo_url).status_code == 302 and client.get(doc_url).status_code == 302
