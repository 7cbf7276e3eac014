from django import forms

from core.forms import StyledForm
from members.models import Education, Gender

from .models import CourseKind, Employment, Position, Rating, TrackKind


class CommunityField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent.name} {obj.name}" if obj.parent_id else obj.name


def _choices(choices):
    return [("", "—")] + list(choices)


MONEY = forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"})


class CadreForm(StyledForm):
    region = CommunityField(label="所在社区", queryset=None, empty_label=None)
    name = forms.CharField(label="姓名", max_length=50)
    gender = forms.ChoiceField(label="性别", choices=_choices(Gender.choices))
    birth_date = forms.DateField(label="出生日期", widget=forms.DateInput)
    id_number = forms.CharField(label="身份证号", max_length=30)
    mobile = forms.CharField(label="手机号", max_length=20, required=False)
    education = forms.ChoiceField(label="学历", choices=_choices(Education.choices))
    position = forms.ChoiceField(label="职务", choices=_choices(Position.choices))
    one_shoulder = forms.BooleanField(label="书记兼任居委会主任（“一肩挑”）", required=False)
    two_committees = forms.BooleanField(label="“两委”班子成员", required=False)
    branch_committee = forms.BooleanField(label="支委成员", required=False)
    employment = forms.ChoiceField(label="身份类别", choices=_choices(Employment.choices))
    monthly_allowance = forms.DecimalField(label="月补贴（元）", max_digits=12, decimal_places=2, initial=0,
                                           widget=MONEY)
    joined_on = forms.DateField(label="到社区工作时间", widget=forms.DateInput)
    document = forms.CharField(label="任职文号", max_length=60, required=False)
    contract_start = forms.DateField(label="聘用合同起始日期", required=False, widget=forms.DateInput)
    contract_end = forms.DateField(label="聘用合同终止日期（不填按一聘三年）", required=False, widget=forms.DateInput)
    note = forms.CharField(label="备注", max_length=300, required=False)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = communities


class CadreEditForm(StyledForm):
    mobile = forms.CharField(label="手机号", max_length=20, required=False)
    education = forms.ChoiceField(label="学历", choices=Education.choices)
    monthly_allowance = forms.DecimalField(label="月补贴（元）", max_digits=12, decimal_places=2, widget=MONEY)
    two_committees = forms.BooleanField(label="“两委”班子成员", required=False)
    branch_committee = forms.BooleanField(label="支委成员", required=False)
    note = forms.CharField(label="备注", max_length=300, required=False)


class AppointForm(StyledForm):
    position = forms.ChoiceField(label="新职务", choices=_choices(Position.choices))
    one_shoulder = forms.BooleanField(label="书记兼任居委会主任（“一肩挑”）", required=False)
    two_committees = forms.BooleanField(label="“两委”班子成员", required=False)
    branch_committee = forms.BooleanField(label="支委成员", required=False)
    date = forms.DateField(label="任职日期", widget=forms.DateInput)
    document = forms.CharField(label="任职文号", max_length=60, required=False)
    note = forms.CharField(label="说明", max_length=300, required=False)


class TransferForm(StyledForm):
    to_region = CommunityField(label="调入社区", queryset=None)
    position = forms.ChoiceField(label="新职务（不变可不选）", choices=_choices(Position.choices), required=False)
    date = forms.DateField(label="调动日期", widget=forms.DateInput)
    document = forms.CharField(label="调动文号", max_length=60, required=False)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_region"].queryset = communities


class LeaveForm(StyledForm):
    date = forms.DateField(label="离职日期", widget=forms.DateInput)
    note = forms.CharField(label="离职原因", max_length=300)


class RejoinForm(StyledForm):
    region = CommunityField(label="入职社区", queryset=None, empty_label=None)
    position = forms.ChoiceField(label="职务", choices=_choices(Position.choices))
    employment = forms.ChoiceField(label="身份类别", choices=_choices(Employment.choices))
    date = forms.DateField(label="入职日期", widget=forms.DateInput)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = communities


class ContractForm(StyledForm):
    contract_start = forms.DateField(label="起始日期", widget=forms.DateInput)
    contract_end = forms.DateField(label="终止日期（不填按一聘三年）", required=False, widget=forms.DateInput)
    employer = forms.CharField(label="聘用单位", max_length=100, required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)


class CertificateForm(StyledForm):
    cert_name = forms.CharField(label="证书名称", max_length=60, initial="社会工作者职业资格证书（社工师）")
    number = forms.CharField(label="证书编号", max_length=40, required=False)
    issued_on = forms.DateField(label="取得日期", widget=forms.DateInput)
    valid_until = forms.DateField(label="有效期至", required=False, widget=forms.DateInput)


class AppraisalForm(StyledForm):
    year = forms.IntegerField(label="年度", min_value=1950, max_value=2100)
    rating = forms.ChoiceField(label="考核等次", choices=_choices(Rating.choices))
    note = forms.CharField(label="评语", max_length=300, required=False)


class AwardForm(StyledForm):
    title = forms.CharField(label="荣誉名称", max_length=100, initial="最辛苦社区干部")
    award_date = forms.DateField(label="授予日期", widget=forms.DateInput)
    issuer = forms.CharField(label="授予单位", max_length=100)


class TrackForm(StyledForm):
    kind = forms.ChoiceField(label="类别", choices=_choices(TrackKind.choices))
    since = forms.DateField(label="起始日期", widget=forms.DateInput)
    until = forms.DateField(label="截止日期", required=False, widget=forms.DateInput)
    origin = forms.CharField(label="选派单位 / 培养方向", max_length=100)
    note = forms.CharField(label="说明", max_length=300, required=False)


class TrackNoteForm(StyledForm):
    date = forms.DateField(label="日期", widget=forms.DateInput)
    text = forms.CharField(label="跟踪记录", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class CourseForm(StyledForm):
    region = forms.ModelChoiceField(label="举办层级", queryset=None, empty_label=None)
    title = forms.CharField(label="培训名称", max_length=120)
    kind = forms.ChoiceField(label="培训类别", choices=_choices(CourseKind.choices))
    organizer = forms.CharField(label="举办单位", max_length=100)
    start = forms.DateField(label="开始日期", widget=forms.DateInput)
    end = forms.DateField(label="结束日期", widget=forms.DateInput)
    days = forms.DecimalField(label="培训天数", max_digits=6, decimal_places=1,
                              widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}))
    hours = forms.DecimalField(label="学时", max_digits=7, decimal_places=1, required=False,
                               widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}))

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


class CadreChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.region.name} · {obj.get_position_display()}）"


class AttendanceForm(StyledForm):
    cadre = CadreChoice(label="参训人员", queryset=None)
    days = forms.DecimalField(label="参训天数（不填按培训天数）", max_digits=6, decimal_places=1, required=False,
                              widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}))
    hours = forms.DecimalField(label="学时（不填按培训学时）", max_digits=7, decimal_places=1, required=False,
                               widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}))
    passed = forms.BooleanField(label="结业", required=False, initial=True)

    def __init__(self, *args, cadres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres
