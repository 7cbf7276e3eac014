"""One resident unit per real organization, serving several communities through its agreements:
what each community sees of it, what its liaison sees, the counts, and the merge of duplicates."""

from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from cobuild import selectors, services
from cobuild.merge import common_path, merge_into
from cobuild.models import (
    Activity,
    Agreement,
    Criticism,
    Deed,
    Pairing,
    Project,
    ResidentUnit,
    Resource,
    ResourceKind,
    StarRating,
    UnitKind,
)
from conftest import make_user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
YEAR = TODAY.year


def _agreement(actor, unit, region, title):
    return services.agreement_create(actor=actor, unit=unit, region=region, title=title,
                                     start=date(YEAR, 1, 1), end=date(YEAR, 12, 31), activities=[Activity.SERVICE])


@pytest.fixture
def bureau(personas, tree):
    """县财政局, located at the county, serving 东一社区 (东街道) and 西一社区 (西镇), with its own
    liaison; a deed, a resource and a rating in each community."""
    liaison = make_user("fin_liaison", Role.UNIT_LIAISON, tree.east1, full_name="财政局联络员")
    unit = services.unit_create(actor=personas.district_admin, name="县财政局", kind=UnitKind.GOVERNMENT,
                                region=tree.district, liaison=liaison)
    east = _agreement(personas.secretary, unit, tree.east1, "东一社区与县财政局共建协议")
    west = _agreement(personas.west_secretary, unit, tree.west1, "西一社区与县财政局共建协议")
    deed_e = services.deed_create(actor=personas.secretary, unit=unit, region=tree.east1, activity=Activity.SERVICE,
                                  date=TODAY, title="东一义务咨询", beneficiaries=30)
    deed_w = services.deed_create(actor=personas.west_secretary, unit=unit, activity=Activity.CULTURE,
                                  date=TODAY, title="西一文艺演出", beneficiaries=60)
    res_e = services.resource_create(actor=liaison, unit=unit, agreement=east, kind=ResourceKind.VENUE,
                                     title="东一会议室", capacity=40)
    res_w = services.resource_create(actor=liaison, unit=unit, region=tree.west1, kind=ResourceKind.FUNDS,
                                     title="西一共建资金", capacity=5000)
    services.star_board_compute(actor=personas.district_admin, year=YEAR)
    return {"unit": unit, "liaison": liaison, "east": east, "west": west, "deed_e": deed_e, "deed_w": deed_w,
            "res_e": res_e, "res_w": res_w}


def test_records_carry_their_community(tree, bureau):
    assert bureau["deed_w"].region == tree.west1  # the west secretary's only community of the unit
    assert (bureau["res_e"].region, bureau["res_w"].region) == (tree.east1, tree.west1)
    ratings = {r.region_id: r for r in StarRating.objects.filter(unit=bureau["unit"], year=YEAR)}
    assert set(ratings) == {tree.east1.pk, tree.west1.pk}  # one rating per unit per community
    assert ratings[tree.east1.pk].deeds == 1 and ratings[tree.west1.pk].deeds == 1


def test_each_community_sees_only_its_own_records_of_the_unit(client_for, personas, tree, bureau):
    unit = bureau["unit"]
    for who, mine, other in (("secretary", "deed_e", "deed_w"), ("west_secretary", "deed_w", "deed_e")):
        actor = getattr(personas, who)
        assert selectors.units(actor).filter(pk=unit.pk).exists()
        assert list(selectors.deeds(actor).filter(unit=unit)) == [bureau[mine]]
        assert [r.region for r in selectors.star_ratings(actor, YEAR).filter(unit=unit)] == [bureau[mine].region]
        c = client_for(actor)
        page = c.get(reverse("cobuild:unit", args=[unit.pk]))
        assert page.status_code == 200
        html = page.content.decode()
        assert bureau[mine].title in html and bureau[other].title not in html
        assert "服务社区</dt><dd class=\"col-8\">2 个（您可查看其中 1 个）" in html
        assert c.get(reverse("cobuild:deed", args=[bureau[other].pk])).status_code == 404
        assert c.get(f"/api/cobuild/deeds/{bureau[other].pk}/").status_code == 404
        assert c.get(f"/api/cobuild/deeds/{bureau[mine].pk}/").status_code == 200
    # the street sees its own community's side only
    assert list(selectors.deeds(personas.street_staff).filter(unit=unit)) == [bureau["deed_e"]]


