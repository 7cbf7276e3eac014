"""等保 level-3 password rules (AUTH_PASSWORD_VALIDATORS), every message in Chinese.

Length ≥ 8, three of four character classes, not the account name, not a common password, none of the
last PASSWORD_HISTORY passwords; a password older than PASSWORD_EXPIRY_DAYS must be changed.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils import timezone

# Passwords people here pick that the English list does not hold (checked case-insensitively).
CHINESE_COMMON = {
    "woaini1314", "woaini520", "5201314", "a5201314", "aa123456", "abc123456", "qwe123456", "zxc123456",
    "1qaz2wsx", "1qaz@wsx", "qwer1234", "asdf1234", "p@ssw0rd", "passw0rd", "admin123", "admin@123",
    "admin123456", "root1234", "test1234", "dangjian", "dangjian123", "dangjian@123", "gongchandang",
    "zhongguo", "zhongguo123", "china123", "beijing2008", "aa112233", "abcd1234", "abcd@1234", "qq123456",
    "wang1234", "zhang123", "li123456", "huawei123", "password1", "password123", "password@123",
}


class MinimumLengthValidator:
    def __init__(self, min_length: int = 8):
        self.min_length = min_length

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(f"密码太短：至少需要 {self.min_length} 个字符", code="password_too_short")

    def get_help_text(self):
        return f"至少 {self.min_length} 个字符"


class CharacterClassesValidator:
    """At least three of: upper-case letters, lower-case letters, digits, other symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        classes = [
            any(c.isascii() and c.isupper() for c in password),
            any(c.isascii() and c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类", code="password_classes")

    def get_help_text(self):
        return f"包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类"


class NotUsernameValidator:
    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").lower()
        lowered = password.lower()
        if username and (lowered == username or (len(username) >= 3 and username in lowered)
                         or lowered[::-1] == username):
            raise ValidationError("密码不能包含账号", code="password_is_username")

    def get_help_text(self):
        return "不能包含账号"


class CommonPasswordsValidator(CommonPasswordValidator):
    """Django's list of 20,000 common passwords plus common Chinese ones."""

    def validate(self, password, user=None):
        lowered = password.lower().strip()
        if lowered in self.passwords or lowered in CHINESE_COMMON:
            raise ValidationError("该密码过于常见，容易被猜中，请换一个", code="password_too_common")

    def get_help_text(self):
        return "不能是常见密码"


class HistoryValidator:
    """Not one of the user's last PASSWORD_HISTORY passwords (the current one included)."""

    def validate(self, password, user=None):
        if user is None or not getattr(user, "pk", None):
            return
        n = settings.PASSWORD_HISTORY
        hashes = list(user.password_history.values_list("password", flat=True)[:n])
        current = type(user).objects.filter(pk=user.pk).values_list("password", flat=True).first()
        if current:
            hashes.append(current)
        if any(check_password(password, h) for h in hashes if h):
            raise ValidationError(f"新密码不能与最近 {n} 次使用过的密码相同", code="password_reused")

    def get_help_text(self):
        return f"不能与最近 {settings.PASSWORD_HISTORY} 次的密码相同"


def password_expired(user, now=None) -> bool:
    """The password is older than PASSWORD_EXPIRY_DAYS (0: never expires). Demo accounts never expire."""
    days = settings.PASSWORD_EXPIRY_DAYS
    if not days or getattr(user, "is_demo", False):
        return False
    changed = user.password_changed_at or user.date_joined
    return changed is not None and changed + timedelta(days=days) < (now or timezone.now())


def must_change(user) -> str:
    """Why the user must change the password before anything else ("" when not)."""
    if getattr(user, "is_demo", False):
        return ""
    if user.must_change_password:
        return "首次登录或密码被重置后，请先修改密码"
    if password_expired(user):
        return f"密码已使用超过 {settings.PASSWORD_EXPIRY_DAYS} 天，请修改密码"
    return ""
