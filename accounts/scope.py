"""The data scope: one mechanism for every page, selector and API endpoint.

A user's scope for a permission is the union of the subtrees of the nodes where they hold a
role granting that permission. Filtering is an indexed range query on the materialized path
(core/treepaths.py), joined through whatever path the model declares in `scope_path_field`
(e.g. "region__path"). Objects outside the scope are simply absent from the queryset, so a
lookup by id outside it answers 404 — in pages and in the API alike.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from core import treepaths as tree_paths

from .roles import GLOBAL_PERMS, ROLE_PERMISSIONS

_CACHE_ATTR = "_dangjian_scope_cache"
_PERMS_ATTR = "_dangjian_perms_cache"


def _grants(user) -> list[tuple[str, str | None]]:
    """(role, scope path) pairs of the user, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = [
            (role, path)
            for role, path in user.role_assignments.values_list("role", "region__path")
        ]
        setattr(user, _CACHE_ATTR, cached)
    return cached


def clear_cache(user) -> None:
    for attr in (_CACHE_ATTR, _PERMS_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


def _perms(user) -> frozenset[str]:
    """Every permission the user's roles grant somewhere, cached on the user object with the grants
    (the menu asks for some sixty of them on every page)."""
    cached = getattr(user, _PERMS_ATTR, None)
    if cached is None or getattr(user, _CACHE_ATTR, None) is None:
        cached = frozenset(p for role, _ in _grants(user) for p in ROLE_PERMISSIONS.get(role, ()))
        setattr(user, _PERMS_ATTR, cached)
    return cached


def roles_of(user) -> set[str]:
    return {role for role, _ in _grants(user)}


def has_perm(user, perm: str) -> bool:
    """True when the user holds `perm` anywhere (for menus and global permissions)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return perm in _perms(user)


def require_perm(user, *perms: str, what: str = "访问此页面") -> None:
    """The permission guard of every page: 403 (``您没有{what}的权限``) unless the user holds one of
    ``perms`` somewhere. Where an object lies is checked afterwards, by ``get_in_scope_or_404`` (404)."""
    if not any(has_perm(user, perm) for perm in perms):
        raise PermissionDenied(f"您没有{what}的权限")


def scope_paths(user, perm: str) -> list[str] | None:
    """Root paths of the user's scope for `perm`; None means unrestricted (superuser)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return None
    found = [
        path
        for role, path in _grants(user)
        if path and perm in ROLE_PERMISSIONS.get(role, ()) and perm not in GLOBAL_PERMS
    ]
    return tree_paths.collapse(found)


def scope_q(user, perm: str, path_field: str) -> Q | None:
    """A Q selecting rows whose `path_field` lies in the scope; None when unrestricted."""
    roots = scope_paths(user, perm)
    if roots is None:
        return None
    return tree_paths.under_any(path_field, roots)


def scope_filter(qs: QuerySet, user, perm: str, path_field: str | None = None) -> QuerySet:
    """Restrict `qs` to the user's scope for `perm` (path taken from the model if not given)."""
    field = path_field or getattr(qs.model, "scope_path_field", None)
    if not field:
        raise TypeError(f"{qs.model.__name__} declares no scope_path_field")
    q = scope_q(user, perm, field)
    if q is None:
        return qs
    if not q:  # an empty scope
        return qs.none()
    return qs.filter(q)


def has_perm_at(user, perm: str, path: str | None) -> bool:
    """True when `perm` is granted at a node whose path is `path` (or above it)."""
    roots = scope_paths(user, perm)
    if roots is None:
        return True
    return bool(path) and any(tree_paths.is_under(path, root) for root in roots)


def get_in_scope_or_404(qs: QuerySet, user=None, perm: str | None = None, **lookup) -> Model:
    """Fetch one object inside the scope; outside it, or missing, is the same 404. Without ``user`` and
    ``perm``, ``qs`` is a selector's queryset that already applies the scope (e.g. ``pledges(actor)``)."""
    if perm is not None:
        qs = scope_filter(qs, user, perm)
    try:
        return qs.get(**lookup)
    except qs.model.DoesNotExist as exc:
        raise Http404("不存在或不在您的管辖范围内") from exc
