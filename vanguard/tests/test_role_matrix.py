"""Who sees what: a member only their own posts and pledges; staff their scope (out of scope = 404, wrong
role = 403); a branch secretary only their branch."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from conftest import make_user
from members.tests.conftest import add_member
from orgs.models import OrgForm, OrgLevel, PartyOrg
from vanguard import services
from vanguard.models import PledgeKind

pytestmark = pytest.mark.django_db


def _pledge(member, title="修路灯"):
    return services.pledge_draft(actor=member.user, member=member, kind=PledgeKind.DEED, title=title,
                                 content="内容", due_on=timezone.localdate() + timedelta(days=5))


STAFF_PAGES = ["vanguard:posts", "vanguard:pledges"]


@pytest.mark.parametrize("who,status", [
    ("district_admin", 200), ("street_staff", 200), ("secretary", 200), ("community_staff", 200),
    ("grid_worker", 200), ("west_secretary", 200), ("member", 403), ("liaison", 403), ("sysadmin", 403),
    ("secadmin", 403), ("auditor", 403), ("nobody", 403), ("superuser", 200),
])
def test_staff_lists_by_role(world, personas, client_for, who, status):
    c = client_for(getattr(personas, who))
    for name in STAFF_PAGES:
        assert c.get(reverse(name)).status_code == status, name


@pytest.mark.parametrize("who,status", [
    ("district_admin", 200), ("street_staff", 200), ("secretary", 200), ("community_staff", 200),
    ("west_secretary", 404), ("member", 403), ("liaison", 403), ("auditor", 403), ("nobody", 403),
])
def test_pledge_detail_by_role_and_scope(world, personas, client_for, who, status):
    p = _pledge(world.me)
    assert client_for(getattr(personas, who)).get(reverse("vanguard:pledge", args=[p.pk])).status_code == status


def test_lists_show_only_the_scope(world, personas, client_for):
    _pledge(world.me, "东一的承诺")
    west_user = make_user("west_member", Role.PARTY_MEMBER, world.west.org.region)
    world.west.user = west_user
    world.west.save()
    _pledge(world.west, "西一的承诺")
    east = client_for(personas.secretary).get(reverse("vanguard:pledges")).content.decode()
    west = client_for(personas.west_secretary).get(reverse("vanguard:pledges")).content.decode()
    assert "东一的承诺" in east and "西一的承诺" not in east
    assert "西一的承诺" in west and "东一的承诺" not in west


def test_a_member_sees_only_their_own_pledges(world, personas, client_for):
    mine = _pledge(world.me, "我的承诺")
    theirs = _pledge(world.other, "别人的承诺")
    c = client_for(personas.member)
    page = c.get(reverse("vanguard:my")).content.decode()
    assert "我的承诺" in page and "别人的承诺" not in page
    assert c.get(reverse("vanguard:my_pledge", args=[mine.pk])).status_code == 200
    assert c.get(reverse("vanguard:my_pledge", args=[theirs.pk])).status_code == 404
    assert c.get(reverse("vanguard:my_pledge_photo", args=[theirs.pk])).status_code == 404
    assert c.post(reverse("vanguard:my_pledge_withdraw", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == "draft"


def test_an_account_without_a_member_record_gets_404_on_own_pages(personas, client_for):
    c = client_for(personas.liaison)
    assert c.get(reverse("vanguard:my")).status_code == 404
    assert c.get(reverse("vanguard:my_posts")).status_code == 404


def test_a_branch_secretary_sees_only_their_branch(world, personas, tree, client_for):
    branch = PartyOrg.objects.create(name="网格1党支部", level=OrgLevel.GRID, form=OrgForm.BRANCH,
                                     region=tree.east1_grid1, parent=tree.east1_org)
    in_branch = add_member(branch, "钱七", user=make_user("qian"))
    inside = _pledge(in_branch, "支部党员的承诺")
    outside = _pledge(world.me, "总支党员的承诺")
    branch_secretary = make_user("branch_secretary", Role.COMMUNITY_SECRETARY, tree.east1_grid1)
    c = client_for(branch_secretary)
    page = c.get(reverse("vanguard:pledges")).content.decode()
    assert "支部党员的承诺" in page and "总支党员的承诺" not in page
    assert c.get(reverse("vanguard:pledge", args=[outside.pk])).status_code == 404
    # The branch discusses (议诺); the community above it approves (审诺), not the branch.
    assert c.post(reverse("vanguard:pledge", args=[inside.pk]),
                  {"action": "deliberate", "meeting_on": timezone.localdate().isoformat()}).status_code == 302
    inside.refresh_from_db()
    assert inside.state == "deliberated"
    assert "action-review" not in c.get(reverse("vanguard:pledge", args=[inside.pk])).content.decode()
    sec = client_for(personas.secretary)
    assert "action-review" in sec.get(reverse("vanguard:pledge", args=[inside.pk])).content.decode()


def test_claims_are_decided_only_in_scope(world, personas, client_for):
    claim = services.post_claim(actor=personas.member, post=world.post, member=world.me)
    url = reverse("vanguard:claim_decide", args=[claim.pk])
    assert client_for(personas.west_secretary).post(url, {"decision": "confirm"}).status_code == 404
    assert client_for(personas.community_staff).post(url, {"decision": "confirm"}).status_code == 403
    assert client_for(personas.member).post(url, {"decision": "confirm"}).status_code == 403
    assert client_for(personas.secretary).post(url, {"decision": "confirm"}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == "confirmed"


def test_menu_entries(world, personas, client_for):
    member_home = client_for(personas.member).get("/").content.decode()
    assert reverse("vanguard:my") in member_home and reverse("vanguard:pledges") not in member_home
    staff_home = client_for(personas.secretary).get("/").content.decode()
    assert reverse("vanguard:pledges") in staff_home and reverse("vanguard:posts") in staff_home


def test_a_member_registers_themselves_but_not_someone_else(world, personas, tree, client_for):
    from members import services as member_services
    from members.models import DualRegistration

    world.me.category = "employed"
    world.me.save()
    c = client_for(personas.member)
    resp = c.post(reverse("vanguard:my_register"), {"community": tree.east2.pk, "note": "周末可参加"})
    assert resp.status_code == 302
    reg = DualRegistration.objects.get(member=world.me)
    assert reg.community == tree.east2 and reg.status == "pending"
    page = c.post(reverse("vanguard:my_register"), {"community": tree.east2.pk}).content.decode()
    assert "今年已向该社区报到" in page
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="没有"):
        member_services.dual_registration_request(actor=personas.member, member=world.other, community=tree.east1)
