"""全局搜索: one box finds demands, members and units by name, pinyin, tracking code or a whole
phone/ID number (keyed hash), only inside the asker's scope; bad input is named; the role matrix."""

import pytest

from cobuild.testing import units  # noqa: F401  (shared fixture)
from dashboards.selectors.search import kind_of, search
from demands import services
from demands.models import Category, Channel
from members.tests.conftest import members  # noqa: F401  (shared fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demand(tree, personas):
    from demands.defaults import DEFAULT_CATEGORIES

    for i, (code, name, group, resp, handle, wh, level, loc) in enumerate(DEFAULT_CATEGORIES):
        Category.objects.get_or_create(code=code, defaults=dict(
            name=name, group=group, response_minutes=resp, handling_minutes=handle, working_hours_only=wh,
            default_level=level, needs_location=loc, sort_order=i * 10))
    return services.demand_create(actor=personas.secretary, region=tree.east1_grid1, channel=Channel.HOTLINE,
                                  category=Category.objects.get(code="convenience"), title="幸福里三号楼电梯故障",
                                  description="电梯停在三楼", address="幸福里小区3号楼", caller_name="赵六",
                                  caller_phone="13912345678")


def _hits(groups, key):
    return [h.title for g in groups if g.key == key for h in g.hits]


def test_the_kind_of_a_query():
    assert kind_of("110101199003074514") == "id_number"
    assert kind_of("139 1234 5678") == "mobile"
    assert kind_of("AB12CD34EF56") == "code"
    assert kind_of("zs") == "pinyin"
    assert kind_of("幸福里") == "text"


def test_one_box_finds_each_kind_of_record(tree, personas, demand, members, units):  # noqa: F811
    admin = personas.district_admin
    assert _hits(search(admin, "电梯"), "demands") == ["幸福里三号楼电梯故障"]
    assert _hits(search(admin, "幸福里小区"), "demands") == ["幸福里三号楼电梯故障"]     # address
    assert _hits(search(admin, demand.tracking_code.lower()), "demands") == ["幸福里三号楼电梯故障"]
    assert _hits(search(admin, "13912345678"), "demands") == ["幸福里三号楼电梯故障"]   # keyed hash
    assert _hits(search(admin, "1391234567"), "demands") == []                          # never by digits
    assert _hits(search(admin, "zs"), "members") == ["张三"]
    assert _hits(search(admin, "lisi"), "members") == ["李四"]
    assert _hits(search(admin, members["ww"].id_number), "members") == ["王五"]
    assert _hits(search(admin, "医院"), "units") == ["县医院"]


def test_search_stays_inside_the_scope(tree, personas, demand, members, units):  # noqa: F811
    assert _hits(search(personas.west_secretary, "电梯"), "demands") == []
    assert _hits(search(personas.west_secretary, "王五"), "members") == ["王五"]
    assert _hits(search(personas.west_secretary, "张三"), "members") == []
    assert _hits(search(personas.west_secretary, "医院"), "units") == []
    assert _hits(search(personas.grid_worker, "电梯"), "demands") == ["幸福里三号楼电梯故障"]
    assert _hits(search(personas.other_grid_worker, "电梯"), "demands") == []


def test_the_page(tree, personas, client_for, demand):
    r = client_for(personas.secretary).get("/search/", {"q": "电梯"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "幸福里三号楼电梯故障" in html and f"/demands/{demand.pk}/" in html
    assert "按姓名、名称、标题或地址查找" in html
    r = client_for(personas.secretary).get("/search/", {"q": "x" * 51})
    assert r.status_code == 400 and "搜索内容最多 50 个字" in r.content.decode()


@pytest.mark.parametrize("who, status", [
    ("district_admin", 200), ("street_staff", 200), ("secretary", 200), ("community_staff", 200),
    ("grid_worker", 200), ("member", 403), ("liaison", 200), ("superuser", 200),
    ("sysadmin", 403), ("secadmin", 403), ("auditor", 403), ("nobody", 403),
])
def test_role_matrix(personas, client_for, who, status):
    r = client_for(getattr(personas, who)).get("/search/", {"q": "张"})
    assert r.status_code == status
    assert ("全局搜索" in client_for(getattr(personas, who)).get("/").content.decode()) == (status == 200)


def test_anonymous_is_sent_to_sign_in(client):
    r = client.get("/search/?q=张")
    assert r.status_code == 302
