from django import forms

from core.forms import StyledForm

from .models import AttendanceReply, BodyKind, ResolutionKind


class BodyForm(StyledForm):
    name = forms.CharField(label="名称", max_length=120)
    kind = forms.ChoiceField(label="类别", choices=BodyKind.choices)
    region = forms.ModelChoiceField(label="所在区划", queryset=None)
    secretary = forms.ModelChoiceField(label="秘书（负责召集，未按期开会时提醒）", queryset=None, required=False)
    rotating_chair = forms.BooleanField(label="实行轮值会长制", required=False)

    def __init__(self, *args, regions, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["secretary"].queryset = users
        self.fields["secretary"].label_from_instance = lambda u: f"{u.full_name or u.username}（{u.username}）"


class MemberForm(StyledForm):
    unit = forms.ModelChoiceField(label="成员单位", queryset=None, required=False)
    person_name = forms.CharField(label="或成员姓名", max_length=50, required=False)
    title = forms.CharField(label="职务", max_length=50, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class MeetingForm(StyledForm):
    title = forms.CharField(label="会议名称", max_length=150)
    date = forms.DateField(label="日期", widget=forms.DateInput(format="%Y-%m-%d"))
    start_time = forms.TimeField(label="开始时间", required=False,
                                 widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                                 help_text="成员单位在会议开始前可以回执（参加或请假）")
    place = forms.CharField(label="地点", max_length=100, required=False)
    agenda = forms.CharField(label="议程", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    ad_hoc = forms.BooleanField(label="临时召开", required=False)


class MeetingEditForm(StyledForm):
    """Edit a scheduled meeting that has not started (checked again by services.meeting_update)."""

    title = MeetingForm.base_fields["title"]
    date = MeetingForm.base_fields["date"]
    start_time = MeetingForm.base_fields["start_time"]
    place = MeetingForm.base_fields["place"]
    agenda = MeetingForm.base_fields["agenda"]


class MeetingCancelForm(StyledForm):
    reason = forms.CharField(label="取消原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="将通知受邀单位的联络员，200 字以内",
                             error_messages={"required": "请填写取消原因"})


class MinutesForm(StyledForm):
    minutes = forms.CharField(label="会议纪要", widget=forms.Textarea(attrs={"rows": 5}))


class ResolutionForm(StyledForm):
    text = forms.CharField(label="决议事项", max_length=300)
    kind = forms.ChoiceField(label="落实方式", choices=ResolutionKind.choices)
    owner_name = forms.CharField(label="责任人", max_length=50)
    deadline = forms.DateField(label="完成期限", widget=forms.DateInput(format="%Y-%m-%d"))
    budget = forms.DecimalField(label="预算（元，共建项目适用）", required=False, min_value=0, max_digits=12,
                                decimal_places=2)
    unit = forms.ModelChoiceField(label="承办单位（该单位联络员可在“我单位的会议”中看到）", queryset=None,
                                  required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


_CHOOSE = "请选择 参加 或 请假"


class ReplyForm(StyledForm):
    """A unit liaison's reply (回执) to an invitation. Required fields depend on the choice and are
    checked by services.attendance_reply (参加: who attends; 请假: the reason)."""

    reply = forms.ChoiceField(label="回执", choices=AttendanceReply.choices, widget=forms.RadioSelect,
                              error_messages={"required": _CHOOSE, "invalid_choice": _CHOOSE})
    reply_name = forms.CharField(label="参会人员姓名", required=False, max_length=50,
                                 help_text="参加时必填；请假时可填写原定参会人员")
    reply_reason = forms.CharField(label="请假事由", required=False, max_length=200,
                                   widget=forms.Textarea(attrs={"rows": 2}), help_text="请假时必填，200 字以内")
