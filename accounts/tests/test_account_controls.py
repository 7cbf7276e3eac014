"""等保 level-3 account controls: password rules, forced change, expiry, session timeouts, two-factor,
API tokens, demo accounts."""

import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.middleware import AUTH_AT, LAST_SEEN
from accounts.models import User
from accounts.roles import Role
from audit.models import AuditEntry
from conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NEW = "Hx7-qazplm"


def _login(client, username, password, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def code_for(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return str(TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()).zfill(6)


def later(device: TOTPDevice) -> None:
    """As if the next 30-second step had come: a code may be used once only."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)


@pytest.mark.parametrize("password,message", [
    ("Ab1-xyz", "密码太短：至少需要 8 个字符"),
    ("abcdefgh12", "至少 3 类"),
    ("Carol-2026x", "密码不能包含账号"),
    ("P@ssw0rd", "该密码过于常见"),
    ("Aa123456", "该密码过于常见"),
])
def test_password_rules_speak_chinese(password, message, personas):
    with pytest.raises(ValidationError) as exc:
        services.user_create(actor=personas.sysadmin, username="carol", full_name="", password=password)
    assert message in " ".join(exc.value.message_dict["password"])
    assert not User.objects.filter(username="carol").exists()


def test_the_last_five_passwords_cannot_come_back(personas):
    user = services.user_create(actor=personas.sysadmin, username="dora", full_name="", password="Start-2026a")
    passwords = ["Start-2026a"] + [f"Round-{i}-kq" for i in range(1, 6)]
    for old, new in zip(passwords, passwords[1:], strict=False):
        services.password_change(actor=user, old_password=old, new_password=new)
    # "Start-2026a" is now the sixth back: allowed again; "Round-2-kq" (4th back) is not.
    with pytest.raises(ValidationError, match="最近 5 次"):
        services.password_change(actor=user, old_password="Round-5-kq", new_password="Round-2-kq")
    services.password_change(actor=user, old_password="Round-5-kq", new_password="Start-2026a")
    assert user.password_history.count() == 5
    with pytest.raises(ValidationError, match="当前密码不正确"):
        services.password_change(actor=user, old_password="wrong", new_password="Other-2026q")


def test_first_login_forces_a_password_change(personas):
    user = services.user_create(actor=personas.sysadmin, username="newbie", full_name="新人", password="Init-2026xy")
    c = Client()
    resp = _login(c, "newbie", "Init-2026xy")
    assert resp.status_code == 302
    page = c.get("/", follow=True)
    assert page.redirect_chain[-1][0].startswith("/accounts/password/")
    assert "首次登录或密码被重置后，请先修改密码" in page.content.decode()
    assert c.get("/api/me/").status_code == 403
    resp = c.post("/accounts/password/?next=/", {"old_password": "Init-2026xy", "new_password": NEW,
                                                  "new_password2": NEW})
    assert resp.status_code == 302 and resp["Location"] == "/"
    assert c.get("/").status_code == 200  # still signed in, now free to work
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password(NEW)
    assert AuditEntry.objects.filter(action="update", actor_name="newbie", changes__has_key="password").exists()


def test_a_reset_forces_a_change_and_an_old_password_expires(personas, settings):
    user = make_user("erin", is_demo=False)
    temporary = services.user_password_reset(actor=personas.secadmin, user=user)
    c = Client()
    _login(c, "erin", temporary)
    assert c.get("/").url.startswith("/accounts/password/")
    c.post("/accounts/password/", {"old_password": temporary, "new_password": NEW, "new_password2": NEW})
    assert c.get("/").status_code == 200
    settings.PASSWORD_EXPIRY_DAYS = 90
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    page = c.get("/", follow=True).content.decode()
    assert "密码已使用超过 90 天，请修改密码" in page


def test_the_change_page_refuses_mismatches_in_chinese(personas, client_for):
    c = client_for(personas.secretary)
    html = c.post("/accounts/password/", {"old_password": PASSWORD, "new_password": NEW,
                                          "new_password2": NEW + "x"}).content.decode()
    assert "两次输入的新密码不一致" in html
    html = c.post("/accounts/password/", {"old_password": PASSWORD, "new_password": "secretary1A",
                                          "new_password2": "secretary1A"}).content.decode()
    assert "密码不能包含账号" in html
    # Reachable from the menu bar: the user's name links to it.
    assert 'href="/accounts/password/"' in c.get("/").content.decode()


def _age(client, **seconds):
    session = client.session
    for key, value in seconds.items():
        session[key] = int(time.time()) - value
    session.save()


def test_idle_timeout_and_absolute_lifetime(personas, client_for, settings):
    settings.SESSION_IDLE_MINUTES = 30
    settings.SESSION_MAX_HOURS = 8
    c = client_for(personas.secretary)
    assert c.get("/").status_code == 200
    # The notification badge polling every minute is not activity.
    _age(c, **{LAST_SEEN: 29 * 60})
    assert c.get("/notifications/badge/").status_code == 200
    assert c.session[LAST_SEEN] <= time.time() - 29 * 60 + 5
    _age(c, **{LAST_SEEN: 31 * 60})
    resp = c.get("/regions/", follow=True)
    assert resp.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "超过 30 分钟未操作，已自动退出" in resp.content.decode()
    c = client_for(personas.secretary)
    _age(c, **{AUTH_AT: 8 * 3600 + 60, LAST_SEEN: 10})
    resp = c.get("/", follow=True)
    assert "登录已超过 8 小时，请重新登录" in resp.content.decode()


def test_an_ordinary_account_gets_both_the_forced_change_and_2fa(personas, tree, settings):
    """The demo's accounts (and the test personas) are exempt; a real district admin is not."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a person takes more than the second a wrong code costs
    user = services.user_create(actor=personas.sysadmin, username="qw_real", full_name="区管理员",
                                password="Init-2026xy")
    services.role_assign(actor=personas.secadmin, user=user, role=Role.DISTRICT_ADMIN, region=tree.district)
    c = Client()
    _login(c, "qw_real", "Init-2026xy")
    assert c.get("/regions/").url.startswith("/accounts/password/")
    c.post("/accounts/password/", {"old_password": "Init-2026xy", "new_password": NEW, "new_password2": NEW})
    # Then the enrolment the role requires; nothing else opens before it.
    assert c.get("/regions/").url.startswith("/accounts/two-factor/")
    page = c.get("/accounts/two-factor/").content.decode()
    assert "您的角色必须启用双因素认证" in page and 'id="otp-qr"' in page and "data:image/svg+xml" in page
    assert "验证码不正确" in c.post("/accounts/two-factor/", {"code": "000000"}).content.decode()
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    resp = c.post("/accounts/two-factor/", {"code": code_for(device)})
    assert resp.status_code == 302
    assert c.get("/regions/").status_code == 200
    # The next sign-in asks for the code after the password.
    later(device)
    c2 = Client()
    _login(c2, "qw_real", NEW)
    assert c2.get("/regions/").url.startswith("/accounts/two-factor/verify/")
    assert c2.get("/accounts/password/").url.startswith("/accounts/two-factor/verify/")
    resp = c2.post("/accounts/two-factor/verify/?next=/regions/", {"code": code_for(device)})
    assert resp.status_code == 302 and resp["Location"] == "/regions/"
    assert c2.get("/regions/").status_code == 200
    # The same demo role, flagged demo, signs in with the password alone.
    demo = make_user("qw_demo", Role.DISTRICT_ADMIN, tree.district)
    c3 = Client()
    _login(c3, demo.username, PASSWORD)
    assert c3.get("/regions/").status_code == 200


def test_wrong_codes_lock_the_account(personas, settings):
    settings.LOGIN_MAX_FAILURES = 3
    user = make_user("sec2", is_demo=False)
    device = TOTPDevice.objects.create(user=user, name="x", confirmed=True)
    c = Client()
    _login(c, "sec2", PASSWORD)
    assert "再失败 2 次" in c.post("/accounts/two-factor/verify/", {"code": "123456"}).content.decode()
    c.post("/accounts/two-factor/verify/", {"code": "123456"})
    resp = c.post("/accounts/two-factor/verify/", {"code": "123456"})
    assert resp.status_code == 302 and resp["Location"] == "/accounts/login/"
    user.refresh_from_db()
    assert user.is_locked()
    assert c.get("/").status_code == 302
    assert AuditEntry.objects.filter(action="login_failed", changes__reason="otp").count() == 3
    assert device.pk


def test_optional_2fa_for_others(personas, client_for):
    c = client_for(personas.secretary)
    page = c.get("/accounts/password/").content.decode()
    assert "未启用" in page
    c.get("/accounts/two-factor/")
    device = TOTPDevice.objects.get(user=personas.secretary, confirmed=False)
    c.post("/accounts/two-factor/", {"code": code_for(device)})
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    later(device)
    c.post("/accounts/two-factor/", {"action": "disable", "code": code_for(device)})
    assert not TOTPDevice.objects.filter(user=personas.secretary).exists()


def test_api_tokens_expire_and_are_revoked(personas, settings):
    settings.API_TOKEN_HOURS = 24
    c = Client()
    body = c.post("/api/auth/token/", {"username": "secretary", "password": PASSWORD}).json()
    auth = {"HTTP_AUTHORIZATION": f"Token {body['token']}"}
    assert "expires" in body and c.get("/api/me/", **auth).status_code == 200
    Token.objects.filter(key=body["token"]).update(created=timezone.now() - timedelta(hours=25))
    resp = c.get("/api/me/", **auth)
    assert resp.status_code == 401 and "令牌已过期" in resp.json()["detail"]
    # A new one; a password change revokes it.
    token = c.post("/api/auth/token/", {"username": "secretary", "password": PASSWORD}).json()["token"]
    services.password_change(actor=personas.secretary, old_password=PASSWORD, new_password=NEW)
    assert c.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code in (401, 403)
    # A lock revokes it too (and a locked account's token never works).
    settings.LOGIN_MAX_FAILURES = 2
    token = c.post("/api/auth/token/", {"username": "member", "password": PASSWORD}).json()["token"]
    _login(Client(REMOTE_ADDR="10.1.1.1"), "member", "bad")
    _login(Client(REMOTE_ADDR="10.1.1.1"), "member", "bad")
    assert not Token.objects.filter(key=token).exists()
    assert c.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code in (401, 403)


def test_api_token_needs_the_code_when_2fa_is_on(personas):
    device = TOTPDevice.objects.create(user=personas.secretary, name="x", confirmed=True)
    c = Client()
    resp = c.post("/api/auth/token/", {"username": "secretary", "password": PASSWORD})
    assert resp.status_code == 400 and "otp" in resp.json()["detail"]
    resp = c.post("/api/auth/token/", {"username": "secretary", "password": PASSWORD, "otp": code_for(device)})
    assert resp.status_code == 200 and resp.json()["token"]


def test_every_page_of_a_demo_deployment_says_so(personas, client_for, settings):
    settings.DEMO_MODE = False
    assert "演示环境" not in Client().get("/accounts/login/").content.decode()
    settings.DEMO_MODE = True
    assert "演示环境" in Client().get("/accounts/login/").content.decode()
    assert "演示环境" in client_for(personas.secretary).get("/").content.decode()
    assert "演示环境" in Client().get("/portal/").content.decode()
    assert "演示环境" in client_for(personas.secretary).get("/no-such-page/").content.decode()
    settings.ALLOW_SUPERUSER_LOGIN = True
    assert "演示环境" in client_for(personas.superuser).get("/admin/").content.decode()
