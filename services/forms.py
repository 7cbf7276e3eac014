"""Forms of the service systems' pages; the services check everything again."""

from __future__ import annotations

from django import forms

from core.forms import StyledForm

from .models import Category, Channel, CharityEntry, DutyPost, ProviderKind, qty


class _Dt(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kw):
        super().__init__(format="%Y-%m-%dT%H:%M", **kw)


def _dt_field(label):
    return forms.DateTimeField(label=label, widget=_Dt(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                               error_messages={"invalid": f"{label}格式不正确", "required": f"请填写{label}"})


class CommunityForm(StyledForm):
    """A form whose first field is the community, chosen among those in the person's scope."""

    region = forms.ModelChoiceField(label="社区", queryset=None, empty_label=None)

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = communities
        self.fields["region"].label_from_instance = lambda r: r.name
        if communities is not None and len(communities) == 1:
            self.fields["region"].widget = forms.HiddenInput()
            self.fields["region"].initial = communities[0].pk


class ServiceForm(CommunityForm):
    category = forms.ChoiceField(label="类别", choices=Category.choices)
    name = forms.CharField(label="服务名称", max_length=60)
    description = forms.CharField(label="服务说明", max_length=300, required=False)


class ProviderForm(CommunityForm):
    name = forms.CharField(label="服务方名称", max_length=100)
    kind = forms.ChoiceField(label="服务方类别", choices=ProviderKind.choices)
    contact_name = forms.CharField(label="联系人", max_length=50, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=20, required=False)


class OfferingForm(StyledForm):
    service = forms.ModelChoiceField(label="服务", queryset=None)
    free = forms.BooleanField(label="免费", required=False)
    price = forms.CharField(label="价格（元）", max_length=20, required=False)
    price_unit = forms.CharField(label="计价单位", max_length=20, required=False, help_text="如：次、小时、平方米")

    def __init__(self, *args, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services


class StaffOrderForm(CommunityForm):
    """An order taken by phone (服务热线) or at the service counter."""

    channel = forms.ChoiceField(label="渠道", choices=[(Channel.HOTLINE, "服务热线"), (Channel.COUNTER, "服务站窗口")])
    service = forms.ModelChoiceField(label="服务", queryset=None)
    requester_name = forms.CharField(label="联系人", max_length=50)
    requester_phone = forms.CharField(label="联系电话", max_length=20)
    address = forms.CharField(label="服务地址", max_length=200)
    description = forms.CharField(label="需求说明", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    wanted_on = forms.DateField(label="期望日期", required=False, widget=forms.DateInput())

    def __init__(self, *args, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["service"].label_from_instance = (
            lambda s: f"{s.region.name} · {s.get_category_display()} · {s.name}")


class GridOrderForm(StyledForm):
    """A grid worker orders for a resident of their grid."""

    resident = forms.ModelChoiceField(label="居民", queryset=None)
    service = forms.ModelChoiceField(label="服务", queryset=None)
    requester_phone = forms.CharField(label="联系电话", max_length=20)
    description = forms.CharField(label="需求说明", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    wanted_on = forms.DateField(label="期望日期", required=False, widget=forms.DateInput())

    def __init__(self, *args, residents=None, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = residents
        self.fields["resident"].label_from_instance = lambda r: f"{r.name}（{r.grid.name}）"
        self.fields["service"].queryset = services
        self.fields["service"].label_from_instance = lambda s: f"{s.get_category_display()} · {s.name}"


class PortalOrderForm(StyledForm):
    community = forms.ChoiceField(label="所在社区")
    service = forms.ChoiceField(label="服务")
    requester_name = forms.CharField(label="联系人", max_length=50)
    requester_phone = forms.CharField(label="手机号", max_length=20)
    address = forms.CharField(label="服务地址", max_length=200)
    description = forms.CharField(label="需求说明", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    wanted_on = forms.DateField(label="期望日期", required=False, widget=forms.DateInput())

    def __init__(self, *args, communities=(), services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", "请选择社区")] + [(str(c.pk), f"{c.parent.name} {c.name}")
                                                                   for c in communities]
        self.fields["service"].choices = [("", "请先选择社区")] + [
            (str(s.pk), f"{s.get_category_display()} · {s.name}") for s in services]


class RateForm(StyledForm):
    rating = forms.TypedChoiceField(label="评分", coerce=int, widget=forms.RadioSelect,
                                    choices=[(5, "5 星 非常满意"), (4, "4 星 满意"), (3, "3 星 基本满意"),
                                             (2, "2 星 不满意"), (1, "1 星 很不满意")])
    note = forms.CharField(label="评价", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ErrandForm(CommunityForm):
    resident_name = forms.CharField(label="委托居民", max_length=50)
    subject = forms.CharField(label="代办事项", max_length=100)
    agency = forms.CharField(label="办理部门", max_length=100, required=False)
    taker_name = forms.CharField(label="代办人", max_length=50, help_text="承接代办的党员或社区工作人员")
    promised_on = forms.DateField(label="承诺办结日期", required=False, widget=forms.DateInput())
    steps = forms.CharField(label="办理步骤", widget=forms.Textarea(attrs={"rows": 4}),
                            help_text="每行一个步骤，如：收取材料、窗口递交、领取结果、送还居民")


class JobForm(StyledForm):
    unit = forms.ModelChoiceField(label="用工单位", queryset=None)
    region = forms.ModelChoiceField(label="岗位所在社区", queryset=None, required=False,
                                    help_text="用工单位服务多个社区时请选择")
    title = forms.CharField(label="岗位名称", max_length=60)
    openings = forms.IntegerField(label="招聘人数", min_value=1, max_value=500)
    wage = forms.CharField(label="薪酬待遇", max_length=60, required=False)
    requirements = forms.CharField(label="岗位要求", max_length=300, required=False)
    skills = forms.CharField(label="技能关键词", max_length=100, required=False,
                             help_text="用空格或逗号分隔，用于匹配求职者")

    def __init__(self, *args, units=None, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: f"{u.name}（{u.region.name}）"
        self.fields["region"].queryset = regions


class TrainingForm(CommunityForm):
    title = forms.CharField(label="培训内容", max_length=100)
    held_on = forms.DateField(label="培训日期", widget=forms.DateInput())
    hours = forms.IntegerField(label="学时", min_value=1, max_value=200)
    organizer = forms.CharField(label="承办单位", max_length=100, required=False)


class ItemForm(CommunityForm):
    name = forms.CharField(label="物品名称", max_length=50)
    unit = forms.CharField(label="计量单位", max_length=10, help_text="如：袋、桶、件")


class DonationForm(StyledForm):
    date = forms.DateField(label="日期", widget=forms.DateInput())
    party_kind = forms.ChoiceField(label="捐赠方类别", choices=[
        (CharityEntry.Party.UNIT, "驻区单位"), (CharityEntry.Party.MEMBER, "党员"),
        (CharityEntry.Party.RESIDENT, "居民"), (CharityEntry.Party.OTHER, "其他")])
    party_name = forms.CharField(label="捐赠方", max_length=100)
    kind = forms.ChoiceField(label="捐赠内容", choices=CharityEntry.Kind.choices, widget=forms.RadioSelect)
    item = forms.ModelChoiceField(label="物品", queryset=None, required=False)
    quantity = forms.CharField(label="数量", max_length=20, required=False)
    money = forms.CharField(label="金额（元）", max_length=20, required=False)
    reason = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = lambda i: f"{i.name}（库存 {qty(i.stock)}{i.unit}）"


class HandoutForm(StyledForm):
    date = forms.DateField(label="日期", widget=forms.DateInput())
    party_name = forms.CharField(label="领取人", max_length=100)
    kind = forms.ChoiceField(label="发放内容", choices=CharityEntry.Kind.choices, widget=forms.RadioSelect)
    item = forms.ModelChoiceField(label="物品", queryset=None, required=False)
    quantity = forms.CharField(label="数量", max_length=20, required=False)
    money = forms.CharField(label="金额（元）", max_length=20, required=False)
    points = forms.IntegerField(label="兑换积分", min_value=0, max_value=100000, required=False)
    reason = forms.CharField(label="发放依据", max_length=200, required=False, help_text="救助条件，或积分兑换")

    def __init__(self, *args, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = lambda i: f"{i.name}（库存 {qty(i.stock)}{i.unit}）"


class VenueForm(CommunityForm):
    name = forms.CharField(label="场所名称", max_length=60)
    capacity = forms.IntegerField(label="容纳人数", min_value=1, max_value=5000)
    equipment = forms.CharField(label="设施", max_length=200, required=False)
    free = forms.BooleanField(label="免费提供", required=False, initial=True)


class BookingForm(StyledForm):
    start = _dt_field("开始时间")
    end = _dt_field("结束时间")
    borrower = forms.CharField(label="使用单位/团体", max_length=100)
    purpose = forms.CharField(label="用途", max_length=100)
    attendees = forms.IntegerField(label="人数", min_value=0, max_value=5000, required=False)


class ShiftForm(CommunityForm):
    post = forms.ChoiceField(label="岗位", choices=DutyPost.choices)
    start = _dt_field("开始时间")
    end = _dt_field("结束时间")
    person_name = forms.CharField(label="值班人", max_length=50)
    phone = forms.CharField(label="值班电话", max_length=20, required=False)
