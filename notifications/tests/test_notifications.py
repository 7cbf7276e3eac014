import logging

import pytest
from django.db import transaction
from django.urls import reverse

from notifications import services
from notifications.backends import SmsBackend, WeComBackend
from notifications.models import Notification
from notifications.services import notify

pytestmark = pytest.mark.django_db


def test_notify_creates_in_app_rows_and_logs(personas, tree, caplog):
    with caplog.at_level(logging.INFO, logger="notifications"):
        rows = notify(recipients=[personas.secretary, personas.secretary, personas.grid_worker, None],
                      title="新派单", body="楼道灯不亮", link="/demands/1/", source=tree.east1)
    assert len(rows) == 2  # duplicates and None dropped
    n = Notification.objects.get(recipient=personas.secretary)
    assert n.source_type == "regions.region" and n.source_id == str(tree.east1.pk) and n.read_at is None
    assert "新派单" in caplog.text


def test_notify_rolls_back_with_the_caller(personas):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipients=[personas.secretary], title="x")
        raise RuntimeError
    assert Notification.objects.count() == 0


def test_sms_and_wecom_are_stubs_not_enabled(settings, personas):
    assert "Sms" not in str(getattr(settings, "NOTIFICATION_BACKENDS", ""))
    settings.NOTIFICATION_BACKENDS = ["notifications.backends.InAppBackend", "notifications.backends.SmsBackend"]
    with pytest.raises(NotImplementedError):
        notify(recipients=[personas.secretary], title="x")
    assert Notification.objects.count() == 0  # nothing half-sent
    for backend in (SmsBackend(), WeComBackend()):
        with pytest.raises(NotImplementedError):
            backend.send(None)


def test_list_badge_open_and_read_all(personas, client_for):
    notify(recipients=[personas.secretary], title="<b>一</b>", link="/demands/")
    notify(recipients=[personas.secretary], title="二", link="https://evil.example/")
    notify(recipients=[personas.grid_worker], title="别人的")
    c = client_for(personas.secretary)
    page = c.get(reverse("notifications:list")).content.decode()
    assert "&lt;b&gt;一&lt;/b&gt;" in page and "别人的" not in page and 'id="unread-count">2<' in page
    assert 'id="notif-unread">2<' in c.get(reverse("notifications:badge")).content.decode()
    mine = Notification.objects.filter(recipient=personas.secretary)
    first, second = mine.get(title="<b>一</b>"), mine.get(title="二")
    assert c.post(reverse("notifications:open", args=[first.pk]))["Location"] == "/demands/"
    assert c.post(reverse("notifications:open", args=[second.pk]))["Location"] == reverse("notifications:list")
    other = Notification.objects.get(recipient=personas.grid_worker)
    assert c.post(reverse("notifications:open", args=[other.pk])).status_code == 404
    assert Notification.objects.get(pk=other.pk).read_at is None
    notify(recipients=[personas.secretary], title="三")
    c.post(reverse("notifications:read_all"))
    assert not mine.filter(read_at__isnull=True).exists()


@pytest.mark.parametrize("who", ["secretary", "grid_worker", "auditor", "nobody"])
def test_every_signed_in_user_has_a_message_list(personas, client_for, who):
    assert client_for(getattr(personas, who)).get(reverse("notifications:list")).status_code == 200


def test_anonymous_redirected(client):
    assert client.get(reverse("notifications:list")).status_code == 302


def test_badge_include_loads_itself_without_context(rf):
    from django.template.loader import render_to_string

    html = render_to_string("notifications/_badge.html", {})
    assert 'hx-trigger="load"' in html and reverse("notifications:badge") in html


def test_the_badge_poll_is_cheap_304_when_unchanged_and_fresh_after_a_message(personas, client_for, settings,
                                                                              django_assert_max_num_queries):
    """Every open page asks every minute: the browser revalidates, an unchanged count answers 304 without
    a body and, with the shared cache, without a query of the notification table."""
    settings.NOTIFICATIONS_CACHE_UNREAD = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "badge-test"}}
    user = personas.secretary
    services.notify(recipients=[user], title="一")
    c = client_for(user)
    first = c.get(reverse("notifications:badge"))
    assert first.status_code == 200 and 'id="notif-unread">1<' in first.content.decode()
    assert first["Cache-Control"] == "private, no-cache" and first["ETag"]
    # The session, the user and the user's authenticator (the two-factor step of every request), nothing else.
    with django_assert_max_num_queries(3) as queries:
        again = c.get(reverse("notifications:badge"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert not any("notifications_notification" in q["sql"] for q in queries.captured_queries)
    services.notify(recipients=[user], title="二")
    fresh = c.get(reverse("notifications:badge"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert fresh.status_code == 200 and 'id="notif-unread">2<' in fresh.content.decode()
    services.notification_mark_all_read(actor=user)
    assert 'id="notif-unread"' not in c.get(reverse("notifications:badge")).content.decode()
    # someone else's badge is their own
    other = client_for(personas.west_secretary).get(reverse("notifications:badge"),
                                                    HTTP_IF_NONE_MATCH=first["ETag"])
    assert other.status_code == 200
