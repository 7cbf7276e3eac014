"""The date range of the leaders' dashboards."""

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError

from core.forms import StyledForm

from .models import BriefingKind
from .selectors.leader import MAX_RANGE_DAYS


class RangeForm(StyledForm):
    start = forms.DateField(label="起始日期", error_messages={"invalid": "起始日期应为 年-月-日，如 2026-05-01"})
    end = forms.DateField(label="截止日期", error_messages={"invalid": "截止日期应为 年-月-日，如 2026-05-31"})

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise ValidationError("起始日期不能晚于截止日期")
            if end - start > timedelta(days=MAX_RANGE_DAYS):
                raise ValidationError("日期范围最长三年")
        return data


class BriefingNewForm(StyledForm):
    region = forms.ChoiceField(label="编发单位")
    kind = forms.ChoiceField(label="类型", choices=BriefingKind.choices, initial=BriefingKind.MONTH)

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(str(n.pk), n.name) for n in nodes]


class BriefingEditForm(StyledForm):
    title = forms.CharField(label="标题", max_length=100)
    body = forms.CharField(label="正文", max_length=20000, widget=forms.Textarea(attrs={"rows": 18}))
