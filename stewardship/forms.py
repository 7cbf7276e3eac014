from django import forms

from core.forms import StyledForm

from .models import (
    AssetCategory,
    CountResult,
    DisposalMethod,
    EntryKind,
    IncomeSource,
    Ownership,
    RoomFunction,
    SpendingCategory,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class CommunityField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent.name} {obj.name}" if obj.parent_id else obj.name


class FundYearForm(StyledForm):
    region = CommunityField(label="社区", queryset=None, empty_label=None)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = communities
        for value, label in SpendingCategory.choices:
            self.fields[f"budget_{value}"] = forms.DecimalField(
                label=f"{label}预算（元）", required=False, max_digits=14, decimal_places=2,
                widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01", "inputmode": "decimal"}))

    def budget(self) -> dict:
        return {v: self.cleaned_data.get(f"budget_{v}") for v, _ in SpendingCategory.choices}


class BudgetForm(StyledForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in SpendingCategory.choices:
            self.fields[f"budget_{value}"] = forms.DecimalField(
                label=f"{label}预算（元）", required=False, max_digits=14, decimal_places=2,
                widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01", "inputmode": "decimal"}))

    def budget(self) -> dict:
        return {v: self.cleaned_data.get(f"budget_{v}") for v, _ in SpendingCategory.choices}


class EntryForm(StyledForm):
    kind = forms.ChoiceField(label="收支", choices=EntryKind.choices)
    date = forms.DateField(label="日期", widget=forms.DateInput)
    source = forms.ChoiceField(label="收入来源（收入填写）", choices=[("", "—")] + IncomeSource.choices, required=False)
    category = forms.ChoiceField(label="支出类别（支出填写）", choices=[("", "—")] + SpendingCategory.choices,
                                 required=False)
    amount = forms.DecimalField(label="金额（元）", max_digits=16, decimal_places=2,
                                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}))
    summary = forms.CharField(label="摘要", max_length=200)
    counterparty = forms.CharField(label="付款/收款单位", max_length=100, required=False)
    voucher_no = forms.CharField(label="凭证号", max_length=30, required=False)
    vouchers = MultipleFileField(label="凭证（发票、收据的扫描件或照片，PDF/JPG/PNG；支出必传）", required=False)
    request_approval = forms.BooleanField(label="申请审批（超出结余或预算类别的支出）", required=False)
    approval_reason = forms.CharField(label="申请审批理由", max_length=300, required=False)


class VoucherForm(StyledForm):
    vouchers = MultipleFileField(label="补充凭证（PDF/JPG/PNG）", required=False)


class DecisionForm(StyledForm):
    note = forms.CharField(label="审批意见（不批准时必填）", max_length=300, required=False)


class PremisesForm(StyledForm):
    region = CommunityField(label="社区", queryset=None, empty_label=None)
    name = forms.CharField(label="场所名称", max_length=100)
    address = forms.CharField(label="地址", max_length=200, required=False)
    ownership = forms.ChoiceField(label="产权", choices=Ownership.choices)
    area_m2 = forms.DecimalField(label="建筑面积（平方米）", max_digits=12, decimal_places=1)
    built_year = forms.IntegerField(label="建成年份", required=False)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = communities


class RoomForm(StyledForm):
    function = forms.ChoiceField(label="功能", choices=RoomFunction.choices)
    name = forms.CharField(label="名称（不填则用功能名）", max_length=60, required=False)
    area_m2 = forms.DecimalField(label="面积（平方米）", max_digits=10, decimal_places=1)
    lendable = forms.BooleanField(label="可向驻区单位开放", required=False)


class LoanForm(StyledForm):
    room = forms.ModelChoiceField(label="场地", queryset=None, empty_label=None)
    unit = forms.ModelChoiceField(label="驻区单位", queryset=None, empty_label=None)
    project = forms.ModelChoiceField(label="共建项目（可不选）", queryset=None, required=False)
    start = forms.DateField(label="开始日期", widget=forms.DateInput)
    end = forms.DateField(label="结束日期", widget=forms.DateInput)
    purpose = forms.CharField(label="用途", max_length=150)

    def __init__(self, *args, rooms, units, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms
        self.fields["unit"].queryset = units
        self.fields["project"].queryset = projects


class AssetForm(StyledForm):
    region = CommunityField(label="社区", queryset=None, empty_label=None)
    code = forms.CharField(label="资产编号", max_length=30)
    name = forms.CharField(label="名称", max_length=100)
    category = forms.ChoiceField(label="类别", choices=AssetCategory.choices)
    model = forms.CharField(label="规格型号", max_length=100, required=False)
    value = forms.DecimalField(label="原值（元）", max_digits=16, decimal_places=2)
    acquired_on = forms.DateField(label="取得日期", widget=forms.DateInput)
    location = forms.CharField(label="存放地点", max_length=100)
    custodian = forms.CharField(label="保管人", max_length=50)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = communities


class DisposalForm(StyledForm):
    method = forms.ChoiceField(label="处置方式", choices=DisposalMethod.choices)
    reason = forms.CharField(label="处置理由", max_length=300)


class CountForm(StyledForm):
    result = forms.ChoiceField(label="清查结果", choices=CountResult.choices)
    found_location = forms.CharField(label="实际地点（地点不符时填写）", max_length=100, required=False)
    note = forms.CharField(label="说明（未找到时必填）", max_length=200, required=False)
