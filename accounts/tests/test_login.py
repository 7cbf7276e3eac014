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


def _error(resp) -> str:
    return resp.content.decode().split('id="login-error">')[1].split("</div>")[0]


def test_unknown_user_gets_the_answers_an_account_gets(settings):
    """The page never tells whether an account exists: the same count-down, the same lock."""
    settings.LOGIN_MAX_FAILURES = 3
    make_user("frank")
    ghost, real = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.2")
    for _ in range(3):
        g, r = _error(_login(ghost, "ghost", "whatever")), _error(_login(real, "frank", "whatever"))
        assert g == r
    assert "账户已锁定" in g
    assert _error(_login(ghost, "ghost", "x")) == _error(_login(real, "frank", "x"))
    assert AuditEntry.objects.filter(action="login_failed", object_repr="ghost").count() == 4


def test_twenty_wrong_admin_passwords_then_the_right_one_does_not_log_in(personas):
    c = Client()
    for _ in range(20):
        resp = c.post("/admin/login/?next=/admin/", {"username": "root", "password": "wrong-guess"})
        assert resp.status_code == 200
    resp = c.post("/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD})
    assert resp.status_code == 200 and "login-error" in resp.content.decode()
    assert c.get("/admin/").status_code == 302
    root = User.objects.get(username="root")
    assert root.is_locked()
    entries = AuditEntry.objects.filter(object_type="accounts.user", object_id=str(root.pk))
    assert entries.filter(action="locked").count() == 1
    assert entries.filter(action="login_failed", changes__channel="admin").count() == 21


def test_admin_login_is_the_site_login_page(personas, settings):
    settings.ALLOW_SUPERUSER_LOGIN = True
    c = Client()
    page = c.get("/admin/login/?next=/admin/").content.decode()
    assert "账号登录" in page and 'id="id_username"' in page
    resp = c.post("/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD})
    assert resp.status_code == 302 and resp["Location"] == "/admin/"
    assert c.get("/admin/").status_code == 200
    assert AuditEntry.objects.filter(action="login", actor_name="root", changes__channel="admin").exists()


def test_one_address_trying_many_accounts_is_slowed_down(settings):
    settings.LOGIN_SLOWDOWN_AFTER = 3
    for name in ("u1", "u2", "u3", "u4"):
        make_user(name)
    c = Client(REMOTE_ADDR="10.9.9.9")
    for name in ("u1", "u2", "u3"):
        assert "用户名或密码错误" in _error(_login(c, name, "bad"))
    _login(c, "u4", "bad")  # the fourth failure: from now on each attempt waits
    assert "登录尝试过于频繁" in _error(_login(c, "u4", PASSWORD))  # the right password is not even tried
    # Another address is not slowed down; an unknown name is slowed down the same.
    assert _login(Client(REMOTE_ADDR="10.9.9.8"), "u4", PASSWORD).status_code == 302
    assert "登录尝试过于频繁" in _error(_login(c, "nobody-here", "bad"))
    assert AuditEntry.objects.filter(action="login_failed", changes__reason="slowdown").count() == 2


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
