from django import forms

from core.forms import StyledForm as _StyledForm

from .models import Category, Education, Gender, MemberStatus


class StyledForm(_StyledForm):
    """StyledForm whose date inputs carry ISO values (what <input type=date> understands)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.DateInput):
                field.widget.format = "%Y-%m-%d"


class RegionChoiceField(forms.ModelChoiceField):
    """Residence choices labelled from the community down (“东一社区 网格1”): grids of different communities
    share names. The names come from the choices themselves (the queryset holds the communities and what lies
    under them), read once per form."""

    def _set_queryset(self, queryset):
        super()._set_queryset(queryset)
        self._names = None

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def label_from_instance(self, obj):
        from core.treepaths import SEGMENT

        if self._names is None:
            self._names = dict(self.queryset.values_list("path", "name"))
        names = [self._names.get(obj.path[:end]) for end in range(SEGMENT, len(obj.path), SEGMENT)]
        return " ".join([n for n in names if n] + [obj.name])


class MemberForm(StyledForm):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=18, help_text="18 位；性别和出生日期由身份证号确定")
    gender = forms.ChoiceField(label="性别", choices=[("", "按身份证号")] + Gender.choices, required=False)
    ethnicity = forms.CharField(label="民族", max_length=20, initial="汉族")
    mobile = forms.CharField(label="手机号", max_length=20, required=False)
    education = forms.ChoiceField(label="学历", choices=[("", "—")] + Education.choices, required=False)
    occupation = forms.CharField(label="职业", max_length=50, required=False)
    joined_on = forms.DateField(label="入党日期")
    full_member_on = forms.DateField(label="转正日期", required=False, help_text="预备党员不填")
    status = forms.ChoiceField(label="党员状态", choices=MemberStatus.choices[:2])
    category = forms.ChoiceField(label="党员类别", choices=Category.choices)
    org = forms.ModelChoiceField(label="所在党组织", queryset=None)
    residence = RegionChoiceField(label="居住社区/网格", queryset=None, required=False)
    address = forms.CharField(label="居住地址", max_length=200, required=False)
    employer = forms.CharField(label="工作单位", max_length=120, required=False)
    unit_org = forms.ModelChoiceField(label="单位党组织", queryset=None, required=False)
    monthly_income = forms.DecimalField(label="月收入（税后，元）", required=False, min_value=0, max_digits=10,
                                        decimal_places=2, help_text="用于计算党费")

    def __init__(self, *args, orgs, regions, unit_orgs, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs
        self.fields["residence"].queryset = regions
        self.fields["unit_org"].queryset = unit_orgs
        if editing:
            self.fields["org"].disabled = True
            self.fields["org"].help_text = "更换所在党组织请走“组织关系转接”"
            self.fields["id_number"].help_text = "如需更正身份证号，请输入完整号码"
            self.fields["mobile"].help_text = "如需更正手机号，请输入完整号码"


class RevealForm(StyledForm):
    purpose = forms.CharField(label="查看目的", max_length=200, help_text="查看完整身份证号和手机号将记入审计日志")


class DecideForm(StyledForm):
    reason = forms.CharField(label="退回原因", max_length=300, required=False)


class DualRequestForm(StyledForm):
    member = forms.ModelChoiceField(label="在职党员", queryset=None)
    community = forms.ModelChoiceField(label="居住地社区", queryset=None)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args, members, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["community"].queryset = communities


class UnitDualRequestForm(StyledForm):
    unit_org = forms.ModelChoiceField(label="单位党组织", queryset=None)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args, unit_orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_org"].queryset = unit_orgs


class DeedForm(StyledForm):
    date = forms.DateField(label="日期")
    title = forms.CharField(label="事项", max_length=200)
    hours = forms.DecimalField(label="时长（小时）", min_value=0, max_digits=6, decimal_places=1, initial=0,
                               required=False)


class OutflowForm(StyledForm):
    member = forms.ModelChoiceField(label="党员", queryset=None)
    destination = forms.CharField(label="流入地", max_length=200)
    left_on = forms.DateField(label="外出日期")
    contact = forms.CharField(label="联系方式", max_length=100, required=False)
    card_number = forms.CharField(label="流动党员活动证号", max_length=50, required=False)
    origin_task = forms.CharField(label="领取的任务", max_length=200, required=False)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members


class InflowForm(StyledForm):
    destination_org = forms.ModelChoiceField(label="流入地党组织", queryset=None)
    registered_on = forms.DateField(label="报到日期")
    destination_task = forms.CharField(label="领取的任务", max_length=200, required=False)

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["destination_org"].queryset = orgs


class TransferForm(StyledForm):
    to_org = forms.ModelChoiceField(label="转入党组织", queryset=None)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org"].queryset = orgs


class BatchTransferForm(StyledForm):
    from_org = forms.ModelChoiceField(label="转出党组织（如国企退休党员所在党组织）", queryset=None)
    title = forms.CharField(label="批次名称", max_length=200, initial="退休党员社会化移交")

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_org"].queryset = orgs


class DuesForm(StyledForm):
    month = forms.DateField(label="所属月份", help_text="任选该月中的一天")
    amount = forms.DecimalField(label="金额（元）", min_value=0, max_digits=8, decimal_places=2)
    paid_on = forms.DateField(label="缴纳日期", required=False)


class RulesForm(StyledForm):
    deed_quota_min = forms.IntegerField(label="在职党员每年实事下限", min_value=0, max_value=50)
    deed_quota_max = forms.IntegerField(label="在职党员每年实事上限", min_value=0, max_value=50)
    mobile_no_contact_months = forms.IntegerField(label="流动党员失联提醒（月）", min_value=1, max_value=36)
    arrears_months = forms.IntegerField(label="欠缴党费提醒（月）", min_value=1, max_value=36)
    # The fixed monthly amount (students, unemployed, hardship) is edited on the 党费标准 page only.


class PhotoForm(StyledForm):
    photo = forms.FileField(
        label="照片", help_text="JPEG 或 PNG，不超过 5 MB；保存时统一转为 JPEG 并去除拍摄信息",
        widget=forms.FileInput(attrs={"accept": ".jpg,.jpeg,.png,image/jpeg,image/png"}),
        error_messages={"required": "照片：请选择要上传的图片文件", "empty": "照片：上传的文件是空的",
                        "invalid": "照片：请选择要上传的图片文件", "missing": "照片：没有收到文件"},
    )


def _money(label: str, **kw) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=10, decimal_places=2, **kw,
        error_messages={"invalid": f"{label}应为数字", "required": f"请填写{label}",
                        "max_digits": f"{label}过大", "max_whole_digits": f"{label}过大",
                        "max_decimal_places": f"{label}最多两位小数"},
    )


class TierForm(StyledForm):
    """One band of the dues rule: monthly income in (lower, upper] pays `rate` percent."""

    lower = _money("收入下限（元）", required=False)
    upper = _money("收入上限（元）", required=False)
    rate = forms.DecimalField(label="比例（%）", max_digits=5, decimal_places=2, required=False,
                              error_messages={"invalid": "比例应为数字", "required": "请填写比例",
                                              "max_digits": "比例应在 0 到 100% 之间",
                                              "max_whole_digits": "比例应在 0 到 100% 之间",
                                              "max_decimal_places": "比例最多两位小数"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.update({"inputmode": "decimal", "aria-label": field.label,
                                       "style": "min-width:5rem" if name == "rate" else "min-width:7.5rem"})
            if name == "upper":
                field.widget.attrs["placeholder"] = "不设上限"


TierFormSet = forms.formset_factory(TierForm, extra=1, can_delete=True, max_num=20, absolute_max=40,
                                    validate_max=True)


class FixedDuesForm(StyledForm):
    fixed_amount = _money("学生、下岗失业、困难党员每月党费（元）",
                          help_text="《规定》为每月 0.2 元至 1 元")


class UserLinkForm(StyledForm):
    username = forms.CharField(label="平台账号（登录名）", max_length=150, required=False,
                               help_text="关联后，该账号可在“我的档案”查看本人档案（脱敏）并打印登记卡；留空保存即取消关联")