def test_liaison_sees_every_community_the_unit_serves(client_for, tree, bureau):
    liaison, unit = bureau["liaison"], bureau["unit"]
    assert list(selectors.units(liaison)) == [unit]
    assert set(selectors.deeds(liaison)) == {bureau["deed_e"], bureau["deed_w"]}
    assert selectors.star_ratings(liaison, YEAR).count() == 2
    html = client_for(liaison).get(reverse("cobuild:unit", args=[unit.pk])).content.decode()
    assert "东一义务咨询" in html and "西一文艺演出" in html
    assert "东一社区与县财政局共建协议" in html and "西一社区与县财政局共建协议" in html
    assert "您可查看其中" not in html
    # the liaison logs in either community, never for a community the unit does not serve
    d = services.deed_create(actor=liaison, unit=unit, region=tree.west1, activity=Activity.PARTY, date=TODAY,
                             title="西一党课")
    assert d.region == tree.west1
    with pytest.raises(ValidationError, match="未与“东二社区”签订共建协议"):
        services.deed_create(actor=liaison, unit=unit, region=tree.east2, activity=Activity.PARTY, date=TODAY,
                             title="东二党课")
    # serving two communities, the liaison must say which
    with pytest.raises(ValidationError, match="服务 2 个社区，请选择服务社区"):
        services.deed_create(actor=liaison, unit=unit, activity=Activity.PARTY, date=TODAY, title="党课")
    assert Deed.objects.filter(unit=unit).count() == 3


@pytest.mark.parametrize("who, status", [
    ("secretary", 200), ("west_secretary", 200), ("street_staff", 200), ("district_admin", 200),
    ("community_staff", 200), ("grid_worker", 403), ("member", 403), ("nobody", 403),
])
def test_role_matrix_unit_page(client_for, personas, bureau, who, status):
    assert client_for(getattr(personas, who)).get(reverse("cobuild:unit", args=[bureau["unit"].pk])) \
        .status_code == status


def test_other_units_liaison_and_other_community_do_not_see_it(client_for, personas, tree, units, bureau):
    # personas.liaison is the liaison of 县医院 only
    assert client_for(personas.liaison).get(reverse("cobuild:unit", args=[bureau["unit"].pk])).status_code == 404
    # a unit of 西一社区 only is out of 东一社区's sight
    assert client_for(personas.secretary).get(reverse("cobuild:unit", args=[units.w.pk])).status_code == 404


def test_counts_are_unit_community_pairs(personas, tree, units, bureau):
    # 东一: 县医院 (agreement), 县财政局 (agreement); 西一: 矿务局, 县财政局
    assert selectors.unit_link_count(personas.secretary) == 2
    assert selectors.unit_link_count(personas.west_secretary) == 2
    assert selectors.unit_link_count(personas.district_admin) == 4  # 3 organizations, 4 pairings
    assert selectors.units(personas.district_admin).filter(pk__in=[units.a.pk, units.w.pk, bureau["unit"].pk]) \
        .count() == 3
    counter = selectors.unit_counter([tree.district, tree.east, tree.east1, tree.west1, tree.east2])
    assert counter[tree.district.pk] == ("驻区单位结对", 4)
    assert counter[tree.east.pk] == ("驻区单位结对", 2)
    assert counter[tree.west1.pk] == ("驻区单位结对", 2)
    assert tree.east2.pk not in counter


def test_index_cards_say_what_is_counted(client_for, personas, bureau):
    html = client_for(personas.secretary).get(reverse("cobuild:index")).content.decode()
    assert "单位与社区结对" in html and "一个单位服务几个社区计几次" in html


def test_registering_a_unit_twice_is_refused(personas, tree, bureau):
    with pytest.raises(ValidationError, match="已登记为驻区单位.*直接与它签订本社区的共建协议"):
        services.unit_create(actor=personas.west_secretary, name="县财政局", kind=UnitKind.GOVERNMENT,
                             region=tree.west1)
    assert ResidentUnit.objects.filter(name="县财政局").count() == 1


def test_overlapping_agreement_with_the_same_community_is_refused(personas, tree, bureau):
    with pytest.raises(ValidationError, match="期间重叠"):
        _agreement(personas.secretary, bureau["unit"], tree.east1, "重复协议")
    assert Agreement.objects.filter(unit=bureau["unit"], region=tree.east1).count() == 1


def test_stewardship_lends_rooms_to_units_serving_the_community(personas, tree, bureau):
    from stewardship import selectors as st

    assert bureau["unit"] in st.lendable_units(personas.secretary, tree.east1)
    assert bureau["unit"] in st.lendable_units(personas.west_secretary, tree.west1)
    assert bureau["unit"] not in st.lendable_units(personas.secretary, tree.east2)


