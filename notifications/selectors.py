from django.conf import settings
from django.core.cache import cache
from django.shortcuts import get_object_or_404

from .models import Notification

UNREAD_KEY = "notifications:unread:{}"


def notifications_for(actor):
    return Notification.objects.filter(recipient=actor)


def unread_count(actor) -> int:
    """The actor's unread messages. With a shared cache (NOTIFICATIONS_CACHE_UNREAD, on with REDIS_URL)
    the count is kept there until a message to the actor is sent or read (services.forget_unread): the
    badge every open page asks for each minute then costs no query of the notification table."""
    if not getattr(actor, "is_authenticated", False):
        return 0
    if not getattr(settings, "NOTIFICATIONS_CACHE_UNREAD", False):
        return Notification.objects.filter(recipient=actor, read_at__isnull=True).count()
    key = UNREAD_KEY.format(actor.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(recipient=actor, read_at__isnull=True).count()
        cache.set(key, count, timeout=600)
    return count


def notification_get(actor, pk: int) -> Notification:
    # Someone else's message is the same 404 as a missing one.
    return get_object_or_404(Notification, pk=pk, recipient=actor)
