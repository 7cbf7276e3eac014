"""Who sees what: a branch only its sessions, the community its branches, a member their own
attendance (out of scope = 404, no permission = 403)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from orglife import services
from orglife.models import SessionKind

pytestmark = pytest.mark.django_db


def _session(actor, org, topic="学习党章"):
    return services.session_create(actor=actor, org=org, kind=SessionKind.THEME_DAY, date=timezone.localdate(),
                                   topic=topic, host_name="书记", place="活动室")


STAFF_PAGES = ["orglife:sessions", "orglife:cadence"]


@pytest.mark.parametrize("who,status", [
    ("district_admin", 200), ("street_staff", 200), ("secretary", 200), ("community_staff", 200),
    ("west_secretary", 200), ("grid_worker", 403), ("member", 403), ("liaison", 403), ("sysadmin", 403),
    ("secadmin", 403), ("auditor", 403), ("nobody", 403), ("superuser", 200),
])
def test_staff_pages_by_role(world, personas, client_for, who, status):
    c = client_for(getattr(personas, who))
    for name in STAFF_PAGES:
        assert c.get(reverse(name)).status_code == status, name


@pytest.mark.parametrize("who,status", [
    ("district_admin", 200), ("street_staff", 200), ("secretary", 200), ("community_staff", 200),
    ("west_secretary", 404), ("member", 403), ("liaison", 403), ("auditor", 403), ("nobody", 403),
])
def test_session_detail_and_record_by_role_and_scope(world, personas, client_for, who, status):
    s = _session(world.branch_secretary, world.branch)
    c = client_for(getattr(personas, who))
    assert c.get(reverse("orglife:session", args=[s.pk])).status_code == status
    assert c.get(reverse("orglife:session_docx", args=[s.pk])).status_code == status


def test_a_branch_sees_only_its_sessions_and_the_community_its_branches(world, personas, tree, client_for):
    inside = _session(world.branch_secretary, world.branch, "支部的主题党日")
    outside = _session(personas.secretary, tree.east1_org, "总支的主题党日")
    west = _session(personas.west_secretary, tree.west1_org, "西一的主题党日")
    branch = client_for(world.branch_secretary)
    page = branch.get(reverse("orglife:sessions")).content.decode()
    assert "支部的主题党日" in page and "总支的主题党日" not in page and "西一的主题党日" not in page
    assert branch.get(reverse("orglife:session", args=[outside.pk])).status_code == 404
    community = client_for(personas.secretary).get(reverse("orglife:sessions")).content.decode()
    assert "支部的主题党日" in community and "总支的主题党日" in community and "西一的主题党日" not in community
    assert client_for(personas.west_secretary).get(reverse("orglife:session", args=[inside.pk])).status_code == 404
    assert client_for(personas.street_staff).get(reverse("orglife:session", args=[west.pk])).status_code == 404


def test_writes_need_manage_in_scope(world, personas, client_for):
    s = _session(world.branch_secretary, world.branch)
    url = reverse("orglife:session", args=[s.pk])
    data = {"action": "attendance", f"status_{world.me.pk}": "present"}
    assert client_for(personas.community_staff).post(url, data).status_code == 403
    assert client_for(personas.west_secretary).post(url, data).status_code == 404
    assert client_for(personas.member).post(url, data).status_code == 403
    assert s.attendances.count() == 0
    assert client_for(personas.community_staff).post(reverse("orglife:cadence_check")).status_code == 403
    assert client_for(personas.secretary).post(reverse("orglife:cadence_rules"), {}).status_code == 403
    assert client_for(personas.community_staff).get(reverse("orglife:session_new")).status_code == 403


def test_a_member_sees_their_own_attendance_only(world, personas, client_for):
    s = _session(world.branch_secretary, world.branch, "我参加的主题党日")
    services.attendance_record(actor=world.branch_secretary, session=s,
                               rows={world.me.pk: ("present", ""), world.other.pk: ("excused", "外出探亲")})
    c = client_for(personas.member)
    page = c.get(reverse("orglife:my")).content.decode()
    assert "我参加的主题党日" in page and "现场参加" in page and "外出探亲" not in page
    assert c.get(reverse("orglife:member", args=[world.other.pk])).status_code == 403
    assert client_for(personas.liaison).get(reverse("orglife:my")).status_code == 404
    home = c.get("/").content.decode()
    assert reverse("orglife:my") in home and reverse("orglife:sessions") not in home


def test_both_organizations_see_a_mobile_members_record(world, personas, client_for):
    url = reverse("orglife:member", args=[world.away.pk])
    assert client_for(personas.secretary).get(url).status_code == 200       # outflow (own) organization
    assert client_for(personas.west_secretary).get(url).status_code == 200  # inflow organization
    assert client_for(personas.west_secretary).get(
        reverse("orglife:member", args=[world.me.pk])).status_code == 404


def test_photos_are_scoped(world, personas, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from members.demo import demo_photo_png

    s = _session(world.branch_secretary, world.branch)
    png = SimpleUploadedFile("a.png", demo_photo_png((80, 60)), content_type="image/png")
    p = services.session_photo_add(actor=world.branch_secretary, session=s, photo=png)
    url = reverse("orglife:session_photo", args=[p.pk])
    assert client_for(personas.secretary).get(url).status_code == 200
    assert client_for(personas.west_secretary).get(url).status_code == 404
    assert client_for(personas.member).get(url).status_code == 403


def test_the_workbench_shows_what_a_branch_must_hold(world, personas, client_for):
    from orglife.models import SessionKind as K

    page = client_for(world.branch_secretary).get("/").content.decode()
    assert 'id="wb-orglife-due"' in page and "网格1党支部" in page and "未开展主题党日" in page
    services.session_create(actor=world.branch_secretary, org=world.branch, kind=K.THEME_DAY,
                            date=timezone.localdate().replace(day=1), topic="主题党日", host_name="书记",
                            place="活动室", held=True)
    assert 'id="wb-orglife-due"' not in client_for(personas.community_staff).get("/").content.decode()
    west = client_for(personas.west_secretary).get("/").content.decode()
    assert "网格1党支部" not in west


def test_the_workbench_lists_pipeline_steps_due(world, personas, client_for):
    from datetime import date, timedelta

    from core.idnumber import synthetic_id_number
    from orglife.models import Applicant

    Applicant.objects.create(org=world.branch, name="到期的预备党员", gender="M", birth_date=date(1990, 1, 1),
                             id_number=synthetic_id_number(birth_date=date(1990, 1, 1), gender="M"),
                             stage="probationary", applied_on=date(2022, 1, 1), activist_on=date(2022, 3, 1),
                             candidate_on=date(2023, 4, 1),
                             probationary_on=timezone.localdate() - timedelta(days=370))
    page = client_for(world.branch_secretary).get("/").content.decode()
    assert 'id="wb-pipeline-due"' in page and "到期的预备党员" in page
    assert "到期的预备党员" not in client_for(personas.west_secretary).get("/").content.decode()
