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
    inflow = MobileRecord.objects.filter(destination_org__isnull=False)  # both sides of 流动党员
    assert inflow.count() == 3 and all(r.destination_org != r.origin_org and r.registered_on for r in inflow)
    assert inflow.filter(destination_org__name__startswith="库额尔齐斯镇文化东路社区").exists()
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


def test_demo_join_dates_and_ages_look_like_life():
    """Members join mostly between 18 and 40; retirees joined when young; few joined recently."""
    from django.utils import timezone

    load_foundation()
    load()
    today = timezone.localdate()
    rows = list(PartyMember.objects.filter(org__level=OrgLevel.COMMUNITY))

    def join_age(m):
        return m.joined_on.year - m.birth_date.year - ((m.joined_on.month, m.joined_on.day)
                                                       < (m.birth_date.month, m.birth_date.day))

    ages = [join_age(m) for m in rows]
    assert min(ages) >= 18 and sum(18 <= a <= 40 for a in ages) >= 0.85 * len(rows)
    retirees = [m for m in rows if m.category == "retired"]
    assert sum(join_age(m) > 55 for m in retirees) == 0
    recent = sum(m.joined_on.year >= today.year - 4 for m in rows)
    assert 15 <= recent <= 40  # about five new members a year, not half the registry
    assert all(m.joined_on <= today and (m.full_member_on is None) == (m.status == "probationary") for m in rows)
