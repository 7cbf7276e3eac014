"""Role matrix for the foundation: every role against nodes inside and outside its scope, in the
pages and in the API. Outside the scope is always 404, never a hint that the node exists."""

import pytest

pytestmark = pytest.mark.django_db

NODES = ["district", "east", "east1", "east2", "east1_grid1", "east1_grid2", "compound", "west1"]

VISIBLE = {
    "district_admin": set(NODES),
    "street_staff": {"east", "east1", "east2", "east1_grid1", "east1_grid2", "compound"},
    "secretary": {"east1", "east1_grid1", "east1_grid2", "compound"},
    "community_staff": {"east1", "east1_grid1", "east1_grid2", "compound"},
    "grid_worker": {"east1_grid1", "compound"},
    "other_grid_worker": {"east1_grid2"},
    "member": {"east1", "east1_grid1", "east1_grid2", "compound"},
    "liaison": {"east1", "east1_grid1", "east1_grid2", "compound"},
    "west_secretary": {"west1"},
    "superuser": set(NODES),
    "sysadmin": set(),
    "secadmin": set(),
    "auditor": set(),
    "nobody": set(),
}
NO_TREE = {"sysadmin", "secadmin", "auditor", "nobody"}


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_tree_pages_and_api_agree_with_scope(persona, personas, tree, client_for):
    c = client_for(getattr(personas, persona))
    for name in NODES:
        node = getattr(tree, name)
        page = c.get(f"/regions/{node.pk}/")
        children = c.get(f"/regions/{node.pk}/children/")
        api = c.get(f"/api/regions/{node.pk}/")
        if persona in NO_TREE:
            assert page.status_code == 403, (persona, name)
            assert api.status_code == 403, (persona, name)
            continue
        expected = 200 if name in VISIBLE[persona] else 404
        assert (page.status_code, children.status_code, api.status_code) == (expected,) * 3, (persona, name)


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_api_list_holds_exactly_the_scope(persona, personas, tree, client_for):
    c = client_for(getattr(personas, persona))
    resp = c.get("/api/regions/?page_size=500")
    if persona in NO_TREE:
        assert resp.status_code == 403
        return
    ids = {row["id"] for row in resp.json()["results"]}
    expected = {getattr(tree, n).pk for n in VISIBLE[persona]}
    assert expected <= ids
    outside = {getattr(tree, n).pk for n in set(NODES) - VISIBLE[persona]}
    assert not ids & outside


@pytest.mark.parametrize(
    "persona,org,expected",
    [
        ("secretary", "east1_org", 200), ("secretary", "west1_org", 404),
        ("west_secretary", "west1_org", 200), ("west_secretary", "east1_org", 404),
        ("grid_worker", "east1_org", 404), ("district_admin", "west1_org", 200),
    ],
)
def test_party_org_pages_and_api(persona, org, expected, personas, tree, client_for):
    c = client_for(getattr(personas, persona))
    pk = getattr(tree, org).pk
    assert c.get(f"/orgs/{pk}/").status_code == expected
    assert c.get(f"/api/orgs/{pk}/").status_code == expected


def test_tree_page_shows_only_own_subtree(personas, tree, client_for):
    html = client_for(personas.secretary).get("/regions/").content.decode()
    assert "东一社区" in html
    assert "东二社区" not in html and "西一社区" not in html and "东街道" not in html


@pytest.mark.parametrize(
    "persona,node,ok",
    [
        ("secretary", "east1_grid1", True),
        ("street_staff", "east1", True),
        ("community_staff", "east1_grid1", False),   # staff may look, not edit
        ("grid_worker", "east1_grid1", False),
        ("member", "east1", False),
    ],
)
def test_edit_rights(persona, node, ok, personas, tree, client_for):
    region = getattr(tree, node)
    resp = client_for(getattr(personas, persona)).post(
        f"/regions/{region.pk}/edit/", {"name": "新名称", "sort_order": 0}, follow=True
    )
    region.refresh_from_db()
    assert (region.name == "新名称") is ok
    if not ok:
        assert "没有" in resp.content.decode()


def test_edit_outside_scope_is_404_and_changes_nothing(personas, tree, client_for):
    resp = client_for(personas.secretary).post(f"/regions/{tree.west1.pk}/edit/", {"name": "X", "sort_order": 0})
    assert resp.status_code == 404
    tree.west1.refresh_from_db()
    assert tree.west1.name == "西一社区"


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_audit_log_is_for_the_audit_admin_only(persona, personas, client_for):
    c = client_for(getattr(personas, persona))
    allowed = persona in {"auditor", "superuser"}
    assert c.get("/audit/").status_code == (200 if allowed else 403)
    assert c.get("/api/audit/").status_code == (200 if allowed else 403)


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_account_pages_for_system_and_security_admins(persona, personas, client_for):
    c = client_for(getattr(personas, persona))
    allowed = persona in {"sysadmin", "secadmin", "superuser"}
    assert c.get("/accounts/users/").status_code == (200 if allowed else 403)


def test_menu_shows_what_the_role_may_use(personas, client_for):
    secretary_menu = client_for(personas.secretary).get("/").content.decode()
    assert "组织架构" in secretary_menu and "审计日志" not in secretary_menu and "账户管理" not in secretary_menu
    auditor_menu = client_for(personas.auditor).get("/").content.decode()
    assert "审计日志" in auditor_menu and "组织架构" not in auditor_menu
    sys_menu = client_for(personas.sysadmin).get("/").content.decode()
    assert "账户管理" in sys_menu and "审计日志" not in sys_menu


def test_anonymous_is_sent_to_login(tree, client):
    assert client.get(f"/regions/{tree.east1.pk}/").status_code == 302
    assert client.get("/api/regions/").status_code == 401


def test_only_the_closest_menu_entry_is_highlighted(personas, rf):
    from accounts.context_processors import navigation

    request = rf.get("/regions/12/")
    request.user = personas.secretary
    entries = [e for items in navigation(request)["menu_sections"].values() for e in items]
    assert [e["label"] for e in entries if e["active"]] == ["组织架构"]
