"""The network around each community (seed 000, 001, 002): the county leaders assigned to it (3 each,
the rule kept as data) with their visits and the problems they took on; the 委员制 of member units and
their part-time members (兼职委员) in the town's 社区党建协调委员会, the community Party committee and the
street's 大工委; owners' committees and property firms of the compounds with their Party organizations
and the people appointed across (交叉任职); social organizations incubated with their Party organization
(双孵化) and their Party instructors and liaisons."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class NetworkRules(models.Model):
    """The one row of rules: how many county leaders each community has (seed 000: 为每个社区确定了3名
    县领导) and how often they come (每季度参加一次社区党建工作联席会议)."""

    leaders_per_community = models.PositiveSmallIntegerField("每个社区联系县领导人数", default=3)
    visit_months = models.PositiveSmallIntegerField("走访周期（月）", default=3)
    basis = models.CharField("依据", max_length=200, blank=True,
                             default="为每个社区确定了3名县领导，每季度参加一次社区党建工作联席会议")
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "县领导联系社区规则"
        verbose_name_plural = "县领导联系社区规则"

    def __str__(self) -> str:
        return f"每个社区 {self.leaders_per_community} 名县领导"

    @classmethod
    def current(cls) -> NetworkRules:
        return cls.objects.order_by("pk").first() or cls.objects.create()


# --- county leaders ------------------------------------------------------------------------------

class CountyLeader(models.Model):
    """A county (district) leader who keeps in touch with communities (县领导联系社区)."""

    region = models.ForeignKey("regions.Region", verbose_name="所在区（县）", on_delete=models.PROTECT,
                               related_name="county_leaders")
    name = models.CharField("姓名", max_length=50)
    post = models.CharField("职务", max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登录账号", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="county_leader_records")
    active = models.BooleanField("在任", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "县领导"
        verbose_name_plural = "县领导"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.post}）"


class LeaderAssignment(models.Model):
    """A leader assigned to a community; ended (not deleted) when the assignment changes."""

    leader = models.ForeignKey(CountyLeader, verbose_name="县领导", on_delete=models.CASCADE,
                               related_name="assignments")
    community = models.ForeignKey("regions.Region", verbose_name="联系社区", on_delete=models.PROTECT,
                                  related_name="leader_assignments")
    since = models.DateField("联系起始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    scope_path_field = "community__path"

    class Meta:
        verbose_name = "联系社区"
        verbose_name_plural = "联系社区"
        ordering = ["community__path", "id"]
        constraints = [models.UniqueConstraint(fields=["leader", "community"],
                                               condition=models.Q(ended_on__isnull=True),
                                               name="network_assignment_active_once")]

    def __str__(self) -> str:
        return f"{self.leader.name} 联系 {self.community.name}"


class VisitKind(models.TextChoices):
    JOINT_MEETING = "joint_meeting", "参加社区党建工作联席会议"
    INSPECTION = "inspection", "督查指导"
    SURVEY = "survey", "调研走访"


class LeaderVisit(models.Model):
    """A leader's visit to a community: when, what they saw, whether they attended the quarterly joint
    meeting (linked to the meeting in `meetings` when it is recorded there)."""

    leader = models.ForeignKey(CountyLeader, verbose_name="县领导", on_delete=models.PROTECT, related_name="visits")
    community = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT,
                                  related_name="leader_visits")
    date = models.DateField("走访日期", db_index=True)
    kind = models.CharField("方式", max_length=20, choices=VisitKind.choices, default=VisitKind.INSPECTION)
    findings = models.TextField("了解到的情况")
    attended_joint_meeting = models.BooleanField("参加了联席会议", default=False)
    meeting = models.ForeignKey("meetings.Meeting", verbose_name="联席会议", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="leader_visits")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    scope_path_field = "community__path"

    class Meta:
        verbose_name = "县领导走访"
        verbose_name_plural = "县领导走访"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["leader", "community", "date"], name="network_visit_leader_comm")]

    def __str__(self) -> str:
        return f"{self.leader.name} {self.date:%Y-%m-%d} 走访{self.community.name}"


class ProblemStatus(models.TextChoices):
    OPEN = "open", "待办理"
    IN_PROGRESS = "in_progress", "办理中"
    RESOLVED = "resolved", "已解决"


class LeaderProblem(models.Model):
    """A problem a leader took on for the community (领办的问题), with its owner and deadline."""

    leader = models.ForeignKey(CountyLeader, verbose_name="领办县领导", on_delete=models.PROTECT,
                               related_name="problems")
    community = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT,
                                  related_name="leader_problems")
    visit = models.ForeignKey(LeaderVisit, verbose_name="提出时的走访", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="problems")
    problem = models.CharField("问题", max_length=300)
    owner = models.CharField("责任人（单位）", max_length=100)
    deadline = models.DateField("办结期限", db_index=True)
    status = models.CharField("状态", max_length=15, choices=ProblemStatus.choices, default=ProblemStatus.OPEN)
    resolution = models.TextField("解决情况", blank=True)
    resolved_on = models.DateField("解决日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    scope_path_field = "community__path"

    class Meta:
        verbose_name = "县领导领办问题"
        verbose_name_plural = "县领导领办问题"
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return self.problem

    def overdue_on(self, today) -> bool:
        return self.status != ProblemStatus.RESOLVED and self.deadline < today


# --- 委员制: committees of member units and their part-time members ------------------------------

class CommitteeKind(models.TextChoices):
    COORDINATION = "coordination", "社区党建协调委员会"      # a town's / street's, 委员制 of member units
    WORKING = "working", "街道大工委"                          # a street's 大工委
    COMMUNITY = "community", "社区党组织兼职委员"              # a community Party committee's part-time members


# Which node each committee sits at.
COMMITTEE_LEVEL = {CommitteeKind.COORDINATION: "street", CommitteeKind.WORKING: "street",
                   CommitteeKind.COMMUNITY: "community"}


class Committee(models.Model):
    region = models.ForeignKey("regions.Region", verbose_name="所在街道（镇）或社区", on_delete=models.PROTECT,
                               related_name="network_committees")
    kind = models.CharField("类别", max_length=15, choices=CommitteeKind.choices)
    name = models.CharField("名称", max_length=120)
    since = models.DateField("设立日期", null=True, blank=True)

    scope_path_field = "region__path"

    class Meta:
        verbose_name = "委员制组织"
        verbose_name_plural = "委员制组织"
        ordering = ["region__path", "kind"]
        constraints = [models.UniqueConstraint(fields=["region", "kind"], name="network_committee_region_kind")]

    def __str__(self) -> str:
        return self.name


class CommitteeMember(models.Model):
    """A member unit and its part-time member (兼职委员) on a committee for a term. Where the unit is a
    resident unit, both the unit and the community it serves there are named (a unit serves many
    communities, one agreement each)."""

    committee = models.ForeignKey(Committee, verbose_name="所属组织", on_delete=models.CASCADE,
                                  related_name="members")
    unit = models.ForeignKey("cobuild.ResidentUnit", verbose_name="驻区单位", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="network_memberships")
    unit_community = models.ForeignKey("regions.Region", verbose_name="单位服务的社区", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    org_name = models.CharField("成员单位", max_length=120)
    person_name = models.CharField("兼职委员", max_length=50)
    unit_post = models.CharField("单位职务", max_length=100)
    committee_post = models.CharField("委员会职务", max_length=30, default="委员")
    term_start = models.DateField("任期开始")
    term_end = models.DateField("任期结束", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    scope_path_field = "committee__region__path"

    class Meta:
        verbose_name = "成员单位与兼职委员"
        verbose_name_plural = "成员单位与兼职委员"
        ordering = ["committee", "term_start", "id"]

    def __str__(self) -> str:
        return f"{self.org_name} {self.person_name}"

    def current_on(self, day) -> bool:
        return self.term_start <= day and (self.term_end is None or self.term_end >= day)


# --- owners' committees and property firms -------------------------------------------------------

class CompoundBodyKind(models.TextChoices):
    OWNERS = "owners", "业主委员会"
    PROPERTY = "property", "物业服务企业"


class CompoundBody(models.Model):
    """A compound's owners' committee (业委会) or the property firm serving it (物业服务企业)."""

    compound = models.ForeignKey("regions.Region", verbose_name="小区", on_delete=models.PROTECT,
                                 related_name="compound_bodies")
    kind = models.CharField("类别", max_length=10, choices=CompoundBodyKind.choices)
    name = models.CharField("名称", max_length=120)
    party_org = models.ForeignKey("orgs.PartyOrg", verbose_name="党组织", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="compound_bodies")
    since = models.DateField("成立（进驻）日期", null=True, blank=True)

    scope_path_field = "compound__path"

    class Meta:
        verbose_name = "业委会与物业企业"
        verbose_name_plural = "业委会与物业企业"
        ordering = ["compound__path", "kind"]
        constraints = [models.UniqueConstraint(fields=["compound", "kind"], name="network_compound_body_kind")]

    def __str__(self) -> str:
        return self.name


class CompoundBodyMember(models.Model):
    """A member of an owners' committee or a manager of a property firm; `community_post` names the
    community 两委 post of someone appointed across (交叉任职)."""

    body = models.ForeignKey(CompoundBody, verbose_name="业委会（物业）", on_delete=models.CASCADE,
                             related_name="members")
    person_name = models.CharField("姓名", max_length=50)
    post = models.CharField("职务", max_length=50)
    party_member = models.BooleanField("党员", default=False)
    community_post = models.CharField("社区两委职务（交叉任职）", max_length=50, blank=True)

    scope_path_field = "body__compound__path"

    class Meta:
        verbose_name = "业委会（物业）成员"
        verbose_name_plural = "业委会（物业）成员"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.person_name


# --- social organizations (双孵化) ------------------------------------------------------------------

class IncubationStage(models.TextChoices):
    CULTIVATE = "cultivate", "入驻培育"
    REGISTER = "register", "登记备案"
    PARTY_ORG = "party_org", "建立党组织"
    GRADUATE = "graduate", "孵化出壳"


STAGE_ORDER = [IncubationStage.CULTIVATE, IncubationStage.REGISTER, IncubationStage.PARTY_ORG,
               IncubationStage.GRADUATE]


class SocialOrg(models.Model):
    """A community social organization (志愿者团队, 好人协会, 老年服务协会 …) incubated together with its
    Party organization (双孵化)."""

    community = models.ForeignKey("regions.Region", verbose_name="社区", on_delete=models.PROTECT,
                                  related_name="social_orgs")
    name = models.CharField("名称", max_length=120)
    field = models.CharField("服务领域", max_length=50)
    leader_name = models.CharField("负责人", max_length=50)
    leader_is_member = models.BooleanField("负责人是党员", default=False)
    party_org = models.ForeignKey("orgs.PartyOrg", verbose_name="党组织", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="social_orgs")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    scope_path_field = "community__path"

    class Meta:
        verbose_name = "社会组织"
        verbose_name_plural = "社会组织"
        ordering = ["community__path", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="network_social_org_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def current_stage(self):
        """The latest stage reached (reads the prefetched stages when there are)."""
        stages = list(self.stages.all())
        return stages[-1] if stages else None


class SocialOrgStage(models.Model):
    org = models.ForeignKey(SocialOrg, verbose_name="社会组织", on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField("阶段", max_length=15, choices=IncubationStage.choices)
    date = models.DateField("日期")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "孵化阶段"
        verbose_name_plural = "孵化阶段"
        ordering = ["date", "id"]
        constraints = [models.UniqueConstraint(fields=["org", "stage"], name="network_stage_once")]

    def __str__(self) -> str:
        return self.get_stage_display()


class GuideRole(models.TextChoices):
    INSTRUCTOR = "instructor", "党建指导员"
    CONTACT = "contact", "党建联络员"


class SocialOrgGuide(models.Model):
    org = models.ForeignKey(SocialOrg, verbose_name="社会组织", on_delete=models.CASCADE, related_name="guides")
    role = models.CharField("身份", max_length=15, choices=GuideRole.choices)
    person_name = models.CharField("姓名", max_length=50)
    unit = models.CharField("所在单位", max_length=120)
    since = models.DateField("派驻日期")

    class Meta:
        verbose_name = "党建指导员（联络员）"
        verbose_name_plural = "党建指导员（联络员）"
        ordering = ["role", "id"]

    def __str__(self) -> str:
        return self.person_name
