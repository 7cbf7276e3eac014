"""A menu entry may show to users without its permission (`also_for`), or exactly to the users a
relation names (`only_if`)."""

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


def test_only_if_decides_alone_even_for_superusers(personas, client_for, monkeypatch):
    """An entry for a relation (the liaison of a unit, say) is not shown to a superuser who has
    every permission but not the relation: the page would only refuse them."""
    entry = MenuEntry("关系入口", "audit:list", None, "测试", 5,
                      only_if=lambda user: user.username == personas.member.username)
    monkeypatch.setattr("accounts.navigation.MENU", [*MENU, entry])
    monkeypatch.setattr("accounts.context_processors.MENU", [*MENU, entry])
    assert "关系入口" in client_for(personas.member).get("/").content.decode()
    assert "关系入口" not in client_for(personas.superuser).get("/").content.decode()
    assert "关系入口" not in client_for(personas.secretary).get("/").content.decode()


def test_a_superuser_without_a_member_record_sees_no_my_pages(personas, client_for):
    """我的档案, 我的积分, 我的组织生活, 我的岗位与承诺: pages about one's own Party membership. A superuser
    holds every permission, but without a member record each of them would only answer 404."""
    html = client_for(personas.superuser).get("/").content.decode()
    for label in ("我的档案", "我的积分", "我的组织生活", "我的岗位与承诺", "志愿服务活动"):
        assert f">{label}<" not in html, label
    assert "管理后台" in html
