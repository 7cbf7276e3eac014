from django import forms

from core.forms import StyledForm

from .models import SessionKind


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