def test_shortfalls_are_per_unit_and_community(personas, tree, bureau):
    short = {(s.unit.pk, s.region.pk) for s in selectors.unit_shortfalls(personas.district_admin, YEAR)}
    # one deed in each community meets the yearly minimum of 1 (team services may still be short)
    rows = [s for s in selectors.unit_shortfalls(personas.district_admin, YEAR) if s.unit == bureau["unit"]]
    assert all(not s.short_deeds for s in rows)
    Deed.objects.filter(pk=bureau["deed_w"].pk).delete()
    rows = [s for s in selectors.unit_shortfalls(personas.district_admin, YEAR) if s.unit == bureau["unit"]]
    assert [(s.region, s.short_deeds) for s in rows if s.short_deeds] == [(tree.west1, True)]
    assert isinstance(short, set)


# --- the merge of duplicates (migration 0004) ------------------------------------------------------

def test_common_path():
    assert common_path(["0000000100000002", "0000000100000003"]) == "00000001"
    assert common_path(["0000000100000002"]) == "0000000100000002"
    assert common_path(["0000000100000002", "0000000200000002"]) == ""


def test_merge_keeps_each_communitys_records_with_its_community(personas, tree):
    """Two copies of one bureau (one per community, as before) become one record: agreements,
    deeds, resources, projects, pairings, criticisms, ratings and other apps' references move to
    the kept unit with their community unchanged; the unit is located at the common node."""
    from assessment.models import Opinion, Rating, Scheme
    from meetings.models import Body, BodyKind, BodyMember

    admin = personas.district_admin
    keep = ResidentUnit.objects.create(name="县税务局", kind=UnitKind.GOVERNMENT, region=tree.east1)
    dup = ResidentUnit.objects.create(name="县税务局（西）", kind=UnitKind.GOVERNMENT, region=tree.west1,
                                      leader_name="西负责人", party_org=tree.west1_org)
    for u, c in ((keep, tree.east1), (dup, tree.west1)):
        _agreement(admin, u, c, f"{c.name}协议")
        services.deed_create(actor=admin, unit=u, region=c, activity=Activity.SERVICE, date=TODAY,
                             title=f"{c.name}实事")
        services.resource_create(actor=admin, unit=u, region=c, kind=ResourceKind.SKILL, title=f"{c.name}资源",
                                 capacity=3)
        services.project_create(actor=admin, region=c, title=f"{c.name}项目", owner_name="甲", unit=u,
                                deadline=TODAY + timedelta(days=5))
        services.pairing_create(actor=admin, region=c, unit=u, member_name="党员", household="户主",
                                hardship="低保", since=TODAY)
        services.criticism_record(actor=admin, unit=u, region=c, date=TODAY, reason=f"{c.name}缺席")
    services.star_board_compute(actor=admin, year=YEAR)
    body = Body.objects.create(name="西一联席会", kind=BodyKind.JOINT, region=tree.west1, since=date(YEAR, 1, 1))
    BodyMember.objects.create(body=body, unit=dup, order=1)
    scheme = Scheme.objects.create(region=tree.district, year=YEAR, level="unit", title="驻区单位考核")
    Opinion.objects.create(scheme=scheme, unit=keep, region=tree.east1, rating=Rating.GOOD, opinion="好")
    Opinion.objects.create(scheme=scheme, unit=dup, region=tree.west1, rating=Rating.FAIR, opinion="一般")

    moved = merge_into(apps, keep, [dup])

    assert not ResidentUnit.objects.filter(pk=dup.pk).exists()
    keep.refresh_from_db()
    assert keep.region == tree.district  # 东一 and 西一 meet at the county
    assert (keep.leader_name, keep.party_org) == ("西负责人", tree.west1_org)  # empty facts taken over
    for model in (Agreement, Deed, Resource, Project, Pairing, Criticism, StarRating):
        rows = model.objects.filter(unit=keep)
        assert sorted(r.region.name for r in rows) == ["东一社区", "西一社区"], model
    assert BodyMember.objects.get(body=body).unit == keep
    # one opinion per unit and scheme: the kept unit's stays, the duplicate's is dropped
    assert list(Opinion.objects.filter(scheme=scheme).values_list("unit_id", "opinion")) == [(keep.pk, "好")]
    assert moved["assessment.Opinion:dropped"] == 1
    assert moved["cobuild.Deed"] == 1 and moved["cobuild.ResidentUnit:merged"] == 1
    # each community still sees its own side
    assert list(selectors.deeds(personas.secretary).filter(unit=keep).values_list("title", flat=True)) == \
        ["东一社区实事"]
    assert list(selectors.deeds(personas.west_secretary).filter(unit=keep).values_list("title", flat=True)) == \
        ["西一社区实事"]
