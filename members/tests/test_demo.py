"""The demo step: the seed county's 398 members with categories, dues, mobility and pending work."""

import io

import pytest
from django.db.models import Count
from django.urls import reverse
from PIL import Image

from audit.models import AuditEntry
from members.demo import load
from members.models import Decision, DualRegistration, DuesPayment, MobileRecord, PartyMember, Transfer
from orgs.demo import load as load_foundation
from orgs.models import OrgLevel

pytestmark = pytest.mark.django_db


def test_demo_members():
    load_foundation()
    load()
    in_communities = PartyMember.objects.filter(org__level=OrgLevel.COMMUNITY)
    assert in_communities.count() == 398
    assert in_communities.values("org").distinct().count() == 8
    cats = dict(in_communities.values_list("category").annotate(n=Count("id")))
    assert cats["retired"] > cats["employed"] > 0 and cats["mobile"] == 8
    assert DuesPayment.objects.count() > 3000
    assert MobileRecord.objects.count() == 8
    assert Transfer.objects.filter(status=Decision.PENDING, batch__isnull=False).count() == 10
    assert DualRegistration.objects.filter(status=Decision.PENDING).exists()
    assert PartyMember.objects.get(user__username="dangyuan").name == "张建国"


def test_demo_party_member_has_a_drawn_photo_in_private_storage(client, settings):
    load_foundation()
    load()
    zjg = PartyMember.objects.select_related("user").get(user__username="dangyuan")
    assert zjg.photo.name.startswith("members/photos/") and zjg.photo.name.endswith(".jpg")
    stored = zjg.photo.path  # private storage (PRIVATE_MEDIA_ROOT), never under MEDIA_ROOT
    assert stored.startswith(str(settings.PRIVATE_MEDIA_ROOT)) and not stored.startswith(str(settings.MEDIA_ROOT))
    assert PartyMember.objects.exclude(photo="").count() == 1
    assert AuditEntry.objects.filter(object_type="members.partymember", object_id=str(zjg.pk),
                                     changes__photo=["无照片", "已上传照片"]).exists()
    client.force_login(zjg.user)
    url = reverse("members:my_photo")
    assert url == "/members/me/photo/"
    resp = client.get(url)
    assert resp.status_code == 200 and resp["Content-Type"] == "image/jpeg"
    assert resp["Cache-Control"] == "private, no-store"
    with Image.open(io.BytesIO(resp.content)) as img:
        assert img.format == "JPEG" and img.size == (360, 480)
    me = client.get(reverse("members:me")).content.decode()
    assert 'src="/members/me/photo/?v=' in me
