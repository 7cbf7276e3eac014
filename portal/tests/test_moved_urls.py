"""The public pages that moved to portal/ answer at their old addresses exactly as before the move,
for every persona and for an anonymous visitor (the table was recorded on the code before the move)."""

import pytest

from cobuild.testing import units  # noqa: F401  (fixture)
from demands import services as demand_services
from demands.models import Category, Channel
from tests.moved_pages import Visit, differences, walk

pytestmark = pytest.mark.django_db

# Columns: tests.moved_pages.WHO (anonymous, district_admin, street_staff, secretary, community_staff,
# grid_worker, other_grid_worker, member, liaison, west_secretary, sysadmin, secadmin, auditor,
# superuser, nobody).
EXPECTED = {
    "/cobuild/stars/public/":
        "200 200 200 200 200 200 200 200 200 200 200 200 200 200 200",
    "/cobuild/stars/public/?year=2025":
        "200 200 200 200 200 200 200 200 200 200 200 200 200 200 200",
    "/portal/":
        "200 200 200 200 200 200 200 200 200 200 200 200 200 200 200",
    "/portal/d/<code>/":
        "200 200 200 200 200 200 200 200 200 200 200 200 200 200 200",
    "/portal/d/NOPE/":
        "404 404 404 404 404 404 404 404 404 404 404 404 404 404 404",
    "/portal/track/":
        "302 302 302 302 302 302 302 302 302 302 302 302 302 302 302",
    "/portal/track/?code=<code>":
        "302 302 302 302 302 302 302 302 302 302 302 302 302 302 302",
    "/portal/track/?code=NOPE":
        "404 404 404 404 404 404 404 404 404 404 404 404 404 404 404",
    # Acting on a demand needs its secret 查询码, not the public id (issue 13): refused before it is
    # entered, allowed once the visitor has entered it (their session remembers it).
    "POST /portal/d/<code>/info/ without the secret":
        "403 403 403 403 403 403 403 403 403 403 403 403 403 403 403",
    "POST /portal/d/<code>/rate/ without the secret":
        "403 403 403 403 403 403 403 403 403 403 403 403 403 403 403",
    "/portal/track/?code=<secret>":
        "302 302 302 302 302 302 302 302 302 302 302 302 302 302 302",
    "GET /portal/submit/":
        "405 405 405 405 405 405 405 405 405 405 405 405 405 405 405",
    "POST /portal/d/<code>/info/":
        "302 302 302 302 302 302 302 302 302 302 302 302 302 302 302",
    "POST /portal/d/<code>/info/ empty":
        "400 400 400 400 400 400 400 400 400 400 400 400 400 400 400",
    "POST /portal/d/<code>/rate/ too early":
        "400 400 400 400 400 400 400 400 400 400 400 400 400 400 400",
    "POST /portal/submit/":
        "200 200 200 200 200 200 200 200 200 200 200 200 200 200 200",
    "POST /portal/submit/ bad":
        "400 400 400 400 400 400 400 400 400 400 400 400 400 400 400",
}


def visits(tree, demand):
    code = demand.tracking_code
    submission = {"category": "convenience", "community": tree.east1.pk, "title": "楼道灯坏了",
                  "description": "请帮忙修理", "caller_phone": "13900001111", "caller_name": "李四"}
    return [
        Visit("/portal/", "/portal/"),
        Visit("POST /portal/submit/", "/portal/submit/", "post", submission),
        Visit("POST /portal/submit/ bad", "/portal/submit/", "post", {**submission, "category": "bogus"}),
        Visit("GET /portal/submit/", "/portal/submit/"),
        Visit("/portal/track/", "/portal/track/"),
        Visit("/portal/track/?code=<code>", f"/portal/track/?code={code.lower()}"),
        Visit("/portal/track/?code=NOPE", "/portal/track/?code=NOPE"),
        Visit("/portal/d/<code>/", f"/portal/d/{code}/"),
        Visit("/portal/d/NOPE/", "/portal/d/NOPE/"),
        Visit("POST /portal/d/<code>/info/ without the secret", f"/portal/d/{code}/info/", "post",
              {"note": "晚上更暗"}),
        Visit("POST /portal/d/<code>/rate/ without the secret", f"/portal/d/{code}/rate/", "post",
              {"rating": "satisfied"}),
        Visit("/portal/track/?code=<secret>", f"/portal/track/?code={demand.secret_code.lower()}"),
        Visit("POST /portal/d/<code>/info/", f"/portal/d/{code}/info/", "post", {"note": "晚上更暗"}),
        Visit("POST /portal/d/<code>/info/ empty", f"/portal/d/{code}/info/", "post", {}),
        Visit("POST /portal/d/<code>/rate/ too early", f"/portal/d/{code}/rate/", "post", {"rating": "satisfied"}),
        Visit("/cobuild/stars/public/", "/cobuild/stars/public/"),
        Visit("/cobuild/stars/public/?year=2025", "/cobuild/stars/public/?year=2025"),
    ]


def test_moved_public_pages_answer_as_before(client_for, personas, tree, units):  # noqa: F811
    category = Category.objects.get_or_create(code="convenience", defaults={"name": "便民服务"})[0]
    demand = demand_services.demand_create(actor=personas.secretary, channel=Channel.HOTLINE, category=category,
                                           region=tree.east1, title="路灯不亮", description="路灯坏了")
    seen = walk(client_for, personas, visits(tree, demand))
    assert not differences(EXPECTED, seen)
