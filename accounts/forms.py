from django import forms

from core.forms import StyledForm

from .models import RoleAssignment
from .roles import Role


class LoginForm(StyledForm):
    username = forms.CharField(label="账号", max_length=150)
    password = forms.CharField(label="密码", widget=forms.PasswordInput, max_length=128)


class UserCreateForm(StyledForm):
    username = forms.CharField(label="账号", max_length=150)
    full_name = forms.CharField(label="姓名", max_length=50, required=False)
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput, max_length=128)


class RoleAssignForm(StyledForm):
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    region = forms.ModelChoiceField(
        label="管辖范围", queryset=None, required=False, empty_label="（系统角色不选）",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The tree sits above accounts (docs/architecture.md): its model is reached through the assignment.
        region_model = RoleAssignment._meta.get_field("region").related_model
        self.fields["region"].queryset = region_model.objects.exclude(kind__in=["compound", "building"])
