"""What the service systems' pages share."""

from __future__ import annotations

from django.shortcuts import render

from accounts.scope import require_perm

from .. import selectors
from ..rules import P


def need(request, *perms: str, what: str = "访问便民服务") -> None:
    require_perm(request.user, *(perms or (P.VIEW,)), what=what)


def form_page(request, form, title: str, back: str, *, back_args=(), status=200):
    return render(request, "services/form.html", {"form": form, "title": title, "back": back,
                                                  "back_args": back_args}, status=status)


def manage_communities(request):
    return selectors.communities(request.user, P.MANAGE)
