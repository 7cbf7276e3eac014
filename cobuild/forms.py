from django import forms

from core.forms import StyledForm

from .models import Activity, CobuildRules, ResourceKind, UnitKind
from .services import RULE_FIELDS


class UnitForm(StyledForm):
    name = forms.CharField(label="单位名称", max_length=120)
    kind = forms.ChoiceField(label="单位类别", choices=UnitKind.choices)
    region = forms.ModelChoiceField(label="所在地", queryset=None,
                                    help_text="单位所在的社区、街道（镇）或县；服务哪些社区以共建协议为准")
    address = forms.CharField(label="地址", max_length=200, required=False)
    party_org = forms.ModelChoiceField(label="单位党组织", queryset=None, required=False)
    leader_name = forms.CharField(label="单位负责人", max_length=50, required=False)
    liaison = forms.ModelChoiceField(label="联络员账号", queryset=None, required=False,
                                     help_text="须为已分配“驻区单位联络员”角色的账号")
    has_volunteer_team = forms.BooleanField(label="有志愿服务队", required=False, initial=True)

    def __init__(self, *args, regions, orgs, liaisons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["party_org"].queryset = orgs
        self.fields["liaison"].queryset = liaisons
        self.fields["liaison"].label_from_instance = lambda u: f"{u.full_name or u.username}（{u.username}）"


class AgreementForm(StyledForm):
    unit = forms.ModelChoiceField(label="驻区单位", queryset=None,
                                  help_text="全县的驻区单位只登记一次：已为其他社区服务的单位直接选择，不要重复登记")
    region = forms.ModelChoiceField(label="签约社区（街道）", queryset=None)
    title = forms.CharField(label="协议名称", max_length=150)
    start = forms.DateField(label="开始日期", widget=forms.DateInput(format="%Y-%m-%d"))
    end = forms.DateField(label="结束日期", widget=forms.DateInput(format="%Y-%m-%d"))
    activities = forms.MultipleChoiceField(label="共建活动", choices=Activity.choices,
                                           widget=forms.CheckboxSelectMultiple)
    document = forms.FileField(label="签字盖章文本（PDF 或图片，≤10 MB）", required=False)

    def __init__(self, *args, units, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: f"{u.name}（{u.region.name}）"
        self.fields["region"].queryset = regions


class DocumentForm(StyledForm):
    document = forms.FileField(label="签字盖章文本（PDF 或图片，≤10 MB）")


class NeedForm(StyledForm):
    kind = forms.ChoiceField(label="需求类别", choices=ResourceKind.choices)
    title = forms.CharField(label="需求", max_length=150)
    quantity = forms.IntegerField(label="需要数量", initial=1)
    description = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ResourceForm(StyledForm):
    kind = forms.ChoiceField(label="资源类别", choices=ResourceKind.choices)
    title = forms.CharField(label="资源", max_length=150)
    capacity = forms.IntegerField(label="可提供数量", initial=1)
    availability = forms.CharField(label="可用时间", max_length=100, required=False)

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if regions is not None:
            self.fields["region"] = forms.ModelChoiceField(label="服务社区", queryset=regions, required=False,
                                                           help_text="单位服务多个社区时请选择")
            self.fields["region"].widget.attrs["class"] = "form-select"


class AcceptForm(StyledForm):
    resource = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label="项目名称", max_length=150, required=False)
    owner_name = forms.CharField(label="负责人", max_length=50)
    deadline = forms.DateField(label="完成期限", widget=forms.DateInput(format="%Y-%m-%d"))
    budget = forms.DecimalField(label="预算（元）", initial=0, min_value=0, max_digits=12, decimal_places=2)


class DeedForm(StyledForm):
    unit = forms.ModelChoiceField(label="驻区单位", queryset=None)
    region = forms.ModelChoiceField(label="服务社区", queryset=None, required=False,
                                    help_text="单位服务多个社区时请选择为哪个社区办的实事；选了项目则为项目所在社区")
    project = forms.ModelChoiceField(label="所属项目", queryset=None, required=False)
    activity = forms.ChoiceField(label="活动类别", choices=Activity.choices)
    date = forms.DateField(label="日期", widget=forms.DateInput(format="%Y-%m-%d"))
    title = forms.CharField(label="实事内容", max_length=150)
    description = forms.CharField(label="详细情况", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    beneficiaries = forms.IntegerField(label="受益群众（人）", initial=0)
    hours = forms.DecimalField(label="志愿服务时长（小时）", initial=0, decimal_places=1, max_digits=8)
    money = forms.DecimalField(label="投入资金（元）", initial=0, decimal_places=2, max_digits=12)
    team_service = forms.BooleanField(label="单位志愿服务队开展的服务", required=False)
    rating = forms.DecimalField(label="群众评价（1-5，可不填）", required=False, decimal_places=1, max_digits=3)
    participants = forms.CharField(
        label="参与党员", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="每行一人：姓名 服务小时，例如“张三 2”",
    )
    photos = forms.FileField(label="照片（JPG/PNG，每张 ≤5 MB）", required=False,
                             widget=forms.ClearableFileInput(attrs={"allow_multiple_selected": True}))

    def __init__(self, *args, units, projects, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["region"].queryset = regions
        self.fields["project"].queryset = projects
        self.fields["photos"].widget.attrs["multiple"] = True
        self.fields["photos"].widget.attrs["accept"] = "image/*"

    def clean_participants(self):
        people = []
        for i, line in enumerate((self.cleaned_data.get("participants") or "").splitlines(), start=1):
            parts = line.replace("，", " ").replace(",", " ").split()
            if not parts:
                continue
            hours = parts[1] if len(parts) > 1 else "0"
            try:
                float(hours)
            except ValueError as exc:
                raise forms.ValidationError(f"第 {i} 行的服务小时“{hours}”不是数字") from exc
            people.append({"name": parts[0], "hours": hours})
        return people


class PairingForm(StyledForm):
    region = forms.ModelChoiceField(label="社区", queryset=None)
    member_name = forms.CharField(label="党员", max_length=50)
    household = forms.CharField(label="困难户户主", max_length=50)
    hardship = forms.CharField(label="困难类别", max_length=50, help_text="如：低保、残疾、独居老人")
    since = forms.DateField(label="结对日期", widget=forms.DateInput(format="%Y-%m-%d"))

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


class VisitForm(StyledForm):
    date = forms.DateField(label="走访日期", widget=forms.DateInput(format="%Y-%m-%d"))
    note = forms.CharField(label="走访情况", max_length=300)


class ChronicleForm(StyledForm):
    date = forms.DateField(label="日期", widget=forms.DateInput(format="%Y-%m-%d"))
    title = forms.CharField(label="事件", max_length=200)
    body = forms.CharField(label="内容", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ChronicleNewForm(ChronicleForm):
    region = forms.ModelChoiceField(label="社区（街道）", queryset=None)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


class OverrideForm(StyledForm):
    stars = forms.IntegerField(label="星级（1-5）")
    override_reason = forms.CharField(label="调整理由", max_length=300, required=False)


class RulesForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in RULE_FIELDS:
            f = CobuildRules._meta.get_field(name)
            self.fields[name] = forms.IntegerField(label=f.verbose_name, min_value=0,
                                                   widget=forms.NumberInput(attrs={"class": "form-control"}))
