"""Delivery backends for notifications.

`settings.NOTIFICATION_BACKENDS` lists dotted paths of backend classes; the default is the
in-app backend plus the logging backend. Each backend gets a `Message` with the recipients and
text. SMS and WeCom (企业微信) are documented stubs: they are not enabled by default, and
enabling one without configuring its gateway raises at start of sending, so nothing is lost
silently. A deployment implements `send` against its gateway (government SMS platform,
WeCom application message API) and adds the class to the setting.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("notifications")

DEFAULT_BACKENDS = [
    "notifications.backends.InAppBackend",
    "notifications.backends.LoggingBackend",
]


@dataclass
class Message:
    recipients: list  # users
    title: str
    body: str
    link: str = ""
    source_type: str = ""
    source_id: str = ""
    created: list = field(default_factory=list)  # in-app rows, filled by InAppBackend


class BaseBackend:
    """Subclass and implement `send(message)`. Runs inside the caller's transaction for in-app
    delivery; external backends should defer network calls with transaction.on_commit."""

    def send(self, message: Message) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class InAppBackend(BaseBackend):
    def send(self, message: Message) -> None:
        from .models import Notification

        rows = [
            Notification(
                recipient=user, title=message.title[:200], body=message.body, link=message.link[:500],
                source_type=message.source_type, source_id=message.source_id,
            )
            for user in message.recipients
        ]
        message.created = Notification.objects.bulk_create(rows)


class LoggingBackend(BaseBackend):
    def send(self, message: Message) -> None:
        logger.info(
            "notify %s → %s: %s", message.source_type or "-",
            ",".join(u.get_username() for u in message.recipients), message.title,
        )


class SmsBackend(BaseBackend):
    """Stub for an SMS gateway. Needs settings.NOTIFICATION_SMS_GATEWAY (a dotted path to a
    callable `send(mobile, text)`); the recipient's mobile comes from the deployment's user
    directory. Not enabled by default."""

    def send(self, message: Message) -> None:
        gateway = getattr(settings, "NOTIFICATION_SMS_GATEWAY", "")
        if not gateway:
            raise NotImplementedError("短信网关未配置：请设置 NOTIFICATION_SMS_GATEWAY")
        import_string(gateway)(message)


class WeComBackend(BaseBackend):
    """Stub for WeCom (企业微信) application messages. Needs settings.NOTIFICATION_WECOM_SENDER
    (dotted path to a callable taking the Message). Not enabled by default."""

    def send(self, message: Message) -> None:
        sender = getattr(settings, "NOTIFICATION_WECOM_SENDER", "")
        if not sender:
            raise NotImplementedError("企业微信未配置：请设置 NOTIFICATION_WECOM_SENDER")
        import_string(sender)(message)


def get_backends() -> list[BaseBackend]:
    paths = getattr(settings, "NOTIFICATION_BACKENDS", None) or DEFAULT_BACKENDS
    return [import_string(p)() for p in paths]
