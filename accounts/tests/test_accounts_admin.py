"""等保 three-role separation: the system admin manages accounts, the security admin roles and
locks, the audit admin reads logs; none of them sees business data."""

import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import RoleAssignment, User
from accounts.roles import Role
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_system_admin_creates_accounts_but_cannot_assign_roles(personas, tree, client_for):
    c = client_for(personas.sysadmin)
    resp = c.post("/accounts/users/", {"username": "newbie", "full_name": "新人", "password": "Lz-9183-qwer"})
    user = User.objects.get(username="newbie")
    assert resp.status_code == 302
    c.post(f"/accounts/users/{user.pk}/", {"action": "assign", "role": Role.GRID_WORKER, "region": tree.east1_grid1.pk})
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_security_admin_assigns_roles_at_the_right_level(personas, tree, client_for):
    user = User.objects.create_user("w2", password="x")
    c = client_for(personas.secadmin)
    resp = c.post(
        f"/accounts/users/{user.pk}/", {"action": "assign", "role": Role.GRID_WORKER, "region": tree.east1.pk}
    )
    assert "网格员的管辖范围应为网格一级" in resp.content.decode()
    assert not RoleAssignment.objects.filter(user=user).exists()
    c.post(f"/accounts/users/{user.pk}/", {"action": "assign", "role": Role.GRID_WORKER, "region": tree.east1_grid1.pk})
    assert RoleAssignment.objects.filter(user=user, role=Role.GRID_WORKER, region=tree.east1_grid1).exists()
    assert AuditEntry.objects.filter(action="create", object_type="accounts.roleassignment").exists()


def test_three_system_roles_stay_separate(personas):
    with pytest.raises(ValidationError, match="三员分立"):
        services.role_assign(actor=personas.secadmin, user=personas.sysadmin, role=Role.AUDIT_ADMIN)
    with pytest.raises(ValidationError, match="不能给自己"):
        services.role_assign(actor=personas.secadmin, user=personas.secadmin, role=Role.AUDIT_ADMIN)


def test_bad_account_input_is_refused_with_reasons(personas):
    with pytest.raises(ValidationError) as exc:
        services.user_create(actor=personas.sysadmin, username="<script>", full_name="", password="Lz-9183-qwer")
    assert "账号只能由字母" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.user_create(actor=personas.sysadmin, username="weak", full_name="", password="123")
    assert "password" in exc.value.error_dict
    with pytest.raises(ValidationError, match="已存在"):
        services.user_create(actor=personas.sysadmin, username="secretary", full_name="", password="Lz-9183-qwer")
    assert not User.objects.filter(username__in=["<script>", "weak"]).exists()


def test_scope_is_the_union_of_assignments(personas, tree, client_for):
    # A second role in another community widens the scope to both subtrees.
    RoleAssignment.objects.create(user=personas.grid_worker, role=Role.PARTY_MEMBER, region=tree.west1)
    c = client_for(personas.grid_worker)
    assert c.get(f"/regions/{tree.west1.pk}/").status_code == 200
    assert c.get(f"/regions/{tree.east1_grid1.pk}/").status_code == 200
    assert c.get(f"/regions/{tree.east1.pk}/").status_code == 404
