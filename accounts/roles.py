"""Roles, and the permissions each role grants inside its scope node.

Permissions are plain strings named `<area>.<action>`. A role assignment grants its role's
permissions within the subtree of its scope node; the three 等保 system roles carry no
territory and see no business data (the audit admin reads logs and nothing else).
"""

from django.db import models

from audit.perms import AUDIT_VIEW


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", "区委组织部管理员"
    STREET_STAFF = "street_staff", "街道党工委工作人员"
    COMMUNITY_SECRETARY = "community_secretary", "社区党组织书记"
    COMMUNITY_STAFF = "community_staff", "社区工作人员"
    GRID_WORKER = "grid_worker", "网格员"
    PARTY_MEMBER = "party_member", "党员"
    UNIT_LIAISON = "unit_liaison", "驻区单位联络员"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


SYSTEM_ROLES = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}

# Which kind of node each territorial role is normally assigned at (a hint for forms and demo).
ROLE_SCOPE_KIND = {
    Role.DISTRICT_ADMIN: "district",
    Role.STREET_STAFF: "street",
    Role.COMMUNITY_SECRETARY: "community",
    Role.COMMUNITY_STAFF: "community",
    Role.GRID_WORKER: "grid",
    Role.PARTY_MEMBER: "community",
    Role.UNIT_LIAISON: "community",
}


class Perm:
    TREE_VIEW = "tree.view"          # see nodes and Party organizations of the scope
    TREE_EDIT = "tree.edit"          # create, rename, move, delete nodes and organizations
    PII_VIEW_FULL = "pii.view_full"  # see an ID or phone number unmasked (with a stated purpose)
    AUDIT_VIEW = AUDIT_VIEW          # read and export the audit log (named by audit, below accounts)
    USERS_MANAGE = "users.manage"    # create and deactivate accounts (system admin)
    ROLES_MANAGE = "roles.manage"    # assign roles, unlock accounts (security admin)
    PASSWORD_RESET = "accounts.password_reset"  # reset a password, unlock (security admin)


_VIEW = {Perm.TREE_VIEW}
_MANAGE = {Perm.TREE_VIEW, Perm.TREE_EDIT, Perm.PII_VIEW_FULL}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.DISTRICT_ADMIN: _MANAGE,
    Role.STREET_STAFF: _MANAGE,
    Role.COMMUNITY_SECRETARY: _MANAGE,
    Role.COMMUNITY_STAFF: _VIEW,
    Role.GRID_WORKER: _VIEW,
    Role.PARTY_MEMBER: _VIEW,
    Role.UNIT_LIAISON: _VIEW,
    Role.SYSTEM_ADMIN: {Perm.USERS_MANAGE},
    Role.SECURITY_ADMIN: {Perm.ROLES_MANAGE, Perm.PASSWORD_RESET},
    Role.AUDIT_ADMIN: {Perm.AUDIT_VIEW},
}

# Permissions that are not tied to territory (checked without a node).
GLOBAL_PERMS = {Perm.AUDIT_VIEW, Perm.USERS_MANAGE, Perm.ROLES_MANAGE, Perm.PASSWORD_RESET}


def register_permissions(mapping: dict[str, set[str]]) -> None:
    """Let a later app add its permissions to roles (called from its AppConfig.ready)."""
    for role, perms in mapping.items():
        ROLE_PERMISSIONS[role] = set(ROLE_PERMISSIONS[role]) | set(perms)


def register_global_permissions(perms: set[str]) -> None:
    """Let a later app declare some of its permissions not tied to territory: they open menus and
    pages (`has_perm`) but never grant a data scope (`scope_paths` gives nothing for them)."""
    GLOBAL_PERMS.update(perms)  # in place: accounts.scope holds a reference to this set
