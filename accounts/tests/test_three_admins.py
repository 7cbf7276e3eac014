"""三员分立 over the whole site: the system, security and audit admins walk every page and API endpoint
the URL resolver knows; none reads business data, none can grant itself (or each other) anything."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts import services
from accounts.models import RoleAssignment
from accounts.roles import SYSTEM_ROLES, Role
from audit.models import AuditEntry
from conftest import make_user

pytestmark = pytest.mark.django_db

# What each of them may open (a prefix of the path); everything else must answer 403/404/405 or send
# them away (302), unless the page is public (an anonymous visitor gets it too: portal, Open311).
OWN = {
    "sysadmin": ("/accounts/users/",),
    "secadmin": ("/accounts/users/", "/accounts/security/"),
    "auditor": ("/audit/", "/api/audit/"),
}
# Pages about the signed-in person only (their password, messages, own member record and activities,
# which these admins do not have) and the API's index and documentation.
EVERYONE = ("/", "/accounts/password/", "/accounts/two-factor/", "/notifications/", "/api/me/", "/api/docs/",
            "/api/schema/", "/accounts/logout/", "/members/me/", "/vanguard/my/")


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def _examples(route: str, ints: list[int]) -> list[str]:
    """Concrete paths for one route: each integer argument tried with a few existing ids."""
    if route.startswith("admin/"):
        return []  # the Django admin: superusers only (test_every_admin_write_is_audited)
    if "(?P<format>" in route:
        return []  # the API router's ".json" twins of the routes walked anyway
    route = route.replace("^", "").replace("$", "")
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<int:\1>", route)  # the API router's regex routes
    if "<" not in route:
        return ["/" + route]
    out = []
    for i in ints:
        u = re.sub(r"<int:[^>]+>", str(i), route)
        u = re.sub(r"<uuid:[^>]+>", "00000000-0000-0000-0000-000000000000", u)
        u = re.sub(r"<[^>]+>", "x", u)
        out.append("/" + u)
    return sorted(set(out))


def _allowed(persona: str, path: str) -> bool:
    if path in ("/", "/api/"):
        return True
    return any(path.startswith(p) for p in EVERYONE[1:] + OWN[persona])


@pytest.mark.parametrize("persona", sorted(OWN))
def test_the_three_admins_read_no_business_data(persona, personas, tree):
    ints = sorted({tree.east1.pk, tree.east1_grid1.pk, tree.east1_org.pk, 1})
    c = Client(raise_request_exception=False)
    c.force_login(getattr(personas, persona))
    anon = Client(raise_request_exception=False)
    leaks, errors = [], []
    routes = list(_walk(get_resolver().url_patterns))
    assert len(routes) > 100  # the walk found the site
    for route in routes:
        for url in _examples(route, ints):
            resp = c.get(url)
            if resp.status_code >= 500:
                errors.append((url, resp.status_code))  # a crash is never a refusal
                continue
            if resp.status_code in (301, 302, 400, 401, 403, 404, 405, 410):
                continue
            if _allowed(persona, url):
                continue
            if anon.get(url).status_code == resp.status_code:
                continue  # public: the portal, Open311, the login page
            leaks.append((url, resp.status_code))
    assert not errors, f"{persona} crashes: {errors}"
    assert not leaks, f"{persona} reads: {leaks}"


@pytest.mark.parametrize("persona", sorted(OWN))
def test_none_grants_itself_anything(persona, personas, tree, client_for):
    me = getattr(personas, persona)
    c = client_for(me)
    before = set(RoleAssignment.objects.filter(user=me).values_list("role", flat=True))
    for role in Role.values:
        region = None if role in SYSTEM_ROLES else tree.district
        c.post(f"/accounts/users/{me.pk}/", {"action": "assign", "role": role, "region": region.pk if region else ""})
        with pytest.raises(ValidationError):
            services.role_assign(actor=me, user=me, role=role, region=region)
    assert set(RoleAssignment.objects.filter(user=me).values_list("role", flat=True)) == before
    # Nor revokes its own role, nor unlocks or resets itself.
    own = RoleAssignment.objects.filter(user=me).first()
    c.post(f"/accounts/users/{me.pk}/", {"action": "revoke", "assignment": own.pk})
    assert RoleAssignment.objects.filter(pk=own.pk).exists()
    with pytest.raises(ValidationError):
        services.user_password_reset(actor=me, user=me)


def test_security_admin_cannot_give_an_admin_a_business_role(personas, tree):
    for admin in (personas.sysadmin, personas.auditor):
        with pytest.raises(ValidationError, match="三员分立"):
            services.role_assign(actor=personas.secadmin, user=admin, role=Role.DISTRICT_ADMIN, region=tree.district)
    # …nor a business user one of the three system roles.
    with pytest.raises(ValidationError, match="三员分立"):
        services.role_assign(actor=personas.secadmin, user=personas.secretary, role=Role.AUDIT_ADMIN)
    assert not RoleAssignment.objects.filter(user__in=[personas.sysadmin, personas.auditor],
                                             role=Role.DISTRICT_ADMIN).exists()


def test_every_grant_and_revoke_is_audited(personas, tree):
    user = make_user("helper")
    a = services.role_assign(actor=personas.secadmin, user=user, role=Role.GRID_WORKER, region=tree.east1_grid1)
    services.role_revoke(actor=personas.secadmin, assignment=a)
    entries = AuditEntry.objects.filter(object_type="accounts.roleassignment", actor_name="secadmin")
    assert list(entries.order_by("seq").values_list("action", flat=True)) == ["create", "delete"]


def test_password_reset_and_unlock_are_the_security_admins(personas, client_for, settings):
    settings.LOGIN_MAX_FAILURES = 1
    victim = make_user("victim")
    Client().post("/accounts/login/", {"username": "victim", "password": "bad"})
    # The security admin's page lists the locked account; it is in the menu.
    sec = client_for(personas.secadmin)
    page = sec.get("/accounts/security/").content.decode()
    assert "victim" in page and "解锁与重置密码" in page
    for other in (personas.sysadmin, personas.auditor, personas.district_admin):
        assert client_for(other).get("/accounts/security/").status_code == 403
        client_for(other).post(f"/accounts/users/{victim.pk}/", {"action": "reset_password"})
    victim.refresh_from_db()
    assert not victim.must_change_password
    html = sec.post(f"/accounts/users/{victim.pk}/", {"action": "reset_password"}).content.decode()
    temporary = html.split('<strong class="font-monospace">')[1].split("<")[0]
    victim.refresh_from_db()
    assert victim.must_change_password and not victim.is_locked() and victim.check_password(temporary)
    assert AuditEntry.objects.filter(action="update", actor_name="secadmin", object_id=str(victim.pk),
                                     changes__has_key="password").exists()
    assert temporary not in str(list(AuditEntry.objects.values_list("changes", flat=True)))


def test_superuser_cannot_sign_in_in_production(personas, settings):
    settings.ALLOW_SUPERUSER_LOGIN = False
    c = Client()
    resp = c.post("/accounts/login/", {"username": "root", "password": "Test-pass-2026"})
    assert resp.status_code == 200 and "超级管理员账户在正式环境中不能登录" in resp.content.decode()
    assert c.get("/admin/").status_code == 302
    assert AuditEntry.objects.filter(action="login_failed", changes__reason="superuser_off").exists()


def test_every_admin_write_is_audited(personas, tree, client_for):
    from points.models import Fact, PointRule

    c = client_for(personas.superuser)
    rule, _ = PointRule.objects.get_or_create(fact=Fact.values[0], defaults={"points": 2})
    resp = c.post(f"/admin/points/pointrule/{rule.pk}/change/", {
        "fact": rule.fact, "points": rule.points + 1, "yearly_cap": rule.yearly_cap, "active": "on"})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="update", object_type="points.pointrule", object_id=str(rule.pk))
    assert entry.actor_name == "root" and entry.changes["channel"] == "admin"


def test_the_django_admin_grants_no_roles(personas, tree, client_for):
    """Roles are granted on the security admin's page only (三员分立, levels, never to oneself): the
    Django admin shows them and refuses to add, change or delete one, even for a superuser."""
    c = client_for(personas.superuser)
    user = make_user("edited")
    resp = c.post("/admin/accounts/roleassignment/add/", {
        "user": user.pk, "role": Role.GRID_WORKER, "region": tree.east1_grid1.pk})
    assert resp.status_code == 403
    assert not RoleAssignment.objects.filter(user=user).exists()
    a = RoleAssignment.objects.get(user=personas.secretary)
    assert c.post(f"/admin/accounts/roleassignment/{a.pk}/delete/", {"post": "yes"}).status_code == 403
    assert RoleAssignment.objects.filter(pk=a.pk).exists()


def test_a_password_set_in_the_django_admin_is_a_reset(personas, client_for):
    """Like the security admin's reset: the user must change it at the next sign-in, it enters the
    history, the user's API tokens are revoked and the write is audited."""
    from rest_framework.authtoken.models import Token

    user = personas.secretary
    Token.objects.create(user=user)
    c = client_for(personas.superuser)
    resp = c.post(f"/admin/accounts/user/{user.pk}/password/", {
        "password1": "Qz-7316-lmnb", "password2": "Qz-7316-lmnb", "usable_password": "true"})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    user.refresh_from_db()
    assert user.check_password("Qz-7316-lmnb") and user.must_change_password
    assert user.password_history.filter(password=user.password).exists()
    assert not Token.objects.filter(user=user).exists()
    entries = AuditEntry.objects.filter(action="update", object_type="accounts.user", object_id=str(user.pk))
    entry = next(e for e in entries if "password" in e.changes)
    assert entry.actor_name == "root" and entry.changes["channel"] == "admin" and entry.changes["token"] == "已吊销"
    # A weak password is refused by the same rules as everywhere, nothing changed.
    resp = c.post(f"/admin/accounts/user/{user.pk}/password/", {"password1": "123", "password2": "123"})
    assert resp.status_code == 200
    user.refresh_from_db()
    assert user.check_password("Qz-7316-lmnb")


@pytest.mark.parametrize("persona", ["anonymous", "nobody", "member", "liaison", "grid_worker", "west_secretary"])
def test_no_page_crashes_for_the_weakest_and_the_wrongest(persona, personas, tree):
    """Every route, opened with ids of another community's objects, by a visitor without an account, an
    account without a role, a member, a unit liaison, a grid worker and another community's secretary:
    a refusal or a page, never a server error."""
    ints = sorted({tree.east1.pk, tree.east1_grid1.pk, tree.east1_org.pk, 1, 10**12})
    c = Client(raise_request_exception=False)
    if persona != "anonymous":
        c.force_login(getattr(personas, persona))
    errors = []
    for route in _walk(get_resolver().url_patterns):
        for url in _examples(route, ints):
            if url.startswith("/accounts/logout"):
                continue
            status = c.get(url).status_code
            if status >= 500:
                errors.append((url, status))
    assert not errors, f"{persona} crashes: {errors}"
