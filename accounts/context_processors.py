from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject

from .navigation import FOLDED, MENU
from .roles import Role
from .scope import has_perm, roles_of


def deployment(request):
    """A demo deployment (DANGJIAN_DEMO=1) says so on every page: 演示环境."""
    return {"demo_mode": settings.DEMO_MODE}


def navigation(request):
    """The menu and role labels of the signed-in user, computed only when a template uses them
    (partials such as the notification badge, polled every few seconds, never do)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "menu_sections": SimpleLazyObject(lambda: _menu_sections(request, user)),
        "user_role_labels": SimpleLazyObject(lambda: sorted({Role(r).label for r in roles_of(user)})),
    }


_URLS: dict[tuple, str] = {}


def _url(name: str) -> str:
    """reverse() of a menu entry, remembered per URL configuration and prefix (the menu has some sixty)."""
    key = (name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    url = _URLS.get(key)
    if url is None:
        url = _URLS[key] = reverse(name)
    return url


def _menu_sections(request, user) -> dict[str, list[dict]]:
    sections: dict[str, list[dict]] = {}
    seen_urls: set[str] = set()
    path = request.path
    for entry in sorted(MENU, key=lambda e: e.order):
        if entry.only_if is not None:
            if not entry.only_if(user):
                continue
        elif entry.perm == "superuser":
            if not user.is_superuser:
                continue
        elif entry.perm is not None and not has_perm(user, entry.perm) and not (
                entry.also_for is not None and entry.also_for(user)):
            continue
        elif user.is_superuser and entry.also_for is not None and not entry.also_for(user):
            continue  # 我的…: a superuser holds every permission but has no record of their own to show
        url = _url(entry.url_name)
        if url in seen_urls:
            continue
        seen_urls.add(url)
        sections.setdefault(entry.section, []).append({"label": entry.label, "url": url, "active": False,
                                                       "folded": entry.url_name in FOLDED})
    # Highlight only the entry whose URL is the longest prefix of the current path.
    best = max(
        (e for items in sections.values() for e in items
         if (path == e["url"] if e["url"] == "/" else path.startswith(e["url"]))),
        key=lambda e: len(e["url"]), default=None,
    )
    if best is not None:
        best["active"] = True
        best["folded"] = False
    for items in sections.values():
        if len(items) <= 3:
            for e in items:
                e["folded"] = False
    return sections
