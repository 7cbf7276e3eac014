from django.shortcuts import get_object_or_404

from .models import Notification


def notifications_for(actor):
    return Notification.objects.filter(recipient=actor)


def unread_count(actor) -> int:
    if not getattr(actor, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).count()


def notification_get(actor, pk: int) -> Notification:
    # Someone else's message is the same 404 as a missing one.
    return get_object_or_404(Notification, pk=pk, recipient=actor)
