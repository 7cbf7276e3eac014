from django import forms

from core.forms import StyledForm

from .models import Channel, Satisfaction

STAFF_CHANNELS = [(c.value, c.label) for c in (Channel.HOTLINE, Channel.WALK_IN, Channel.MAILBOX)]


def _category_field(categories):
    return forms.ChoiceField(
        label="诉求类别", choices=[("", "请选择")] + [(c.code, c.name) for c in categories],
        error_messages={"invalid_choice": "诉求类别“%(value)s”不存在或已停用", "required": "请选择诉求类别"},
    )


class DemandBaseForm(StyledForm):
    title = forms.CharField(label="标题", max_length=100, error_messages={"required": "标题不能为空"})
    description = forms.CharField(label="诉求内容", widget=forms.Textarea(attrs={"rows": 4}),
                                  error_messages={"required": "诉求内容不能为空"})
    address = forms.CharField(label="地址", max_length=200, required=False)
    lat = forms.FloatField(label="纬度", required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(label="经度", required=False, widget=forms.HiddenInput)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"category": _category_field(categories), **self.fields}
        self.fields["category"].widget.attrs["class"] = "form-select"


class IntakeForm(DemandBaseForm):
    channel = forms.ChoiceField(label="渠道", choices=STAFF_CHANNELS)
    region = forms.ChoiceField(label="所属社区/网格")
    caller_name = forms.CharField(label="诉求人姓名", max_length=50, required=False)
    caller_phone = forms.CharField(label="联系电话", max_length=20, required=False,
                                   help_text="保存后只显示为 138****5678")
    anonymous = forms.BooleanField(label="匿名（不记录姓名和电话）", required=False)

    def __init__(self, *args, nodes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "请选择")] + [(n.pk, f"{'　' * max(n.depth - 2, 0)}{n}") for n in nodes]
        self.fields["region"].widget.attrs["class"] = "form-select"


class StreetReportForm(DemandBaseForm):
    grid = forms.ChoiceField(label="网格")
    household = forms.IntegerField(label="户编号", required=False, widget=forms.HiddenInput)

    def __init__(self, *args, grids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = [(g.pk, f"{g.parent} · {g}" if g.parent_id else str(g)) for g in grids]
        self.fields["grid"].widget.attrs["class"] = "form-select"


class PortalForm(DemandBaseForm):
    community = forms.ChoiceField(label="所在社区", error_messages={"required": "请选择所在社区"})
    caller_name = forms.CharField(label="称呼", max_length=50, required=False)
    caller_phone = forms.CharField(label="联系电话", max_length=20, required=False,
                                   help_text="仅工作人员回访使用，页面上不会公开")
    anonymous = forms.BooleanField(label="匿名提交", required=False)

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", "请选择")] + [
            (c.pk, f"{c.parent} · {c}" if c.parent_id else str(c)) for c in communities]
        self.fields["community"].widget.attrs["class"] = "form-select"


class RateForm(StyledForm):
    rating = forms.ChoiceField(label="您的评价", choices=Satisfaction.choices, widget=forms.RadioSelect,
                               error_messages={"required": "请选择评价"})
    note = forms.CharField(label="说明（不满意时必填）", required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))


class AddInfoForm(StyledForm):
    note = forms.CharField(label="补充内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "补充内容不能为空"})


_DATE_INVALID = "%s格式不正确，应为 年-月-日（如 2026-10-01）"


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=forms.DateInput(format="%Y-%m-%d"),
                           input_formats=["%Y-%m-%d", "%Y/%m/%d"], error_messages={"invalid": _DATE_INVALID % label})


class DaysOffForm(StyledForm):
    """添加放假: a range of days off with its name. Validation beyond parsing is the service's."""

    name = forms.CharField(label="名称", required=False,
                           widget=forms.TextInput(attrs={"placeholder": "如 国庆节"}))
    start = _date_field("开始日期")
    end = _date_field("结束日期")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="off", **kwargs)
        self.fields["end"].help_text = "只放一天时与开始日期相同；最长 15 天"


class WorkdayForm(StyledForm):
    """添加调休上班日: a Saturday or Sunday worked instead of a weekday."""

    day = _date_field("调休上班日期")
    name = forms.CharField(label="名称", required=False,
                           widget=forms.TextInput(attrs={"placeholder": "如 国庆调休"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="work", **kwargs)
        self.fields["day"].help_text = "只能是周六或周日，当天按 9:00–17:00 计入工作时间"
