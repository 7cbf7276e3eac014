"""等保 account controls walked as a person on a phone (390×844): the forced password change at the
first sign-in, the security admin's two-factor enrolment and sign-in, a locked user's API token, the
idle timeout."""

import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.middleware import LAST_SEEN
from accounts.models import User
from conftest import PASSWORD, make_user
from tests.browser_fixtures import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = (390, 844)
NEW = "Hx7-qazplm"
SUBMIT = "form button.btn-primary[type=submit]"  # not the top bar's 退出


def _sign_in(page, username, password):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def _code(user) -> str:
    device = TOTPDevice.objects.filter(user=user).order_by("-pk").first()
    return str(TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()).zfill(6)


def test_first_login_forces_a_password_change(page_for, personas):
    services.user_create(actor=personas.sysadmin, username="xinren", full_name="新同事", password="Init-2026xy")
    page = page_for(viewport=PHONE)
    _sign_in(page, "xinren", "Init-2026xy")
    page.wait_for_url("**/accounts/password/**")
    assert "首次登录或密码被重置后，请先修改密码" in page.inner_text("#must-change")
    page.fill("#id_old_password", "Init-2026xy")
    page.fill("#id_new_password", "xinren2026")
    page.fill("#id_new_password2", "xinren2026")
    page.click(SUBMIT)
    page.wait_for_selector("#row-new_password .invalid-feedback")
    assert "密码不能包含账号" in page.inner_text("#row-new_password")
    screenshot(page, "password_change_forced_phone")
    page.fill("#id_old_password", "Init-2026xy")
    page.fill("#id_new_password", NEW)
    page.fill("#id_new_password2", NEW)
    page.click(SUBMIT)
    page.wait_for_url(lambda url: "/accounts/password/" not in url)
    assert "密码已修改" in page.content()
    assert not User.objects.get(username="xinren").must_change_password


def test_security_admin_enrols_2fa_then_signs_in_with_it(page_for, personas):
    # An ordinary (not demo) security admin: the role requires two-factor.
    sec = make_user("anquan", "security_admin", is_demo=False, full_name="安全员")
    page = page_for(viewport=PHONE)
    _sign_in(page, "anquan", PASSWORD)
    page.wait_for_url("**/accounts/two-factor/**")
    page.wait_for_selector("#otp-qr")
    assert page.inner_text("#otp-secret").strip()
    screenshot(page, "otp_enrol_phone")
    page.fill("#id_code", _code(sec))
    page.click(SUBMIT)
    page.wait_for_url(lambda url: "/accounts/two-factor/" not in url)
    page.goto("/accounts/security/")
    assert "解锁与重置密码" in page.inner_text("h1")
    # Sign out; the next sign-in asks for the code after the password.
    page.click("text=退出")
    TOTPDevice.objects.filter(user=sec).update(last_t=-1)  # the next 30-second step
    _sign_in(page, "anquan", PASSWORD)
    page.wait_for_url("**/accounts/two-factor/verify/**")
    page.goto("/accounts/security/")
    assert "/accounts/two-factor/verify/" in page.url
    screenshot(page, "otp_verify_phone")
    page.fill("#id_code", _code(sec))
    page.click(SUBMIT)
    page.wait_for_url("**/accounts/security/")


def test_a_locked_users_token_stops_working(page_for, personas, settings):
    settings.LOGIN_MAX_FAILURES = 3
    page = page_for(viewport=PHONE)
    answer = page.request.post("/api/auth/token/", form={"username": "grid_worker", "password": PASSWORD})
    token = answer.json()["token"]
    headers = {"Authorization": f"Token {token}"}
    assert page.request.get("/api/me/", headers=headers).status == 200
    for _ in range(3):
        _sign_in(page, "grid_worker", "wrong-password")
        page.wait_for_selector("#login-error")
    assert "账户已锁定" in page.inner_text("#login-error")
    screenshot(page, "locked_user_phone")
    resp = page.request.get("/api/me/", headers=headers)
    assert resp.status in (401, 403)


def test_the_idle_timeout_signs_out(page_for, personas, settings):
    settings.SESSION_IDLE_MINUTES = 30
    page = page_for(viewport=PHONE)
    _sign_in(page, "secretary", PASSWORD)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    # Thirty-one minutes without a request (the session's last activity moved back).
    for row in Session.objects.all():
        store = SessionStore(session_key=row.session_key)
        if store.get("_auth_user_id") == str(personas.secretary.pk):
            store[LAST_SEEN] = int(time.time()) - 31 * 60
            store.save()
    page.goto("/regions/")
    page.wait_for_url("**/accounts/login/**")
    assert "超过 30 分钟未操作，已自动退出" in page.content()
    screenshot(page, "idle_timeout_phone")
