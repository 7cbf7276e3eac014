from django import forms

from core.forms import StyledForm

from .models import Grade, PledgeKind, PostKind, RatingLevel


class PostForm(StyledForm):
    region = forms.ModelChoiceField(label="设岗社区（网格）", queryset=None)
    kind = forms.ChoiceField(label="岗位类别", choices=PostKind.choices)
    title = forms.CharField(label="岗位名称", max_length=60)
    duties = forms.CharField(label="岗位职责", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    capacity = forms.IntegerField(label="名额", initial=2, help_text="同时在岗的党员人数上限")

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["region"].label_from_instance = lambda r: f"{r.parent.name if r.parent_id else ''} {r.name}"


class ClaimForm(StyledForm):
    note = forms.CharField(label="认岗说明（可选）", max_length=200, required=False)


class PledgeForm(StyledForm):
    kind = forms.ChoiceField(label="承诺类型", choices=PledgeKind.choices)
    post = forms.ModelChoiceField(label="岗位（岗位承诺时选择）", queryset=None, required=False)
    title = forms.CharField(label="承诺事项", max_length=100)
    content = forms.CharField(label="承诺内容", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label="承诺完成日期", widget=forms.DateInput(format="%Y-%m-%d"))

    def __init__(self, *args, posts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = posts


class ReviseForm(StyledForm):
    title = forms.CharField(label="承诺事项", max_length=100)
    content = forms.CharField(label="承诺内容", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label="承诺完成日期", widget=forms.DateInput(format="%Y-%m-%d"))


class FulfilForm(StyledForm):
    on = forms.DateField(label="践诺日期", widget=forms.DateInput(format="%Y-%m-%d"))
    fulfilment = forms.CharField(label="践诺情况", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    hours = forms.DecimalField(label="服务时长（小时）", required=False, max_digits=6, decimal_places=1)
    households_reached = forms.IntegerField(label="服务户数", required=False)
    photo = forms.FileField(label="现场照片（JPEG 或 PNG）", required=False)


class DeliberateForm(StyledForm):
    meeting_on = forms.DateField(label="议诺会议日期", widget=forms.DateInput(format="%Y-%m-%d"))
    note = forms.CharField(label="会议意见", max_length=300, required=False)


class ReviewForm(StyledForm):
    approve = forms.TypedChoiceField(label="审诺结果", choices=[("1", "同意"), ("0", "退回修改")],
                                     coerce=lambda v: v == "1", widget=forms.RadioSelect)
    reason = forms.CharField(label="退回原因", max_length=200, required=False)


class RateForm(StyledForm):
    level = forms.ChoiceField(label="评议层级", choices=RatingLevel.choices)
    grade = forms.ChoiceField(label="评议等次", choices=Grade.choices)
    raters = forms.CharField(label="评议人", max_length=200, help_text="参加评议的人员，如：支部委员会全体委员")
    note = forms.CharField(label="评议意见", max_length=300, required=False)


class RegisterForm(StyledForm):
    community = forms.ModelChoiceField(label="居住地社区", queryset=None)
    note = forms.CharField(label="报到说明（可选）", max_length=300, required=False,
                           help_text="如：居住小区、楼栋，可以参加服务的时间和特长")

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["community"].label_from_instance = lambda r: f"{r.parent.name} {r.name}" if r.parent_id \
            else r.name


class ZoneForm(StyledForm):
    community = forms.ModelChoiceField(label="社区", queryset=None)
    name = forms.CharField(label="责任区名称", max_length=60)
    description = forms.CharField(label="范围说明", max_length=200, required=False, help_text="如：阳光小区1-3号楼")

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class ZoneBuildingForm(StyledForm):
    building = forms.ModelChoiceField(label="楼栋", queryset=None)
    entrance = forms.CharField(label="单元（可选，不填为整栋）", max_length=10, required=False)

    def __init__(self, *args, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = buildings
        self.fields["building"].label_from_instance = lambda r: f"{r.parent.name if r.parent_id else ''} {r.name}"


class ZoneMembersForm(StyledForm):
    members = forms.ModelMultipleChoiceField(label="负责党员", queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members
        self.fields["members"].label_from_instance = lambda m: f"{m.name}（{m.org}）"


class ContactForm(StyledForm):
    on = forms.DateField(label="联系日期", widget=forms.DateInput(format="%Y-%m-%d"))
    note = forms.CharField(label="联系情况", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    problem = forms.CharField(label="发现的问题（可选）", max_length=300, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    to_demand = forms.BooleanField(label="将问题转为诉求，交社区（网格）办理", required=False)
    demand_category = forms.ModelChoiceField(label="诉求类别（转诉求时选择）", queryset=None, required=False)

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["demand_category"].queryset = categories


class ActivityForm(StyledForm):
    region = forms.ModelChoiceField(label="发布社区（网格）", queryset=None)
    title = forms.CharField(label="活动名称", max_length=80)
    place = forms.CharField(label="地点", max_length=100)
    starts_at = forms.DateTimeField(label="开始时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                             format="%Y-%m-%dT%H:%M"))
    ends_at = forms.DateTimeField(label="结束时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                           format="%Y-%m-%dT%H:%M"))
    places = forms.IntegerField(label="名额", initial=10)
    skills = forms.CharField(label="所需技能（可选）", max_length=100, required=False)
    description = forms.CharField(label="活动内容", max_length=1000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    open_to_residents = forms.BooleanField(label="居民也可以报名", required=False)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["region"].label_from_instance = lambda r: f"{r.parent.name if r.parent_id else ''} {r.name}"


class ConsentForm(StyledForm):
    show_name = forms.BooleanField(label="同意在三亮公示栏公开我的姓名", required=False)
    show_photo = forms.BooleanField(label="同意公开我的照片（需同时公开姓名）", required=False)


class StarForm(StyledForm):
    reason = forms.CharField(label="推荐理由", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
