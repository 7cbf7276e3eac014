from django import forms

from core.forms import StyledForm

from .models import CommitteeKind, CompoundBodyKind, GuideRole, IncubationStage, ProblemStatus, VisitKind


class RegionField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent.name} {obj.name}" if obj.parent_id else obj.name


class LeaderField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.post}）"


class MeetingField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.date:%Y-%m-%d} {obj.title}"


class LeaderForm(StyledForm):
    name = forms.CharField(label="姓名", max_length=50)
    post = forms.CharField(label="职务", max_length=100)


class RulesForm(StyledForm):
    leaders_per_community = forms.IntegerField(label="每个社区联系县领导人数", min_value=1, max_value=20)
    visit_months = forms.TypedChoiceField(label="走访周期", coerce=int, choices=[
        (1, "每月"), (2, "每两个月"), (3, "每季度"), (6, "每半年"), (12, "每年")])


class AssignForm(StyledForm):
    community = RegionField(label="联系社区", queryset=None, empty_label="请选择社区")
    since = forms.DateField(label="联系起始日期", required=False)

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class VisitForm(StyledForm):
    leader = LeaderField(label="县领导", queryset=None, empty_label="请选择县领导")
    date = forms.DateField(label="走访日期")
    kind = forms.ChoiceField(label="方式", choices=VisitKind.choices, initial=VisitKind.INSPECTION)
    findings = forms.CharField(label="了解到的情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    attended_joint_meeting = forms.BooleanField(label="参加了本季度社区党建工作联席会议", required=False)
    meeting = MeetingField(label="联席会议（会议记录中已有的）", queryset=None, required=False,
                           empty_label="不关联会议记录")

    def __init__(self, *args, leaders=None, meetings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = leaders
        self.fields["meeting"].queryset = meetings


class ProblemForm(StyledForm):
    leader = LeaderField(label="领办县领导", queryset=None, empty_label="请选择县领导")
    problem = forms.CharField(label="问题", max_length=300, widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.CharField(label="责任人（单位）", max_length=100)
    deadline = forms.DateField(label="办结期限")

    def __init__(self, *args, leaders=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = leaders


class ProblemUpdateForm(StyledForm):
    status = forms.ChoiceField(label="状态", choices=ProblemStatus.choices)
    resolution = forms.CharField(label="解决情况", max_length=2000, required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    resolved_on = forms.DateField(label="解决日期", required=False)


class CommitteeForm(StyledForm):
    region = RegionField(label="街道（镇）或社区", queryset=None, empty_label="请选择")
    kind = forms.ChoiceField(label="类别", choices=CommitteeKind.choices)
    since = forms.DateField(label="设立日期", required=False)

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


class CommitteeMemberForm(StyledForm):
    unit = forms.ModelChoiceField(label="驻区单位（是驻区单位时选择）", queryset=None, required=False,
                                  empty_label="不是驻区单位")
    unit_community = RegionField(label="单位参加共建的社区", queryset=None, required=False, empty_label="—")
    org_name = forms.CharField(label="成员单位（不是驻区单位时填写）", max_length=120, required=False)
    person_name = forms.CharField(label="兼职委员姓名", max_length=50)
    unit_post = forms.CharField(label="单位职务", max_length=100)
    committee_post = forms.CharField(label="委员会职务", max_length=30, initial="委员")
    term_start = forms.DateField(label="任期开始")
    term_end = forms.DateField(label="任期结束", required=False)

    def __init__(self, *args, units=None, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit_community"].queryset = communities


class CompoundBodyForm(StyledForm):
    compound = RegionField(label="小区", queryset=None, empty_label="请选择小区")
    kind = forms.ChoiceField(label="类别", choices=CompoundBodyKind.choices)
    name = forms.CharField(label="名称", max_length=120)
    party_org = forms.ModelChoiceField(label="党组织", queryset=None, required=False, empty_label="尚未建立")
    since = forms.DateField(label="成立（进驻）日期", required=False)

    def __init__(self, *args, compounds=None, party_orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = compounds
        self.fields["party_org"].queryset = party_orgs


class CompoundMemberForm(StyledForm):
    person_name = forms.CharField(label="姓名", max_length=50)
    post = forms.CharField(label="职务", max_length=50)
    party_member = forms.BooleanField(label="党员", required=False)
    community_post = forms.CharField(label="社区两委职务（交叉任职时填写）", max_length=50, required=False)


class SocialOrgForm(StyledForm):
    community = RegionField(label="社区", queryset=None, empty_label="请选择社区")
    name = forms.CharField(label="名称", max_length=120)
    field = forms.CharField(label="服务领域", max_length=50)
    leader_name = forms.CharField(label="负责人", max_length=50)
    leader_is_member = forms.BooleanField(label="负责人是党员", required=False)
    cultivated_on = forms.DateField(label="入驻培育日期")

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class StageForm(StyledForm):
    stage = forms.ChoiceField(label="阶段", choices=IncubationStage.choices)
    date = forms.DateField(label="日期")
    note = forms.CharField(label="说明", max_length=200, required=False)
    party_org = forms.ModelChoiceField(label="建立的党组织", queryset=None, required=False, empty_label="—")

    def __init__(self, *args, party_orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party_org"].queryset = party_orgs


class GuideForm(StyledForm):
    role = forms.ChoiceField(label="身份", choices=GuideRole.choices)
    person_name = forms.CharField(label="姓名", max_length=50)
    unit = forms.CharField(label="所在单位", max_length=120)
    since = forms.DateField(label="派驻日期")
