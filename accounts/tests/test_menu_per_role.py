"""Each role's menu: Chinese entries only, the API documentation only for those who connect
systems, and the entries used now and then folded on a phone."""

import re

import pytest

pytestmark = pytest.mark.django_db
ROLES = ["district_admin", "street_staff", "secretary", "community_staff", "grid_worker", "member", "liaison",
         "sysadmin", "secadmin", "auditor"]


def _menu(html: str) -> str:
    start = html.index('id="main-menu"')
    return html[start:html.index("</ul>", start)]


@pytest.mark.parametrize("who", ROLES)
def test_menu_entries_are_chinese(who, personas, client_for):
    menu = _menu(client_for(getattr(personas, who)).get("/").content.decode())
    labels = re.findall(r'<span class="nav-link-title">([^<]+)</span>', menu)
    assert labels and all(re.search(r"[\u4e00-\u9fff]", label) for label in labels), labels
    assert ("接口文档" in labels) == (who in ("district_admin", "sysadmin"))


def test_rarely_used_entries_fold_for_community_staff(personas, client_for):
    html = _menu(client_for(personas.community_staff).get("/").content.decode())
    folded = re.findall(r'menu-folded">\s*<a class="nav-link" href="[^"]+"><span class="nav-link-title">([^<]+)<', html)
    assert {"周纪实", "党费", "共建协议"} <= set(folded)
    assert "诉求列表" not in folded and "我的待办" not in folded and "更多功能" in html


def test_the_page_being_shown_never_folds(personas, client_for):
    html = _menu(client_for(personas.community_staff).get("/members/dues/").content.decode())
    assert re.search(r'<li class="nav-item active">\s*<a class="nav-link" href="/members/dues/"', html)
