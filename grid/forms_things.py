"""Forms of the facility, unit and liaison pages. The services check everything again (scope included)."""

from __future__ import annotations

from django import forms

from core import treepaths as paths
from core.forms import StyledForm
from orgs.models import PartyOrg
from regions.models import Region

from .models import FacilityKind, FacilityState, UnitKind


def _no_brackets(value: str, label: str) -> str:
    value = (value or "").strip()
    if "<" in value or ">" in value:
        raise forms.ValidationError(f"{label}不能包含 < 或 > 符号")
    return value


class GridChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        parent = getattr(obj, "parent", None)
        return f"{parent.name} · {obj.name}" if parent else obj.name


def _grid_field() -> GridChoiceField:
    return GridChoiceField(
        label="网格", queryset=Region.objects.none(), empty_label="请选择网格",
        error_messages={"required": "请选择网格", "invalid_choice": "所选网格不存在或不在您可以登记的范围内"},
    )


class FacilityForm(StyledForm):
    grid = _grid_field()
    kind = forms.ChoiceField(label="类别", choices=FacilityKind.choices,
                             error_messages={"required": "请选择设施类别", "invalid_choice": "设施类别不正确"})
    name = forms.CharField(label="名称", max_length=100,
                           widget=forms.TextInput(attrs={"placeholder": "如：阳光小区东门雪亮工程摄像头"}),
                           error_messages={"required": "请填写设施名称", "max_length": "设施名称不能超过 100 个字"})
    lat = forms.FloatField(
        label="纬度（WGS-84）", widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        error_messages={"required": "请填写纬度，或在地图上点选位置", "invalid": "纬度应为数字，如 47.0012"})
    lng = forms.FloatField(
        label="经度（WGS-84）", widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        error_messages={"required": "请填写经度，或在地图上点选位置", "invalid": "经度应为数字，如 89.5034"})

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = grids

    def clean_name(self):
        return _no_brackets(self.cleaned_data["name"], "设施名称")


class FacilityStateForm(StyledForm):
    state = forms.ChoiceField(label="新状态", choices=FacilityState.choices,
                              error_messages={"required": "请选择状态", "invalid_choice": "设施状态不正确"})
    note = forms.CharField(
        label="情况说明", max_length=200, required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "如：镜头被树枝遮挡；已报修；已修复"}),
        error_messages={"max_length": "情况说明不能超过 200 字"},
    )


def party_orgs_for(communities: list[Region]):
    """Party organizations a unit may be linked to: those under the unit's community."""
    if not communities:
        return PartyOrg.objects.none()
    q = paths.under_any("region__path", [c.path for c in communities])
    return PartyOrg.objects.filter(q).order_by("region__path", "name")


class UnitForm(StyledForm):
    grid = _grid_field()
    kind = forms.ChoiceField(label="类别", choices=UnitKind.choices,
                             error_messages={"required": "请选择单位类别", "invalid_choice": "单位类别不正确"})
    name = forms.CharField(label="名称", max_length=100,
                           error_messages={"required": "请填写单位名称", "max_length": "单位名称不能超过 100 个字"})
    address = forms.CharField(label="地址", max_length=200, required=False,
                              error_messages={"max_length": "地址不能超过 200 个字"})
    contact_name = forms.CharField(label="联系人", max_length=50, required=False,
                                   error_messages={"max_length": "联系人不能超过 50 个字"})
    contact_phone = forms.CharField(label="联系电话（手机号）", max_length=20, required=False,
                                    widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
                                    error_messages={"max_length": "联系电话过长"})
    clear_phone = forms.BooleanField(label="清除已登记的联系电话", required=False)
    has_party_org = forms.BooleanField(label="已建党组织", required=False)
    party_org = forms.ModelChoiceField(
        label="所属党组织（已录入系统时选择）", queryset=PartyOrg.objects.none(), required=False,
        empty_label="（未录入或未建）",
        error_messages={"invalid_choice": "所选党组织不存在或不在本社区"},
    )

    def __init__(self, *args, grids, communities, masked_phone: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = grids
        self.fields["party_org"].queryset = party_orgs_for(communities)
        self.fields["party_org"].label_from_instance = lambda o: f"{o.name}（{o.get_level_display()}）"
        if masked_phone is None:  # adding: nothing stored to keep or clear
            del self.fields["clear_phone"]
        elif masked_phone:
            self.fields["contact_phone"].help_text = f"已登记 {masked_phone}；留空则保持不变"
        else:
            self.fields["contact_phone"].help_text = "未登记"
            del self.fields["clear_phone"]

    def clean_name(self):
        return _no_brackets(self.cleaned_data["name"], "单位名称")

    def clean_address(self):
        return _no_brackets(self.cleaned_data["address"], "地址")

    def clean_contact_name(self):
        return _no_brackets(self.cleaned_data["contact_name"], "联系人")


class LiaisonForm(StyledForm):
    name = forms.CharField(label="姓名", max_length=50,
                           error_messages={"required": "请填写联络员姓名", "max_length": "联络员姓名不能超过 50 个字"})
    duty = forms.CharField(label="职责", max_length=50, required=False,
                           widget=forms.TextInput(attrs={"placeholder": "如：楼栋长、党员联络员"}),
                           error_messages={"max_length": "职责不能超过 50 个字"})

    def clean_name(self):
        return _no_brackets(self.cleaned_data["name"], "联络员姓名")

    def clean_duty(self):
        return _no_brackets(self.cleaned_data["duty"], "职责")
