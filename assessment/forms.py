from django import forms

from core.forms import StyledForm

from .models import CampaignKind, HonorKind, InspectionKind, Level, Method, Rating, SanctionKind, SchemeLevel

DATE = forms.DateInput(format="%Y-%m-%d")


class TaskListForm(StyledForm):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="名称", max_length=120)


class AspectForm(StyledForm):
    name = forms.CharField(label="方面名称", max_length=80)


class KeyTaskForm(StyledForm):
    aspect = forms.ModelChoiceField(label="所属方面", queryset=None, empty_label="请选择")
    title = forms.CharField(label="任务名称", max_length=120)
    content = forms.CharField(label="任务内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    levels = forms.MultipleChoiceField(label="适用层级", choices=Level.choices, widget=forms.CheckboxSelectMultiple)
    evidence = forms.CharField(label="佐证材料要求", max_length=300, required=False)
    deadline = forms.DateField(label="完成时限", widget=DATE)

    def __init__(self, *args, aspects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["aspect"].queryset = aspects


class AssignForm(StyledForm):
    regions = forms.ModelMultipleChoiceField(label="承办单位", queryset=None, widget=forms.CheckboxSelectMultiple)
    content = forms.CharField(label="交办内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    requirements = forms.CharField(label="工作要求", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(label="完成时限", widget=DATE)
    signer = forms.CharField(label="签发人", max_length=50)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regions"].queryset = regions


class ProgressForm(StyledForm):
    text = forms.CharField(label="进展情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    progress = forms.IntegerField(label="完成进度（%）", min_value=0, max_value=100,
                                  help_text="填 100 表示任务完成，须附佐证材料")
    records = forms.MultipleChoiceField(label="关联平台记录（会议、已办结诉求、共建实事、走访）", required=False,
                                        widget=forms.SelectMultiple(attrs={"size": 6}))
    files = forms.FileField(label="文件（PDF、Word、Excel，每个 ≤10 MB）", required=False,
                            widget=forms.ClearableFileInput(attrs={"allow_multiple_selected": True}))
    photos = forms.FileField(label="照片（JPG/PNG，每张 ≤5 MB）", required=False,
                             widget=forms.ClearableFileInput(attrs={"allow_multiple_selected": True}))

    def __init__(self, *args, records, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["records"].choices = records
        self.fields["files"].widget.attrs["multiple"] = True
        self.fields["photos"].widget.attrs["multiple"] = True
        self.fields["photos"].widget.attrs["accept"] = "image/*"

    def clean_records(self):
        out = []
        for v in self.cleaned_data.get("records") or []:
            kind, _, pk = v.partition(":")
            out.append((kind, int(pk)))
        return out


class WeeklyLogForm(StyledForm):
    region = forms.ModelChoiceField(label="社区", queryset=None, empty_label=None)
    week_start = forms.DateField(label="周次（周一）", widget=DATE)
    visits = forms.IntegerField(label="本周走访户数", min_value=0, max_value=100000, initial=0)
    text = forms.CharField(label="本周纪实", max_length=3000, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="本周下访收集的民情民意、办理的事项、需上级协调的问题")

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


class DispatchForm(StyledForm):
    region = forms.ModelChoiceField(label="调度单位", queryset=None, empty_label=None)
    month = forms.DateField(label="调度月份（任一日）", widget=DATE)
    held_on = forms.DateField(label="召开日期", widget=DATE)
    summary = forms.CharField(label="调度情况", max_length=3000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


class DecisionForm(StyledForm):
    decision = forms.CharField(label="调度决定", max_length=300)
    owner = forms.CharField(label="责任人", max_length=50)
    due = forms.DateField(label="落实时限", required=False, widget=DATE)


class ProblemForm(StyledForm):
    region = forms.ModelChoiceField(label="所在单位", queryset=None, empty_label=None)
    title = forms.CharField(label="难题", max_length=120)
    description = forms.CharField(label="情况说明", max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


class ProblemStepForm(StyledForm):
    discussion = forms.CharField(label="会商意见", max_length=3000, required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    decision = forms.CharField(label="议定事项", max_length=300, required=False)
    owner = forms.CharField(label="责任单位（人）", max_length=80, required=False)
    due = forms.DateField(label="化解时限", required=False, widget=DATE)
    resolution = forms.CharField(label="化解情况", max_length=3000, required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))


class InspectionForm(StyledForm):
    region = forms.ModelChoiceField(label="被督查单位", queryset=None, empty_label="请选择")
    kind = forms.ChoiceField(label="方式", choices=InspectionKind.choices)
    date = forms.DateField(label="督查日期", widget=DATE)
    inspectors = forms.CharField(label="督查组成员", max_length=200)
    summary = forms.CharField(label="督查情况", max_length=3000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


class FindingForm(StyledForm):
    text = forms.CharField(label="发现问题", max_length=300)
    requirement = forms.CharField(label="整改要求", max_length=300)
    region = forms.ModelChoiceField(label="整改单位", queryset=None, empty_label=None)
    owner = forms.CharField(label="整改责任人", max_length=50)
    deadline = forms.DateField(label="整改时限", widget=DATE)
    photo = forms.FileField(label="现场照片（可不传）", required=False)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["photo"].widget.attrs["accept"] = "image/*"


class CloseForm(StyledForm):
    note = forms.CharField(label="整改情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    records = forms.MultipleChoiceField(label="关联平台记录", required=False,
                                        widget=forms.SelectMultiple(attrs={"size": 4}))
    files = forms.FileField(label="文件（PDF、Word、Excel）", required=False,
                            widget=forms.ClearableFileInput(attrs={"allow_multiple_selected": True}))
    photos = forms.FileField(label="整改后照片", required=False,
                             widget=forms.ClearableFileInput(attrs={"allow_multiple_selected": True}))

    def __init__(self, *args, records, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["records"].choices = records
        self.fields["files"].widget.attrs["multiple"] = True
        self.fields["photos"].widget.attrs["multiple"] = True
        self.fields["photos"].widget.attrs["accept"] = "image/*"

    clean_records = ProgressForm.clean_records


class SanctionForm(StyledForm):
    region = forms.ModelChoiceField(label="对象单位", queryset=None, empty_label=None)
    kind = forms.ChoiceField(label="方式", choices=SanctionKind.choices)
    date = forms.DateField(label="日期", widget=DATE)
    subject = forms.CharField(label="对象（人员）", max_length=80)
    reason = forms.CharField(label="事由", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


class SchemeForm(StyledForm):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    level = forms.ChoiceField(label="考核对象", choices=SchemeLevel.choices)
    title = forms.CharField(label="名称", max_length=120)
    cobuild_min = forms.DecimalField(label="共驻共建分值不低于（%）", min_value=0, max_value=100, initial=20,
                                     decimal_places=2)
    excellent_ratio = forms.DecimalField(label="优秀比例（%）", min_value=0, max_value=100, initial=30,
                                         decimal_places=2)
    reduction = forms.DecimalField(label="平时考核不力核减优秀比例（%）", min_value=3, max_value=5, initial=5,
                                   decimal_places=2)


class SchemeItemForm(StyledForm):
    name = forms.CharField(label="考核项目", max_length=80)
    weight = forms.DecimalField(label="分值", min_value=0, max_value=100, decimal_places=2)
    method = forms.ChoiceField(label="评分方式", choices=Method.choices)
    source = forms.ChoiceField(label="数据来源（平台计数、平台比率）", required=False)
    target = forms.DecimalField(label="满分标准（平台计数）", required=False, min_value=1, max_value=1000000,
                                decimal_places=2)
    cobuild = forms.BooleanField(label="属于共驻共建", required=False)

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", "—")] + [
            (k, f"{s.label}（{Method(s.kind).label}）") for k, s in sources.items()]


class ScoreForm(StyledForm):
    value = forms.DecimalField(label="得分", min_value=0, max_value=100, decimal_places=2)
    note = forms.CharField(label="说明（评分依据）", max_length=300)


class ReviewForm(StyledForm):
    reporter = forms.CharField(label="述职人", max_length=50)
    rating = forms.ChoiceField(label="评议等次", choices=Rating.choices)
    good_votes = forms.IntegerField(label="“好”票数", min_value=0, max_value=100000)
    total_votes = forms.IntegerField(label="参评人数", min_value=0, max_value=100000)
    note = forms.CharField(label="评议意见", max_length=300, required=False)


class OpinionForm(StyledForm):
    rating = forms.ChoiceField(label="社区意见等次", choices=Rating.choices)
    opinion = forms.CharField(label="社区党组织意见", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ContractForm(StyledForm):
    region = forms.ModelChoiceField(label="受托社区", queryset=None, empty_label="请选择")
    department = forms.CharField(label="委托部门", max_length=80)
    item = forms.ModelChoiceField(label="准入事项（目录内）", queryset=None, required=False)
    task = forms.CharField(label="委托任务", max_length=200)
    quality = forms.CharField(label="质量要求", max_length=300)
    standard = forms.CharField(label="完成标准", max_length=300)
    deadline = forms.DateField(label="完成期限", widget=DATE, required=False)
    funds = forms.DecimalField(label="委托经费（元）", min_value=0, max_value=100000000, decimal_places=2,
                               required=False)
    attachment = forms.FileField(label="合同文本（PDF，可不传）", required=False)

    def __init__(self, *args, regions, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["item"].queryset = items


class DecideForm(StyledForm):
    reason = forms.CharField(label="拒绝理由", max_length=300, required=False)


class PaidForm(StyledForm):
    amount = forms.DecimalField(label="本次拨付（元）", min_value=0, max_value=100000000, decimal_places=2)


class RefusalForm(StyledForm):
    region = forms.ModelChoiceField(label="社区", queryset=None, empty_label=None)
    department = forms.CharField(label="部门", max_length=80)
    work = forms.CharField(label="未签合同的工作事项", max_length=200)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


class AdmittedItemForm(StyledForm):
    name = forms.CharField(label="准入事项", max_length=120)
    department = forms.CharField(label="主管部门", max_length=80)
    funding = forms.DecimalField(label="经费标准（元/年）", min_value=0, max_value=100000000, decimal_places=2)
    basis = forms.CharField(label="依据", max_length=200, required=False)


class PowerForm(StyledForm):
    region = forms.ModelChoiceField(label="街道（镇）", queryset=None, empty_label=None)
    name = forms.CharField(label="审批事项", max_length=120)
    department = forms.CharField(label="原审批部门", max_length=80)
    since = forms.DateField(label="下放日期", widget=DATE)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


# ---------------------------------------------------------------- campaigns

class CampaignForm(StyledForm):
    kind = forms.ChoiceField(label="类别", choices=CampaignKind.choices)
    title = forms.CharField(label="活动名称", max_length=120)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    org_level = forms.ChoiceField(label="参评党组织", choices=())
    entry_deadline = forms.DateField(label="申报截止日期", widget=DATE)
    award_title = forms.CharField(label="授予称号", max_length=60, help_text="如：“五个好”社区党组织")
    award_quota = forms.IntegerField(label="评选名额", min_value=1, max_value=500)
    description = forms.CharField(label="活动要求", max_length=3000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_level"].choices = levels


class CriterionForm(StyledForm):
    name = forms.CharField(label="评选标准", max_length=80)
    weight = forms.DecimalField(label="分值", min_value=0, max_value=100, decimal_places=2)
    description = forms.CharField(label="说明", max_length=300, required=False)


class EntryForm(ProgressForm):
    org = forms.ModelChoiceField(label="申报党组织", queryset=None, empty_label="请选择")
    title = forms.CharField(label="申报题目（品牌名称）", max_length=120)
    summary = forms.CharField(label="创建情况", max_length=3000, widget=forms.Textarea(attrs={"rows": 4}))
    field_order = ["org", "title", "summary", "records", "files", "photos"]

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["text"], self.fields["progress"]
        self.fields["org"].queryset = orgs
        self.order_fields(self.field_order)


class HonorForm(StyledForm):
    org = forms.ModelChoiceField(label="党组织", queryset=None, empty_label="请选择")
    kind = forms.ChoiceField(label="类别", choices=HonorKind.choices)
    title = forms.CharField(label="称号或事由", max_length=120)
    on = forms.DateField(label="日期", widget=DATE)
    conferred_by = forms.CharField(label="授予（通报）单位", max_length=80, required=False,
                                   help_text="不填则为本级党组织（组织部）")
    basis = forms.CharField(label="依据（通报批评须写明事由）", max_length=300, required=False)

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs
