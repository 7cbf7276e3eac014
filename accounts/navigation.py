"""The menu: each entry shows only to users holding its permission somewhere.

Later apps add their entries with `register(...)` from their AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .roles import Perm, Role


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    perm: str | None  # None: every signed-in user; "superuser": superusers only
    section: str = "工作台"
    order: int = 100
    # Shown also to users without `perm` for whom this returns True (e.g. an account linked to a
    # Party member's record without the 党员 role); asked only when the permission check fails.
    also_for: Callable[[Any], bool] | None = None
    # Shown exactly to the users for whom this returns True, superusers included, whatever `perm`
    # says (pages that exist only for a relation, e.g. the liaison of a resident unit).
    only_if: Callable[[Any], bool] | None = None


def uses_api(user) -> bool:
    """The API documentation is for the people who connect other systems: superusers, the system
    admin and the district admin (who issues the Open311 keys)."""
    from .scope import roles_of

    return user.is_superuser or bool({Role.SYSTEM_ADMIN, Role.DISTRICT_ADMIN} & set(roles_of(user)))


# Entries used now and then, not every day: on a phone they fold under 更多功能 (the page being shown
# always stays visible; a section of three entries or fewer never folds).
FOLDED = {
    "orgs:list", "grid:map", "grid:facilities", "grid:visits", "grid:expiring",
    "demands:weekly", "demands:monthly", "demands:quarterly", "demands:stats", "demands:calendar",
    "members:roster", "members:mobile", "members:transfers", "members:dues", "members:stats", "members:import",
    "cobuild:agreements", "cobuild:projects", "cobuild:ledger", "cobuild:shortfalls", "cobuild:pairings",
    "cobuild:chronicle", "cobuild:stars", "cobuild:rules",
    "meetings:index", "meetings:rules", "api-docs", "admin:index", "audit:verify",
    "vanguard:zones", "vanguard:activities", "points:ranking",
}

MENU: list[MenuEntry] = [
    MenuEntry("首页", "home", None, "工作台", 0),
    MenuEntry("组织架构", "regions:tree", Perm.TREE_VIEW, "基础架构", 10),
    MenuEntry("党组织", "orgs:list", Perm.TREE_VIEW, "基础架构", 20),
    MenuEntry("账户管理", "accounts:users", Perm.USERS_MANAGE, "系统", 900),
    MenuEntry("角色与解锁", "accounts:users", Perm.ROLES_MANAGE, "系统", 901),
    MenuEntry("解锁与重置密码", "accounts:security", Perm.PASSWORD_RESET, "系统", 902),
    MenuEntry("审计日志", "audit:list", Perm.AUDIT_VIEW, "系统", 910),
    MenuEntry("日志校验", "audit:verify", Perm.AUDIT_VIEW, "系统", 911),
    MenuEntry("接口文档", "api-docs", None, "系统", 950, only_if=uses_api),
    MenuEntry("管理后台", "admin:index", "superuser", "系统", 990),
]


def register(*entries: MenuEntry) -> None:
    for entry in entries:
        if entry not in MENU:
            MENU.append(entry)
