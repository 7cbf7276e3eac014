"""A community secretary signs in, opens the organization tree and sees only their community."""

import pytest

from conftest import PASSWORD
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_browses_own_subtree(page_for, personas, tree):
    page = page_for()
    login(page, "secretary", PASSWORD)
    page.click("#main-menu >> text=组织架构")
    page.wait_for_url("**/regions/")
    tree_box = page.locator("#tree")
    assert tree_box.locator("a:text-is(\"东一社区\")").count() == 1
    assert "东一社区党总支" in tree_box.inner_text() and "书记 书记甲" in tree_box.inner_text()
    # Expand the community, then its first grid: children arrive through htmx.
    page.click(f"[data-node='{tree.east1.pk}'] >> button.tree-toggle")
    page.wait_for_selector(f"#children-{tree.east1.pk} >> text=网格2")
    page.click(f"[data-node='{tree.east1_grid1.pk}'] >> button.tree-toggle")
    page.wait_for_selector(f"#children-{tree.east1_grid1.pk} >> text=阳光小区")
    text = page.locator("body").inner_text()
    for outside in ("东二社区", "西一社区", "西镇", "测试县"):
        assert outside not in text
    screenshot(page, "tree_secretary")
    # A node outside the scope is a 404, even typed by hand.
    resp = page.goto(f"/regions/{tree.west1.pk}/")
    assert resp.status == 404


def test_tree_on_a_phone(page_for, personas, tree):
    page = page_for(viewport=(390, 844))
    login(page, "street_staff", PASSWORD)
    page.goto(f"/regions/{tree.east.pk}/")
    assert page.locator("h1").inner_text().endswith("东街道")
    assert page.locator("text=东一社区党总支").first.is_visible()
    # The menu is folded behind the toggler on a phone and opens on tap.
    page.click("button.navbar-toggler")
    page.wait_for_selector("#main-menu >> text=党组织", state="visible")
    screenshot(page, "tree_phone_street_staff")
