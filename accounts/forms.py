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

class PasswordChangeForm(StyledForm):
    old_password = forms.CharField(
        label="当前密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}), max_length=128)
    new_password = forms.CharField(
        label="新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), max_length=128,
        help_text="至少 8 个字符，包含大写字母、小写字母、数字、符号中的至少 3 类，不能包含账号、不能是常见密码，"
                  "不能与最近 5 次的密码相同",
    )
    new_password2 = forms.CharField(label="再次输入新密码",
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), max_length=128)

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password2") and data["new_password"] != data["new_password2"]:
            self.add_error("new_password2", "两次输入的新密码不一致")
        return data
