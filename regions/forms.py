from django import forms

from core.forms import StyledForm

from .models import RegionKind


class RegionForm(StyledForm):
    name = forms.CharField(label="名称", max_length=100)
    division_code = forms.CharField(label="区划代码", max_length=12, required=False,
                                    help_text="GB/T 2260 代码，区县级适用，可不填")
    town = forms.BooleanField(label="建制镇（而非街道办事处）", required=False)
    sort_order = forms.IntegerField(label="排序", required=False, initial=0)


class RegionCreateForm(RegionForm):
    kind = forms.ChoiceField(label="层级", choices=RegionKind.choices)

    field_order = ["kind", "name", "division_code", "town", "sort_order"]

    def __init__(self, *args, allowed_kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed_kinds is not None:
            self.fields["kind"].choices = [(k, v) for k, v in RegionKind.choices if k in allowed_kinds]


class RegionMoveForm(StyledForm):
    new_parent = forms.ModelChoiceField(label="移动到", queryset=None, empty_label=None)

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = targets
