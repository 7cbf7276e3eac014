"""Sending notifications; other apps call `notify(...)`."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .backends import Message, get_backends
from .models import Notification
from .selectors import UNREAD_KEY


def forget_unread(user_ids) -> None:
    """Drop the cached unread counts of these users now and again when the transaction commits (a badge
    read in between would otherwise keep the old count)."""
    from django.conf import settings
    from django.core.cache import cache

    if not getattr(settings, "NOTIFICATIONS_CACHE_UNREAD", False):
        return
    keys = [UNREAD_KEY.format(pk) for pk in set(user_ids)]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def notify(*, recipients: Iterable, title: str, body: str = "", link: str = "", source=None) -> list[Notification]:
    """Send one message to each recipient (users; duplicates and inactive users dropped) through
    every configured backend. Returns the in-app rows created. Call inside the caller's
    transaction: in-app rows commit or roll back with the change they announce."""
    seen, users = set(), []
    for user in recipients:
        if user is None or not getattr(user, "is_active", False) or user.pk in seen:
            continue
        seen.add(user.pk)
        users.append(user)
    if not users:
        return []
    message = Message(recipients=users, title=title, body=body, link=link)
    if source is not None:
        message.source_type = source._meta.label_lower
        message.source_id = str(source.pk)
    with transaction.atomic():
        for backend in get_backends():
            backend.send(message)
        forget_unread(user.pk for user in users)
    return message.created


@transaction.atomic
def notification_mark_read(*, actor, notification: Notification) -> Notification:
    if notification.recipient_id != actor.pk:
        raise PermissionError("只能标记自己的消息")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        forget_unread([actor.pk])
    return notification


@transaction.atomic
def notification_mark_all_read(*, actor) -> int:
    forget_unread([actor.pk])
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


def notifications_close_for(source) -> int:
    """Mark every unread message about `source` read: its object is done, nothing is left to act on.
    Call inside the caller's transaction."""
    unread = Notification.objects.filter(
        source_type=source._meta.label_lower, source_id=str(source.pk), read_at__isnull=True,
    )
    forget_unread(unread.values_list("recipient_id", flat=True))
    return unread.update(read_at=timezone.now())
