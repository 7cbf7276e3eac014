from django import forms

from core.forms import StyledForm

from .models import OrgForm, OrgLevel


class OrgEditForm(StyledForm):
    name = forms.CharField(label="名称", max_length=120)
    form = forms.ChoiceField(label="组织形式", choices=OrgForm.choices)
    parent = forms.ModelChoiceField(label="上级党组织", queryset=None, required=False, empty_label="（无）")
    host_name = forms.CharField(label="所在单位", max_length=120, required=False)
    secretary_name = forms.CharField(label="书记", max_length=50, required=False)
    established_on = forms.DateField(label="成立日期", required=False, widget=forms.DateInput)

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents


class OrgCreateForm(OrgEditForm):
    level = forms.ChoiceField(label="类别", choices=OrgLevel.choices)
    region = forms.ModelChoiceField(label="所在区划", queryset=None)

    field_order = ["level", "region", "name", "form", "parent", "host_name", "secretary_name", "established_on"]

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
