"""Co-building with the members app: deeds count against dual-registration quotas, the unit page
lists its dual-registered staff members, the shortfall list names members with no deed."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from cobuild import selectors, services
from cobuild.models import Activity
from orgs.models import OrgForm, OrgLevel, PartyOrg

mm = pytest.importorskip("members.models")
member_services = pytest.importorskip("members.services")
if not hasattr(member_services, "member_deed_record"):
    pytest.skip("members.services.member_deed_record not available", allow_module_level=True)

pytestmark = pytest.mark.django_db


def _member(org, unit_org, name):
    from core.idnumber import synthetic_id_number
    from core.pinyin import name_initials, name_pinyin

    born = date(1980, 5, 6)
    return mm.PartyMember.objects.create(
        name=name, name_pinyin=name_pinyin(name), name_initials=name_initials(name), gender="M", birth_date=born,
        id_number=synthetic_id_number(birth_date=born, gender="M"), mobile="13812345678",
        joined_on=date(2005, 7, 1), full_member_on=date(2006, 7, 1), status=mm.MemberStatus.FULL,
        category=mm.Category.EMPLOYED, org=org, unit_org=unit_org)


@pytest.fixture
def staff(personas, tree, units):
    org = PartyOrg.objects.create(name="县医院党总支", level=OrgLevel.RESIDENT_UNIT, form=OrgForm.GENERAL_BRANCH,
                                  region=tree.east1, host_name="县医院")
    services.unit_update(actor=personas.secretary, unit=units.a, name="县医院", kind=units.a.kind,
                         party_org=org, leader_name="院长", liaison=personas.liaison)
    zhao = _member(org, org, "赵六")
    qian = _member(org, org, "钱七")
    for m in (zhao, qian):
        mm.DualRegistration.objects.create(kind="member", member=m, unit_org=org, community=tree.east1,
                                           status=mm.Decision.CONFIRMED)
    units.a.refresh_from_db()
    return zhao, qian


def test_deed_participant_counted_in_members(personas, units, staff):
    zhao, qian = staff
    deed = services.deed_create(actor=personas.liaison, unit=units.a, activity=Activity.SERVICE,
                                date=timezone.localdate(), title="<b>义诊</b>",
                                participants=[{"name": "赵六", "hours": 2}, {"name": "外单位志愿者", "hours": 1}])
    linked = {p.name: p.member_id for p in deed.participants.all()}
    assert linked == {"赵六": zhao.pk, "外单位志愿者": None}
    md = mm.MemberDeed.objects.get(member=zhao)
    assert md.source_type == "cobuild.deed" and md.source_id == str(deed.pk) and md.hours == 2
    lines = {m.name: m for m in selectors.member_lines(personas.secretary, timezone.localdate().year)}
    assert not lines["赵六"].short and lines["钱七"].short and lines["钱七"].deeds == 0


def test_unit_page_lists_dual_registered_staff(client_for, personas, units, staff):
    html = client_for(personas.liaison).get(reverse("cobuild:unit", args=[units.a.pk])).content.decode()
    assert "在职党员双报到" in html and "赵六" in html and "钱七" in html
    html_b = client_for(personas.secretary).get(reverse("cobuild:unit", args=[units.b.pk])).content.decode()
    assert "赵六" not in html_b
