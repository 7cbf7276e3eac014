"""委员制 (member units and part-time members with terms), owners' committees and property firms with
cross-appointments and their counts per community, social organizations incubated with their Party
organization (双孵化)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cobuild.models import Agreement, ResidentUnit, UnitKind
from network import selectors, services
from network.models import CommitteeKind, CommitteeMember, CompoundBodyKind, IncubationStage, SocialOrgStage
from orgs.models import OrgForm, OrgLevel, PartyOrg

from .conftest import today

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(tree):
    hospital = ResidentUnit.objects.create(name="县人民医院", kind=UnitKind.INSTITUTION, region=tree.east1)
    school = ResidentUnit.objects.create(name="县第一中学", kind=UnitKind.INSTITUTION, region=tree.east2)
    return hospital, school


def test_a_term_ending_before_it_starts_is_refused(tree, personas, units):
    c = services.committee_create(actor=personas.street_staff, region=tree.east, kind=CommitteeKind.COORDINATION)
    with pytest.raises(ValidationError) as exc:
        services.committee_member_add(actor=personas.street_staff, committee=c, person_name="刘院长",
                                      unit_post="党委书记", unit=units[0], unit_community=tree.east1,
                                      term_start=date(2025, 3, 1), term_end=date(2024, 3, 1))
    assert exc.value.message_dict["term_end"] == ["任期结束日期（2024-03-01）不能早于任期开始日期（2025-03-01）"]
    assert not CommitteeMember.objects.exists()


def test_a_resident_unit_member_names_the_unit_and_the_community_it_serves(tree, personas, units):
    hospital, school = units
    c = services.committee_create(actor=personas.street_staff, region=tree.east, kind=CommitteeKind.COORDINATION)
    assert c.name == "东街道社区党建协调委员会"
    with pytest.raises(ValidationError) as exc:
        services.committee_member_add(actor=personas.street_staff, committee=c, person_name="刘院长",
                                      unit_post="党委书记", unit=hospital, term_start=date(2025, 3, 1))
    assert "须注明" in exc.value.message_dict["unit_community"][0]
    with pytest.raises(ValidationError) as exc:
        services.committee_member_add(actor=personas.street_staff, committee=c, person_name="刘院长",
                                      unit_post="党委书记", unit=hospital, unit_community=tree.east2,
                                      term_start=date(2025, 3, 1))
    assert "县人民医院不是东二社区的共建单位" in exc.value.message_dict["unit"][0]
    # One unit serving a second community through an agreement with it.
    Agreement.objects.create(unit=hospital, region=tree.east2, title="共建协议", start=date(2025, 1, 1),
                             end=date(2027, 12, 31))
    m = services.committee_member_add(actor=personas.street_staff, committee=c, person_name="刘院长",
                                      unit_post="党委书记", unit=hospital, unit_community=tree.east2,
                                      term_start=date(2025, 3, 1), term_end=date(2028, 2, 28))
    assert (m.unit, m.unit_community, m.org_name) == (hospital, tree.east2, "县人民医院")
    with pytest.raises(ValidationError):  # not under 东街道
        services.committee_member_add(actor=personas.street_staff, committee=c, person_name="王校长",
                                      unit_post="书记", unit=school, unit_community=tree.west1,
                                      term_start=date(2025, 3, 1))
    with pytest.raises(ValidationError) as exc:  # a street committee is not set up at a community
        services.committee_create(actor=personas.street_staff, region=tree.east1, kind=CommitteeKind.WORKING)
    assert "请选择街道（镇）" in exc.value.message_dict["region"][0]
    big = services.committee_create(actor=personas.street_staff, region=tree.east, kind=CommitteeKind.WORKING)
    services.committee_member_add(actor=personas.street_staff, committee=big, org_name="县公安局城区派出所",
                                  person_name="马教导员", unit_post="教导员", term_start=date(2025, 1, 1))
    with pytest.raises(ValidationError):  # 西一社区's secretary has no say in 东街道
        services.committee_member_add(actor=personas.west_secretary, committee=big, org_name="x", person_name="y",
                                      unit_post="z", term_start=date(2025, 1, 1))


def test_compounds_counts_and_cross_appointment(tree, personas, client_for):
    org = PartyOrg.objects.create(name="阳光小区党支部", level=OrgLevel.COMPOUND, form=OrgForm.BRANCH,
                                  region=tree.compound)
    owners = services.compound_body_create(actor=personas.secretary, compound=tree.compound,
                                           kind=CompoundBodyKind.OWNERS, name="阳光小区业主委员会", party_org=org)
    services.compound_body_create(actor=personas.secretary, compound=tree.compound,
                                  kind=CompoundBodyKind.PROPERTY, name="金山物业")
    with pytest.raises(ValidationError) as exc:
        services.compound_body_create(actor=personas.secretary, compound=tree.compound,
                                      kind=CompoundBodyKind.OWNERS, name="第二个业委会")
    assert "已登记业主委员会" in exc.value.message_dict["kind"][0]
    with pytest.raises(ValidationError):  # the west's Party organization is not in this compound's community
        services.compound_body_create(actor=personas.district_admin, compound=tree.compound,
                                      kind=CompoundBodyKind.PROPERTY, name="x", party_org=tree.west1_org)
    counts = selectors.compound_counts([tree.east1, tree.west1])
    assert counts[tree.east1.pk] == {"compounds": 1, "covered": 1, "with_party_org": 1, "with_cross": 0}
    services.compound_body_member_add(actor=personas.secretary, body=owners, person_name="陈主任", post="主任",
                                      party_member=True, community_post="社区党总支委员")
    assert selectors.compound_counts([tree.east1])[tree.east1.pk]["with_cross"] == 1
    page = client_for(personas.street_staff).get(reverse("network:compounds")).content.decode()
    assert "阳光小区业主委员会" in page and "金山物业" in page
    assert client_for(personas.west_secretary).get(reverse("network:compound_body", args=[owners.pk])).status_code \
        == 404


def test_social_organization_stages_in_order(tree, personas):
    org = services.social_org_create(actor=personas.secretary, community=tree.east1, name="东一好人协会",
                                     field="邻里互助", leader_name="周七", cultivated_on=today() - timedelta(days=100))
    with pytest.raises(ValidationError) as exc:
        services.social_org_stage_add(actor=personas.secretary, org=org, stage=IncubationStage.PARTY_ORG,
                                      date=today(), party_org=tree.east1_org)
    assert "请先登记“登记备案”阶段" in exc.value.message_dict["stage"][0]
    with pytest.raises(ValidationError) as exc:
        services.social_org_stage_add(actor=personas.secretary, org=org, stage=IncubationStage.REGISTER,
                                      date=today() - timedelta(days=200))
    assert "不能早于上一阶段“入驻培育”" in exc.value.message_dict["date"][0]
    services.social_org_stage_add(actor=personas.secretary, org=org, stage=IncubationStage.REGISTER,
                                  date=today() - timedelta(days=50))
    with pytest.raises(ValidationError) as exc:
        services.social_org_stage_add(actor=personas.secretary, org=org, stage=IncubationStage.PARTY_ORG,
                                      date=today())
    assert "须选择建立的党组织" in exc.value.message_dict["party_org"][0]
    services.social_org_stage_add(actor=personas.secretary, org=org, stage=IncubationStage.PARTY_ORG,
                                  date=today(), party_org=tree.east1_org)
    org.refresh_from_db()
    assert org.party_org == tree.east1_org
    assert list(SocialOrgStage.objects.filter(org=org).values_list("stage", flat=True)) == [
        "cultivate", "register", "party_org"]
    g = services.social_org_guide_add(actor=personas.secretary, org=org, role="instructor", person_name="吴指导员",
                                      unit="东街道党工委", since=today())
    assert g.get_role_display() == "党建指导员"
    with pytest.raises(ValidationError) as exc:
        services.social_org_guide_add(actor=personas.secretary, org=org, role="contact", person_name="x",
                                      unit="y", since=today() + timedelta(days=1))
    assert "派驻日期不能晚于今天" in exc.value.message_dict["since"][0]


def test_the_committee_page_form(tree, personas, client_for, units):
    c = services.committee_create(actor=personas.secretary, region=tree.east1, kind=CommitteeKind.COMMUNITY)
    url = reverse("network:committee", args=[c.pk])
    client = client_for(personas.secretary)
    r = client.post(url, {"action": "add", "unit": units[0].pk, "unit_community": tree.east1.pk,
                          "person_name": "刘院长", "unit_post": "党委书记", "committee_post": "兼职委员",
                          "term_start": "2025-03-01", "term_end": "2024-01-01"})
    assert r.status_code == 200 and "不能早于任期开始日期" in r.content.decode()
    r = client.post(url, {"action": "add", "unit": units[0].pk, "unit_community": tree.east1.pk,
                          "person_name": "<b>刘院长</b>", "unit_post": "党委书记", "committee_post": "兼职委员",
                          "term_start": "2025-03-01"})
    assert r.status_code == 302
    page = client.get(url).content.decode()
    assert "&lt;b&gt;刘院长&lt;/b&gt;" in page and "服务东一社区" in page
    m = CommitteeMember.objects.get()
    client.post(url, {"action": "end", "member": m.pk})
    m.refresh_from_db()
    assert m.term_end == today()
