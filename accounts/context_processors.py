from django.urls import reverse

from .navigation import MENU
from .roles import Role
from .scope import has_perm, roles_of


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    sections: dict[str, list[dict]] = {}
    seen_urls: set[str] = set()
    path = request.path
    for entry in sorted(MENU, key=lambda e: e.order):
        if entry.perm == "superuser":
            if not user.is_superuser:
                continue
        elif entry.perm is not None and not has_perm(user, entry.perm) and not (
                entry.also_for is not None and entry.also_for(user)):
            continue
        url = reverse(entry.url_name)
        if url in seen_urls:
            continue
        seen_urls.add(url)
        sections.setdefault(entry.section, []).append({"label": entry.label, "url": url, "active": False})
    # Highlight only the entry whose URL is the longest prefix of the current path.
    best = max(
        (e for items in sections.values() for e in items
         if (path == e["url"] if e["url"] == "/" else path.startswith(e["url"]))),
        key=lambda e: len(e["url"]), default=None,
    )
    if best is not None:
        best["active"] = True
    role_labels = sorted({Role(r).label for r in roles_of(user)})
    return {"menu_sections": sections, "user_role_labels": role_labels}
