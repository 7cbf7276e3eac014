from django import forms

from accounts.models import User
from core.forms import StyledForm
from core.treepaths import under
from orgs.models import PartyOrg

from .apps import GridPerm


class VisitForm(StyledForm):
    household = forms.IntegerField(widget=forms.HiddenInput)
    visited_at = forms.DateTimeField(
        label="走访时间", input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": "请填写走访时间", "invalid": "走访时间格式不正确"},
    )
    findings = forms.CharField(
        label="走访情况", max_length=2000, widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": "家中情况、诉求、需要跟进的事项"}),
        error_messages={"required": "请填写走访情况", "max_length": "走访情况不能超过 2000 字"},
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)


def _workers_for(grid):
    """Accounts holding a visit role on this grid (or above it)."""
    from accounts.roles import ROLE_PERMISSIONS

    roles = [r for r, perms in ROLE_PERMISSIONS.items() if GridPerm.VISIT in perms]
    prefixes = [grid.path[:i] for i in range(8, len(grid.path) + 1, 8)]
    return User.objects.filter(role_assignments__role__in=roles, role_assignments__region__path__in=prefixes,
                               is_active=True).distinct().order_by("username")


class GridProfileForm(StyledForm):
    code = forms.CharField(label="网格编码", max_length=32, required=False)
    primary_worker = forms.ModelChoiceField(label="专职网格员", queryset=User.objects.none(), required=False)
    assistants = forms.ModelMultipleChoiceField(label="协管网格员", queryset=User.objects.none(), required=False)
    branch = forms.ModelChoiceField(label="网格党支部", queryset=PartyOrg.objects.none(), required=False)
    boundary = forms.CharField(
        label="边界（GeoJSON，WGS-84 经纬度）", required=False,
        widget=forms.Textarea(attrs={"rows": 5, "class": "font-monospace small"}),
    )

    def __init__(self, *args, grid, **kwargs):
        super().__init__(*args, **kwargs)
        workers = _workers_for(grid)
        self.fields["primary_worker"].queryset = workers
        self.fields["assistants"].queryset = workers
        self.fields["branch"].queryset = (PartyOrg.objects.filter(under("region__path", grid.parent.path))
                                          .order_by("name"))
