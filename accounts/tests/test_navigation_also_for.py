"""A menu entry may show to users without its permission when its `also_for` says so."""

import pytest

from accounts.navigation import MENU, MenuEntry

pytestmark = pytest.mark.django_db


def test_also_for_shows_an_entry_without_the_permission(personas, client_for, monkeypatch):
    entry = MenuEntry("测试入口", "audit:list", "no.such.perm", "测试", 5,
                      also_for=lambda user: user.username == personas.member.username)
    monkeypatch.setattr("accounts.navigation.MENU", [*MENU, entry])
    monkeypatch.setattr("accounts.context_processors.MENU", [*MENU, entry])
    assert "测试入口" in client_for(personas.member).get("/").content.decode()
    assert "测试入口" not in client_for(personas.grid_worker).get("/").content.decode()
