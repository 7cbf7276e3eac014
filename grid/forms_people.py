"""Forms of the places-and-people pages (houses, households, residents, leases). They parse; the services of
grid/services/ (houses, households, residents, leases) decide, with Chinese messages naming the field."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from core.forms import StyledForm
from core.masking import mask_id_number, mask_mobile

from .models import CARE_TAGS, Household, HouseUse, Relation, Resident, ResidentKind, ResidentStatus


def _date(label: str, *, required: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, help_text=help_text,
                           widget=forms.DateInput(format="%Y-%m-%d"))


class PeopleForm(StyledForm):
    """Every built-in message names its field: "请填写门牌（室号）", "面积（㎡）格式不正确"…"""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            label = field.label
            field.error_messages.update({
                "required": f"请填写{label}",
                "invalid": f"{label}格式不正确",
                "invalid_choice": f"{label}的选项不正确",
                "invalid_list": f"{label}的选项不正确",
                "invalid_pk_value": f"{label}的选项不正确",
                "max_length": f"{label}不能超过 %(limit_value)d 个字（现为 %(show_value)d 个）",
                "min_value": f"{label}不能小于 %(limit_value)s",
                "max_value": f"{label}不能大于 %(limit_value)s",
                "max_digits": f"{label}的数字位数过多",
                "max_decimal_places": f"{label}最多保留 %(max)s 位小数",
                "max_whole_digits": f"{label}的整数部分过大",
            })
            if isinstance(field.widget, forms.DateInput):
                field.error_messages["invalid"] = f"{label}格式不正确，应为 年-月-日"
        self._stored_phones: dict[str, str] = {}

    def show_stored_phone(self, name: str, stored: str) -> None:
        """An edit page's phone field for a number stored encrypted. The field shows it masked ("138****5678"),
        never in full: left as shown keeps it, emptied removes it, a new number replaces it. cleaned_data then
        holds None (keep), "" (clear) or the typed number, as the services take it.

        A hidden `<name>_shown` carries the masked number that was shown. A blank value without it comes from
        a page that never showed the number (opened before the field was pre-filled, or a script): it keeps
        the stored number, as those pages said ("留空表示不修改")."""
        if not stored:
            self.fields[name].help_text = "未登记"
            return
        masked = mask_mobile(stored)
        self._stored_phones[name] = masked
        self.initial.setdefault(name, masked)
        self.fields[name].widget.attrs["data-stored"] = masked   # form.html warns when it is emptied
        self.fields[name].help_text = f"已登记 {masked}；保留原样表示不修改，清空表示删除该号码，填写新号码则替换"
        self.fields[f"{name}_shown"] = forms.CharField(required=False, widget=forms.HiddenInput, initial=masked)

    def clean(self):
        data = super().clean()
        for name, masked in self._stored_phones.items():
            if name in self.errors:
                continue
            value = "".join((data.get(name) or "").split())
            if value == masked:
                data[name] = None                                   # untouched: keep
            elif not value:
                data[name] = "" if data.get(f"{name}_shown") else None  # emptied: remove
            elif "*" in value:
                self.add_error(name, f"{self.fields[name].label}请填写完整的 11 位手机号；不修改请保留“{masked}”，"
                                     "删除请清空")
        return data


class HouseForm(PeopleForm):
    unit = forms.CharField(label="单元", max_length=10, required=False, help_text="如 1；没有单元留空")
    number = forms.CharField(label="门牌（室号）", max_length=20, help_text="如 301")
    use = forms.ChoiceField(label="房屋用途", choices=HouseUse.choices)
    area = forms.DecimalField(label="面积（㎡）", required=False, max_digits=8, decimal_places=2,
                              min_value=Decimal("0.01"), widget=forms.NumberInput(attrs={"step": "0.01",
                                                                                          "inputmode": "decimal"}))


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Resident) -> str:
        return f"{obj.name}（{obj.get_relation_display()}）"


class HouseholdEditForm(PeopleForm):
    head = MemberChoice(label="户主", queryset=Resident.objects.none(), required=False,
                        empty_label="（户主不在本户成员中，按下方姓名登记）")
    head_name = forms.CharField(label="户主姓名", max_length=50, required=False,
                                help_text="户主不在本户成员中时填写；选择了成员则以成员姓名为准")
    number = forms.CharField(label="户号", max_length=30, required=False, help_text="同一房屋内住有多户时填写")

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["head"].queryset = Resident.objects.filter(
            household=household, status=ResidentStatus.ACTIVE).order_by("id")

    def clean(self):
        data = super().clean()
        if not data.get("head") and not (data.get("head_name") or "").strip() and "head_name" not in self.errors:
            self.add_error("head_name", "请选择户主或填写户主姓名")
        return data


class MoveOutForm(PeopleForm):
    moved_out_on = _date("迁出日期", required=True)
    reason = forms.CharField(label="迁出说明", max_length=200, help_text="如：迁往外地、房屋出售",
                             widget=forms.Textarea(attrs={"rows": 2}))


class _PersonForm(PeopleForm):
    """A person's own fields, shared by the resident form and the household form (which registers the head)."""

    id_number = forms.CharField(label="身份证号", max_length=24, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
                                help_text="18 位；性别和出生日期由身份证号得出")
    phone = forms.CharField(label="手机号", max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    kind = forms.ChoiceField(label="人口类型", choices=ResidentKind.choices)
    care_tags = forms.MultipleChoiceField(label="关爱标签", required=False, widget=forms.CheckboxSelectMultiple,
                                          choices=[(key, label) for key, _, label in CARE_TAGS])
    arrival_date = _date("来本地日期", help_text="流动人口必填")
    permit_expiry = _date("居住证到期日", help_text="流动人口已办理居住证的填写")

    def clean_id_number(self) -> str:
        # People copy numbers grouped "654322 19880506 1234": spaces are not part of the number.
        return "".join((self.cleaned_data.get("id_number") or "").split())


class ResidentForm(_PersonForm):
    name = forms.CharField(label="姓名", max_length=50)
    relation = forms.ChoiceField(label="与户主关系", choices=Relation.choices)
    joined_on = _date("入户日期", help_text="迁入本户的日期；留空为今天（登记之日）")

    field_order = ["name", "id_number", "phone", "kind", "relation", "joined_on", "care_tags", "arrival_date",
                   "permit_expiry"]

    def __init__(self, *args, resident: Resident | None = None, need_relation: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if need_relation:  # the household has a head already: make the worker choose
            self.fields["relation"].choices = [("", "请选择"), *Relation.choices]
        if resident is not None:
            if resident.id_number:
                self.fields["id_number"].help_text = (f"已登记 {mask_id_number(resident.id_number)}；"
                                                      "留空表示不修改，填写则替换")
            self.show_stored_phone("phone", resident.phone)
            self.fields["joined_on"].help_text = "迁入本户的日期；留空表示不修改"


class HouseholdForm(_PersonForm):
    """登记住户: the household and its head on one page, saved together (never a household without its head)."""

    head_name = forms.CharField(label="户主姓名", max_length=50)
    number = forms.CharField(label="户号", max_length=30, required=False, help_text="同一房屋内住有多户时填写")
    joined_on = _date("入户日期", help_text="户主迁入本户的日期；留空为今天（登记之日）")

    HEAD = ["head_name", "id_number", "phone", "kind", "joined_on", "care_tags", "arrival_date", "permit_expiry"]
    field_order = [*HEAD, "number"]

    def head_fields(self):
        return [self[name] for name in self.HEAD]

    def household_fields(self):
        return [self["number"]]

    def head_data(self) -> dict:
        """The head's resident fields for services.household_create(head=...)."""
        return {k: self.cleaned_data[k] for k in self.HEAD if k != "head_name"}


class LeaveForm(PeopleForm):
    status = forms.ChoiceField(label="变动类型", widget=forms.RadioSelect,
                               choices=[(ResidentStatus.MOVED_OUT, "迁出"), (ResidentStatus.DECEASED, "死亡")])
    left_on = _date("迁出或死亡日期", required=True)
    note = forms.CharField(label="说明", max_length=200, required=False, help_text="如：迁往何处",
                           widget=forms.Textarea(attrs={"rows": 2}))


class TransferForm(PeopleForm):
    """居民迁入他户. The target household is found by the lookup field `q` (address or head name) and chosen
    from the matches; the view lists them, the service decides whether the move is allowed."""

    q = forms.CharField(label="查找迁入住户", required=False,  # only a lookup: never refused, cut to 50
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                                      "placeholder": "地址或户主姓名，如 1单元301、张三"}))
    household = forms.ModelChoiceField(label="迁入住户", queryset=Household.objects.none(),
                                       widget=forms.RadioSelect)
    relation = forms.ChoiceField(label="与新户户主关系", choices=[("", "请选择"), *Relation.choices])
    moved_on = _date("迁入日期", required=True)
    note = forms.CharField(label="说明", max_length=200, required=False, help_text="如：婚后迁入配偶家",
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, households, **kwargs):
        """`households`: the households the user may pick from (their grid.people scope)."""
        super().__init__(*args, **kwargs)
        field = self.fields["household"]
        field.queryset = households
        field.error_messages.update({"required": "请查找并选择迁入住户",
                                     "invalid_choice": "迁入住户不存在或不在您的管辖范围内，请重新查找选择"})

    def clean_q(self) -> str:
        return " ".join((self.cleaned_data.get("q") or "").split())[:50]


class TenantChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Resident) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"


class LeaseForm(PeopleForm):
    landlord_name = forms.CharField(label="房东姓名", max_length=50)
    landlord_phone = forms.CharField(label="房东电话", max_length=20, required=False,
                                     widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    tenants = TenantChoice(label="租户", queryset=Resident.objects.none(), required=False,
                           widget=forms.CheckboxSelectMultiple,
                           help_text="本房屋的在住居民；租户尚未登记时，请先在住户中登记")
    start_date = _date("起租日", required=True)
    end_date = _date("到期日", required=True)

    def __init__(self, *args, house, lease=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tenants"].queryset = Resident.objects.filter(
            household__house=house, status=ResidentStatus.ACTIVE).order_by("household_id", "id")
        if lease is not None:
            self.show_stored_phone("landlord_phone", lease.landlord_phone)


class LeaseEndForm(PeopleForm):
    ended_on = _date("退租日期", required=True)
