"""Stability reports upward: an urgent one notifies the street at once; others go one level up."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from stability import services
from stability.models import ReportStatus, StabilityReport

pytestmark = pytest.mark.django_db


def _report(actor, region, **kw):
    args = dict(actor=actor, region=region, kind="group", urgency="urgent", title="多名业主聚集物业公司",
                content="约30名业主因停车费上涨聚集", occurred_at=timezone.now() - timedelta(minutes=20), people=30,
                measures="社区书记已到场劝导") | kw
    return services.report_create(**args)


def test_an_urgent_report_notifies_the_street_at_once(world, personas, tree):
    r = _report(personas.grid_worker, tree.east1_grid1)
    street = Notification.objects.filter(recipient=personas.street_staff).get()
    assert street.title.startswith("【紧急】") and street.link == reverse("stability:report", args=[r.pk])
    assert Notification.objects.filter(recipient=personas.secretary).exists()
    assert not Notification.objects.filter(recipient=personas.west_secretary).exists()


def test_an_ordinary_report_goes_one_level_up(world, personas, tree):
    _report(personas.grid_worker, tree.east1_grid1, urgency="normal")
    assert Notification.objects.filter(recipient=personas.secretary).exists()
    assert not Notification.objects.filter(recipient=personas.street_staff).exists()
    _report(personas.secretary, tree.east1, urgency="priority")
    assert Notification.objects.filter(recipient=personas.street_staff).exists()


@pytest.mark.parametrize("kw,field", [
    ({"occurred_at": timezone.now() + timedelta(days=1)}, "occurred_at"),
    ({"people": 10 ** 12}, "people"),
    ({"people": "-1"}, "people"),
    ({"title": "\x00"}, "title"),
    ({"urgency": "panic"}, "urgency"),
    ({"content": ""}, "content"),
])
def test_bad_reports_are_refused(world, personas, tree, kw, field):
    with pytest.raises(ValidationError) as exc:
        _report(personas.grid_worker, tree.east1_grid1, **kw)
    assert field in exc.value.message_dict
    assert not StabilityReport.objects.exists() and not Notification.objects.exists()


def test_reports_only_from_the_scope(world, personas, tree):
    with pytest.raises(ValidationError):
        _report(personas.grid_worker, tree.east1_grid2)
    with pytest.raises(ValidationError):
        _report(personas.street_staff, tree.east1)  # the street receives, it does not report here


def test_the_street_reads_and_answers(world, personas, tree, client_for):
    r = _report(personas.grid_worker, tree.east1_grid1)
    c = client_for(personas.street_staff)
    assert "多名业主聚集物业公司" in c.get(reverse("stability:reports")).content.decode()
    c.post(reverse("stability:report", args=[r.pk]), {"reply": "派出所和街道综治办已到场", "handled": "1"})
    r.refresh_from_db()
    assert r.status == ReportStatus.HANDLED and r.read_by == personas.street_staff
    assert Notification.objects.filter(recipient=personas.grid_worker, title__contains="已处置").exists()
    assert client_for(personas.west_secretary).get(reverse("stability:report", args=[r.pk])).status_code == 404
    assert client_for(personas.grid_worker).post(reverse("stability:report", args=[r.pk]),
                                                 {"reply": "x"}).status_code == 403
