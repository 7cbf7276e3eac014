from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEntry
from conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_good_login_reaches_home_and_is_audited():
    make_user("alice")
    resp = _login(Client(), "alice", PASSWORD)
    assert resp.status_code == 302 and resp["Location"] == "/"
    assert AuditEntry.objects.filter(action="login", actor_name="alice").exists()


def test_wrong_password_counts_down_then_locks(settings):
    settings.LOGIN_MAX_FAILURES = 5
    settings.LOGIN_LOCK_MINUTES = 30
    make_user("bob")
    c = Client()
    for left in (4, 3, 2, 1):
        html = _login(c, "bob", "wrong").content.decode()
        assert f"再失败 {left} 次账户将被锁定 30 分钟" in html
    html = _login(c, "bob", "wrong").content.decode()
    assert "登录失败次数过多，账户已锁定" in html
    # Even the right password is refused while locked, with the same clear message.
    resp = _login(c, "bob", PASSWORD)
    assert resp.status_code == 200 and "账户已锁定" in resp.content.decode()
    user = User.objects.get(username="bob")
    assert user.locked_until > timezone.now() + timedelta(minutes=29)
    assert AuditEntry.objects.filter(action="locked", object_repr="bob（bob）").count() == 1
    # API tokens honour the lock too.
    api = c.post("/api/auth/token/", {"username": "bob", "password": PASSWORD})
    assert api.status_code == 400 and "锁定" in api.json()["detail"]


def test_lock_expires_and_success_resets_the_count(settings):
    settings.LOGIN_MAX_FAILURES = 2
    user = make_user("carol")
    c = Client()
    _login(c, "carol", "x")
    _login(c, "carol", "x")
    user.refresh_from_db()
    assert user.is_locked()
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert _login(c, "carol", PASSWORD).status_code == 302
    user.refresh_from_db()
    assert user.failed_login_count == 0 and user.locked_until is None


def test_configurable_thresholds(settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_LOCK_MINUTES = 10
    make_user("dave")
    c = Client()
    for _ in range(3):
        html = _login(c, "dave", "bad").content.decode()
    assert "账户已锁定" in html
    assert User.objects.get(username="dave").locked_until < timezone.now() + timedelta(minutes=11)


def test_unknown_user_gets_the_generic_message():
    html = _login(Client(), "ghost", "whatever").content.decode()
    error = html.split('id="login-error">')[1].split("</div>")[0]
    assert error == "用户名或密码错误"


def test_security_admin_unlocks(personas, client_for, settings):
    settings.LOGIN_MAX_FAILURES = 1
    victim = make_user("erin")
    _login(Client(), "erin", "bad")
    victim.refresh_from_db()
    assert victim.is_locked()
    # The system admin cannot unlock (三员分立); the security admin can.
    client_for(personas.sysadmin).post(f"/accounts/users/{victim.pk}/", {"action": "unlock"})
    victim.refresh_from_db()
    assert victim.is_locked()
    client_for(personas.secadmin).post(f"/accounts/users/{victim.pk}/", {"action": "unlock"})
    victim.refresh_from_db()
    assert not victim.is_locked()
    assert AuditEntry.objects.filter(action="unlock", actor_name="secadmin").exists()


def test_api_token_login_and_scope(personas, tree):
    c = Client()
    token = c.post("/api/auth/token/", {"username": "secretary", "password": PASSWORD}).json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    assert c.get(f"/api/regions/{tree.east1.pk}/", **auth).status_code == 200
    assert c.get(f"/api/regions/{tree.west1.pk}/", **auth).status_code == 404
    me = c.get("/api/me/", **auth).json()
    assert me["role_codes"] == ["community_secretary"]
