from django import forms

from core.forms import StyledForm

from .models import CareKind, CareReason, ContactWay, FundKind, Holiday, SessionKind


class SessionForm(StyledForm):
    org = forms.ModelChoiceField(label="党组织", queryset=None, empty_label=None)
    kind = forms.ChoiceField(label="类别", choices=SessionKind.choices)
    date = forms.DateField(label="日期", widget=forms.DateInput)
    start_time = forms.TimeField(label="开始时间", required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    online = forms.BooleanField(label="线上召开", required=False)
    place = forms.CharField(label="地点", max_length=100, required=False)
    topic = forms.CharField(label="主题", max_length=150)
    host_name = forms.CharField(label="主持人", max_length=50)
    lecturer = forms.CharField(label="授课人（党课必填）", max_length=50, required=False)
    recorder_name = forms.CharField(label="记录人", max_length=50, required=False)
    agenda = forms.CharField(label="议程", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    held = forms.BooleanField(label="已召开（补登已召开的组织生活）", required=False)

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs


class MinutesForm(StyledForm):
    recorder_name = forms.CharField(label="记录人", max_length=50, required=False)
    minutes = forms.CharField(label="会议记录", max_length=20000, widget=forms.Textarea(attrs={"rows": 6}))
    resolutions = forms.CharField(label="决议", max_length=4000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))


class PhotoForm(StyledForm):
    photo = forms.FileField(label="照片（JPEG 或 PNG）")


class ApplicantForm(StyledForm):
    org = forms.ModelChoiceField(label="培养党组织", queryset=None, empty_label=None)
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=18)
    applied_on = forms.DateField(label="递交入党申请书日期", widget=forms.DateInput)
    occupation = forms.CharField(label="职业", max_length=50, required=False)
    social_org = forms.CharField(label="所在社会组织（社会组织负责人填写）", max_length=120, required=False)
    contacts = forms.CharField(label="培养联系人（两名正式党员）", max_length=100, required=False)

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs


class AdvanceForm(StyledForm):
    on = forms.DateField(label="日期", widget=forms.DateInput)
    documents = forms.MultipleChoiceField(label="已具备的材料", required=False, widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args, documents, full=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].choices = [(d, d) for d in documents]
        if full:
            from members.models import Category

            self.fields["category"] = forms.ChoiceField(label="党员类别", choices=Category.choices,
                                                        initial=Category.EMPLOYED)
            self.fields["category"].widget.attrs["class"] = "form-select"


class _MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.org.name}）"


class CareVisitForm(StyledForm):
    member = _MemberChoice(label="走访对象", queryset=None, empty_label="请选择党员")
    date = forms.DateField(label="走访日期", widget=forms.DateInput)
    reason = forms.ChoiceField(label="对象情况", choices=CareReason.choices)
    occasion = forms.ChoiceField(label="节日", choices=[("", "请选择")] + Holiday.choices, required=False)
    visitors = forms.CharField(label="走访人", max_length=100)
    content = forms.CharField(label="内容", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    amount = forms.DecimalField(label="慰问金额（元，含物品折价）", required=False, max_digits=14, decimal_places=2)
    note = forms.CharField(label="备注", max_length=300, required=False)

    def __init__(self, *args, members, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        if kind == CareKind.STUDY:
            del self.fields["occasion"], self.fields["amount"]
            self.fields["content"].label = "学习内容"
        else:
            self.fields["content"].label = "慰问品"


class FundEntryForm(StyledForm):
    org = forms.ModelChoiceField(label="社区党组织", queryset=None, empty_label=None)
    kind = forms.ChoiceField(label="收支", choices=FundKind.choices)
    date = forms.DateField(label="日期", widget=forms.DateInput)
    amount = forms.DecimalField(label="金额（元）", max_digits=16, decimal_places=2)
    counterpart = forms.CharField(label="缴纳人或单位（收入）", max_length=100, required=False)
    member = _MemberChoice(label="受助党员（资助）", queryset=None, required=False, empty_label="请选择党员")
    purpose = forms.CharField(label="资金来源或资助事由", max_length=200)
    decided_by = forms.CharField(label="决定依据（资助必填，如：支委会研究同意）", max_length=100, required=False)

    def __init__(self, *args, orgs, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs
        self.fields["member"].queryset = members


class PairForm(StyledForm):
    contact = _MemberChoice(label="结对联系党员", queryset=None, empty_label="请选择党员")
    started_on = forms.DateField(label="结对日期", widget=forms.DateInput)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = members


class ContactLogForm(StyledForm):
    date = forms.DateField(label="联系日期", widget=forms.DateInput)
    way = forms.ChoiceField(label="联系方式", choices=ContactWay.choices)
    content = forms.CharField(label="联系内容", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    effect = forms.CharField(label="效果", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
