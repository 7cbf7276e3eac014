"""发展党员: an applicant moves stage by stage (dated, audited, with the documents each step needs, after
the minimum time) and on 转正 becomes a full member of the registry; bad steps change nothing."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from core.idnumber import synthetic_id_number
from members.models import PartyMember
from orglife import selectors, services
from orglife.models import Applicant, PipelineStep, Stage
from orglife.services.pipeline import add_months

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _docs(stage):
    return selectors.stage_rules()[stage].document_list


def _new(world, applied_on, name="周小梅", social_org=""):
    return services.applicant_create(actor=world.branch_secretary, org=world.branch, name=name,
                                     id_number=synthetic_id_number(birth_date=date(1995, 4, 3), gender="F"),
                                     applied_on=applied_on, social_org=social_org)


def test_an_applicant_becomes_a_full_member_of_the_registry(world):
    a = _new(world, TODAY - timedelta(days=365 * 3), social_org="好人协会")
    steps = [(Stage.ACTIVIST, TODAY - timedelta(days=365 * 3 - 40)),
             (Stage.CANDIDATE, TODAY - timedelta(days=600)),
             (Stage.PROBATIONARY, TODAY - timedelta(days=400)),
             (Stage.FULL, TODAY)]
    for stage, on in steps:
        a = services.applicant_advance(actor=world.branch_secretary, applicant=a, stage=stage, on=on,
                                       documents=_docs(stage))
    assert a.stage == Stage.FULL and a.member is not None
    m = PartyMember.objects.get(pk=a.member_id)
    assert (m.name, m.status, m.org, m.joined_on, m.full_member_on) == (
        "周小梅", "full", world.branch, steps[2][1], TODAY)
    assert list(PipelineStep.objects.filter(applicant=a).values_list("stage", flat=True)) == [
        "applicant", "activist", "candidate", "probationary", "full"]
    assert AuditEntry.objects.filter(object_type="orglife.applicant", action="transition").count() == 4


def test_bad_steps_are_refused_and_change_nothing(world):
    a = _new(world, TODAY - timedelta(days=200))
    with pytest.raises(ValidationError) as exc:  # out of order
        services.applicant_advance(actor=world.branch_secretary, applicant=a, stage=Stage.CANDIDATE, on=TODAY,
                                   documents=_docs(Stage.CANDIDATE))
    assert "下一步应为“入党积极分子”" in str(exc.value)
    with pytest.raises(ValidationError) as exc:  # a missing document
        services.applicant_advance(actor=world.branch_secretary, applicant=a, stage=Stage.ACTIVIST,
                                   on=TODAY - timedelta(days=150), documents=["入党申请书"])
    assert "缺少材料" in str(exc.value) and "党组织派人谈话记录" in str(exc.value)
    with pytest.raises(ValidationError) as exc:  # in the future
        services.applicant_advance(actor=world.branch_secretary, applicant=a, stage=Stage.ACTIVIST,
                                   on=TODAY + timedelta(days=1), documents=_docs(Stage.ACTIVIST))
    assert "不能晚于今天" in str(exc.value)
    a = services.applicant_advance(actor=world.branch_secretary, applicant=a, stage=Stage.ACTIVIST,
                                   on=TODAY - timedelta(days=150), documents=_docs(Stage.ACTIVIST))
    with pytest.raises(ValidationError) as exc:  # before a year as 积极分子
        services.applicant_advance(actor=world.branch_secretary, applicant=a, stage=Stage.CANDIDATE, on=TODAY,
                                   documents=_docs(Stage.CANDIDATE))
    due = add_months(TODAY - timedelta(days=150), 12)
    assert f"须满 12 个月（{due:%Y-%m-%d} 起）" in str(exc.value)
    a.refresh_from_db()
    assert a.stage == Stage.ACTIVIST and a.candidate_on is None
    assert PipelineStep.objects.filter(applicant=a).count() == 2


def test_zhuanzheng_before_a_year_is_refused(world):
    a = Applicant.objects.create(org=world.branch, name="孙probation", gender="M", birth_date=date(1990, 1, 1),
                                 id_number=synthetic_id_number(birth_date=date(1990, 1, 1), gender="M"),
                                 stage=Stage.PROBATIONARY, applied_on=date(2022, 1, 1), activist_on=date(2022, 3, 1),
                                 candidate_on=date(2023, 4, 1), probationary_on=TODAY - timedelta(days=300))
    with pytest.raises(ValidationError) as exc:
        services.applicant_advance(actor=world.branch_secretary, applicant=a, stage=Stage.FULL, on=TODAY,
                                   documents=_docs(Stage.FULL))
    assert "才能转正" in str(exc.value)
    assert not PartyMember.objects.filter(name="孙probation").exists()


def test_an_applicant_is_registered_once_and_not_as_a_member(world):
    _new(world, TODAY)
    with pytest.raises(ValidationError):
        services.applicant_create(actor=world.branch_secretary, org=world.branch, name="周小梅",
                                  id_number=Applicant.objects.get().id_number, applied_on=TODAY)
    with pytest.raises(ValidationError) as exc:
        services.applicant_create(actor=world.branch_secretary, org=world.branch, name="张建国",
                                  id_number=world.me.id_number, applied_on=TODAY)
    assert "已是党员" in str(exc.value)


@pytest.mark.parametrize("who,status", [
    ("district_admin", 200), ("street_staff", 200), ("secretary", 200), ("community_staff", 200),
    ("west_secretary", 404), ("member", 403), ("liaison", 403), ("auditor", 403), ("nobody", 403),
])
def test_applicant_page_by_role_and_scope(world, personas, client_for, who, status):
    a = _new(world, TODAY)
    assert client_for(getattr(personas, who)).get(reverse("orglife:applicant", args=[a.pk])).status_code == status


def test_a_branch_sees_only_its_pipeline(world, personas, tree, client_for):
    _new(world, TODAY, name="支部申请人")
    services.applicant_create(actor=personas.west_secretary, org=tree.west1_org, name="西一申请人",
                              id_number=synthetic_id_number(birth_date=date(1996, 4, 3), gender="M"), applied_on=TODAY)
    branch = client_for(world.branch_secretary).get(reverse("orglife:pipeline")).content.decode()
    assert "支部申请人" in branch and "西一申请人" not in branch
    assert client_for(personas.member).get(reverse("orglife:pipeline")).status_code == 403
    c = client_for(personas.community_staff)
    a = Applicant.objects.get(name="支部申请人")
    resp = c.post(reverse("orglife:applicant", args=[a.pk]), {"on": TODAY.isoformat()})
    a.refresh_from_db()
    assert a.stage == Stage.APPLICANT and resp.status_code in (200, 302, 403)
