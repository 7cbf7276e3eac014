"""Two-factor sign-in with TOTP (django-otp): an authenticator app's six-digit code after the password.

Required (OTP_REQUIRED_ROLES) for the system, security and audit admins and the district admins;
optional for everyone else (修改密码 page → 双因素认证). Demo accounts are not made to enrol.
"""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditAction
from audit.services import record

from .scope import roles_of


def required(user) -> bool:
    if getattr(user, "is_demo", False):
        return False
    return bool(set(settings.OTP_REQUIRED_ROLES) & set(roles_of(user)))


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_step(request) -> str:
    """The URL name the signed-in user must pass first ("" when none)."""
    user = request.user
    verified = getattr(user, "is_verified", None)
    if confirmed_device(user) is not None:
        return "" if verified is not None and verified() else "accounts:otp_verify"
    return "accounts:otp_setup" if required(user) else ""


def new_device(user) -> TOTPDevice:
    """An unconfirmed device with a fresh secret (an earlier unconfirmed one is replaced)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The secret in the base32 groups an authenticator app accepts when typed in."""
    raw = base64.b32encode(device.bin_key).decode()
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def check(device: TOTPDevice, code: str) -> bool:
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    return len(code) == device.digits and device.verify_token(code)


@transaction.atomic
def enrol_confirm(*, request, device: TOTPDevice, code: str) -> bool:
    """Confirm a new device by its first code; the session counts as verified from then on."""
    if not check(device, code):
        return False
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    record(actor=device.user, action=AuditAction.UPDATE, obj=device.user, changes={"otp": ["", "已启用"]})
    return True


@transaction.atomic
def disable(*, actor, code: str) -> bool:
    device = confirmed_device(actor)
    if device is None or not check(device, code):
        return False
    TOTPDevice.objects.filter(user=actor).delete()
    record(actor=actor, action=AuditAction.UPDATE, obj=actor, changes={"otp": ["已启用", "已停用"]})
    return True


def verify_session(*, request, code: str) -> str:
    """The sign-in's second step: "" when the code is right, else the message. A wrong code counts as
    a failed sign-in of the account (the same lockout), and is audited."""
    from . import services

    user = request.user
    device = confirmed_device(user)
    if device is not None and check(device, code):
        otp_login(request, device)
        record(actor=user, action=AuditAction.LOGIN, obj=user, changes={"otp": "验证通过"})
        return ""
    return services.second_factor_failed(request=request, user=user)
