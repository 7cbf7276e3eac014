"""Permissions of co-building as named strings and predicates (which role may do what, where)."""

from __future__ import annotations

from accounts.roles import ROLE_PERMISSIONS, Role
from accounts.scope import has_perm, has_perm_at, roles_of, scope_paths


class P:
    VIEW = "cobuild.view"            # see units, agreements, lists, ledger, star board
    EDIT = "cobuild.edit"            # manage units, agreements, needs, projects (community and above)
    DEED = "cobuild.deed"            # log deeds and resources (a liaison: own unit only)
    RATE = "cobuild.rate"            # compute the star board, override a rating (committee)
    RULES = "cobuild.rules"          # edit the rules (district admin)


PERMISSIONS = {
    Role.DISTRICT_ADMIN: {P.VIEW, P.EDIT, P.DEED, P.RATE, P.RULES},
    Role.STREET_STAFF: {P.VIEW, P.EDIT, P.DEED, P.RATE},
    Role.COMMUNITY_SECRETARY: {P.VIEW, P.EDIT, P.DEED},
    Role.COMMUNITY_STAFF: {P.VIEW, P.EDIT, P.DEED},
    Role.UNIT_LIAISON: {P.VIEW, P.DEED},
}


def unit_only(user) -> bool:
    """True when the user sees co-building only as a unit liaison (restricted to their own units).

    A liaison's role sits at the community node, so the territorial scope alone would show every
    unit of the community; this predicate adds the unit restriction on top of it.
    """
    if getattr(user, "is_superuser", False):
        return False
    roles = roles_of(user)
    others = [r for r in roles if r != Role.UNIT_LIAISON and P.VIEW in ROLE_PERMISSIONS.get(r, ())]
    return Role.UNIT_LIAISON in roles and not others


def can_edit_at(user, path: str) -> bool:
    return has_perm_at(user, P.EDIT, path) and not unit_only(user)


def can_edit_unit(user, unit) -> bool:
    """May the user edit a unit's own facts (name, kind, Party organization, liaison)? Staff of a
    community (or above) that the unit serves or where it sits."""
    if unit_only(user) or not has_perm(user, P.EDIT):
        return False
    roots = scope_paths(user, P.EDIT)
    return roots is None or any(unit.serves(root) for root in roots)


def can_log_for_unit(user, unit, region=None) -> bool:
    """May the user log deeds or resources for `unit` (in community `region` when given)? Its
    liaison may, in every community the unit serves; community staff and above where the unit
    serves (or sits) within their scope."""
    if unit_only(user):
        return unit.liaison_id == user.pk and has_perm(user, P.DEED) and \
            (region is None or unit.serves(region.path))
    if region is not None:
        return has_perm_at(user, P.DEED, region.path) and unit.serves(region.path)
    roots = scope_paths(user, P.DEED)
    if roots is None:
        return True
    return any(unit.serves(root) for root in roots)


def can_rate(user) -> bool:
    return has_perm(user, P.RATE)
