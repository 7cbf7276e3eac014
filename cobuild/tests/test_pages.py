"""Pages, exports and the role matrix (pages AND API)."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone

from cobuild import services
from cobuild.models import Activity, Deed, Need, Project, ResourceKind, StarRating

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def data(personas, tree, units):
    deed_a = services.deed_create(actor=personas.liaison, unit=units.a, activity=Activity.SERVICE, date=TODAY,
                                  title="<script>alert(1)</script>义诊", beneficiaries=120, hours=6, money=300,
                                  participants=[{"name": "张三", "hours": 3}])
    deed_b = services.deed_create(actor=personas.secretary, unit=units.b, activity=Activity.CULTURE, date=TODAY,
                                  title="一中文艺汇演", beneficiaries=80)
    deed_w = services.deed_create(actor=personas.district_admin, unit=units.w, activity=Activity.SECURITY,
                                  date=TODAY, title="矿务局巡逻")
    need_a = services.need_create(actor=personas.secretary, region=tree.east1, kind=ResourceKind.VENUE,
                                  title="党课场地", agreement=units.agreement_a)
    need_w = services.need_create(actor=personas.west_secretary, region=tree.west1, kind=ResourceKind.FUNDS,
                                  title="西一资金", agreement=units.agreement_w)
    proj_b = services.project_create(actor=personas.secretary, region=tree.east1, title="一中项目", owner_name="甲",
                                     deadline=TODAY + timedelta(days=9), unit=units.b)
    services.star_board_compute(actor=personas.district_admin, year=TODAY.year)
    return {"deed_a": deed_a, "deed_b": deed_b, "deed_w": deed_w, "need_a": need_a, "need_w": need_w,
            "proj_b": proj_b}


def test_every_page_renders_for_the_secretary(client_for, personas, units, data):
    c = client_for(personas.secretary)
    for name in ("index", "agreements", "matching", "projects", "ledger", "shortfalls", "pairings", "chronicle",
                 "stars", "rules", "deed_new", "unit_new", "agreement_new"):
        assert c.get(reverse(f"cobuild:{name}")).status_code == 200, name
    for name, pk in (("unit", units.a.pk), ("agreement", units.agreement_a.pk), ("need", data["need_a"].pk),
                     ("project", data["proj_b"].pk), ("deed", data["deed_a"].pk)):
        assert c.get(reverse(f"cobuild:{name}", args=[pk])).status_code == 200, name


def test_text_is_escaped(client_for, personas, units, data):
    html = client_for(personas.secretary).get(reverse("cobuild:ledger")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;义诊" in html and "<script>alert(1)" not in html


def test_liaison_sees_and_edits_only_own_unit(client_for, personas, units, data):
    c = client_for(personas.liaison)
    html = c.get(reverse("cobuild:index")).content.decode()
    assert "县医院" in html and "县一中" not in html
    assert c.get(reverse("cobuild:unit", args=[units.a.pk])).status_code == 200
    assert c.get(reverse("cobuild:unit", args=[units.b.pk])).status_code == 404
    assert c.get(reverse("cobuild:deed", args=[data["deed_b"].pk])).status_code == 404
    assert c.get(reverse("cobuild:project", args=[data["proj_b"].pk])).status_code == 404
    ledger = c.get(reverse("cobuild:ledger")).content.decode()
    assert "义诊" in ledger and "一中文艺汇演" not in ledger
    # Logging a deed for another unit of the same community: refused (the unit is not even offered).
    resp = c.post(reverse("cobuild:deed_new"), {"unit": units.b.pk, "activity": "service", "date": TODAY,
                                                 "title": "冒名实事", "beneficiaries": 0, "hours": 0, "money": 0})
    assert resp.status_code == 200 and not Deed.objects.filter(title="冒名实事").exists()
    resp = c.post(reverse("cobuild:deed_new"), {"unit": units.a.pk, "activity": "service", "date": TODAY,
                                                 "title": "自己的实事", "beneficiaries": 3, "hours": 1, "money": 0})
    assert resp.status_code == 302 and Deed.objects.filter(title="自己的实事", unit=units.a).exists()
    # Editing the unit record or creating units and agreements: not for a liaison.
    assert c.post(reverse("cobuild:unit", args=[units.a.pk]), {"name": "改名"}).status_code == 403
    assert c.get(reverse("cobuild:unit_new")).status_code == 403
    assert c.post(reverse("cobuild:resource_new", args=[units.b.pk]), {"kind": "venue", "title": "x",
                                                                       "capacity": 1}).status_code == 404
    # API: the same restriction.
    api = c.get("/api/cobuild/units/").json()
    assert [u["name"] for u in api["results"]] == ["县医院"]
    assert c.get(f"/api/cobuild/units/{units.b.pk}/").status_code == 404
    titles = [d["title"] for d in c.get("/api/cobuild/deeds/").json()["results"]]
    assert "一中文艺汇演" not in titles and "自己的实事" in titles
    assert c.get(f"/api/cobuild/deeds/{data['deed_b'].pk}/").status_code == 404
    assert c.get(f"/api/cobuild/projects/{data['proj_b'].pk}/").status_code == 404
    stars = c.get(f"/api/cobuild/stars/?year={TODAY.year}").json()["results"]
    assert {s["unit"] for s in stars} == {units.a.pk}
    assert c.get(reverse("cobuild:chronicle")).status_code == 403


def test_community_sees_only_own_agreements(client_for, personas, units, data):
    east = client_for(personas.secretary)
    html = east.get(reverse("cobuild:agreements")).content.decode()
    assert "县医院共建协议" in html and "矿务局共建协议" not in html
    assert east.get(reverse("cobuild:agreement", args=[units.agreement_w.pk])).status_code == 404
    assert east.get(reverse("cobuild:need", args=[data["need_w"].pk])).status_code == 404
    assert east.get(f"/api/cobuild/agreements/{units.agreement_w.pk}/").status_code == 404
    assert [a["title"] for a in east.get("/api/cobuild/agreements/").json()["results"]] == ["县医院共建协议"]
    west = client_for(personas.west_secretary)
    assert west.get(reverse("cobuild:agreement", args=[units.agreement_a.pk])).status_code == 404
    assert [a["title"] for a in west.get("/api/cobuild/agreements/").json()["results"]] == ["矿务局共建协议"]
    assert west.get(f"/api/cobuild/needs/{data['need_a'].pk}/").status_code == 404
    # The district sees both.
    admin = client_for(personas.district_admin)
    assert len(admin.get("/api/cobuild/agreements/").json()["results"]) == 2


@pytest.mark.parametrize("who, status", [
    ("district_admin", 200), ("street_staff", 200), ("secretary", 200), ("community_staff", 200),
    ("liaison", 200), ("grid_worker", 403), ("member", 403), ("sysadmin", 403), ("auditor", 403),
    ("nobody", 403),
])
def test_role_matrix_pages_and_api(client_for, personas, units, data, who, status):
    c = client_for(getattr(personas, who))
    assert c.get(reverse("cobuild:index")).status_code == status
    assert c.get(reverse("cobuild:ledger")).status_code == status
    assert c.get("/api/cobuild/units/").status_code == status


def test_anonymous_is_sent_to_login_but_public_board_is_open(client, units, data):
    assert client.get(reverse("cobuild:index")).status_code == 302
    assert client.get("/api/cobuild/units/").status_code == 401
    assert client.get(reverse("cobuild:public_stars")).status_code == 200


def test_ledger_xlsx_export(client_for, personas, units, data):
    from openpyxl import load_workbook

    resp = client_for(personas.secretary).get(reverse("cobuild:ledger_export") + f"?year={TODAY.year}")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(BytesIO(resp.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:5] == ("日期", "驻区单位", "社区", "活动类别", "实事内容")
    body = {r[4]: r for r in rows[1:]}
    assert set(body) == {"<script>alert(1)</script>义诊", "一中文艺汇演"}  # not the west unit's deed
    r = body["<script>alert(1)</script>义诊"]
    assert r[1] == "县医院" and r[3] == "服务联办" and r[5] == "张三" and r[6] == 120 and r[8] == 300


def test_scores_xlsx_export(client_for, personas, units, data):
    from openpyxl import load_workbook

    resp = client_for(personas.district_admin).get(reverse("cobuild:scores_export") + f"?year={TODAY.year}")
    rows = list(load_workbook(BytesIO(resp.content)).active.iter_rows(values_only=True))
    assert rows[0][-2:] == ("考核分值占比（%）", "计入考核得分")
    assert len(rows) == 1 + StarRating.objects.filter(year=TODAY.year).count()
    assert all(r[-2] == 20 for r in rows[1:])


def test_chronicle_generate_edit_and_docx(client_for, personas, units, data):
    from docx import Document

    c = client_for(personas.secretary)
    resp = c.post(reverse("cobuild:chronicle"), {"action": "generate", "year": TODAY.year})
    assert resp.status_code == 302
    from cobuild.models import ChronicleEntry

    entries = ChronicleEntry.objects.all()
    titles = [e.title for e in entries]
    assert any("义诊" in t for t in titles) and any("一中项目" in t for t in titles)
    assert not any("矿务局" in t for t in titles)
    e = entries.first()
    resp = c.post(reverse("cobuild:chronicle_edit", args=[e.pk]), {"date": e.date, "title": "改写的大事",
                                                                    "body": "人工补充"})
    assert resp.status_code == 302
    e.refresh_from_db()
    assert e.edited and e.title == "改写的大事"
    c.post(reverse("cobuild:chronicle"), {"action": "generate", "year": TODAY.year})  # idempotent, keeps edits
    assert ChronicleEntry.objects.count() == len(titles)
    resp = c.get(reverse("cobuild:chronicle_export") + f"?year={TODAY.year}")
    doc = Document(BytesIO(resp.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"{TODAY.year} 年共驻共建大事记" in text and "改写的大事" in text and "人工补充" in text


def test_need_accept_through_the_page(client_for, personas, units, data):
    services.resource_create(actor=personas.liaison, unit=units.a, kind=ResourceKind.VENUE, title="报告厅",
                             capacity=5)
    c = client_for(personas.secretary)
    need = data["need_a"]
    html = c.get(reverse("cobuild:need", args=[need.pk])).content.decode()
    assert "报告厅" in html and "本社区" in html
    res = units.a.resources.get()
    bad = c.post(reverse("cobuild:need", args=[need.pk]), {"resource": res.pk, "owner_name": "",
                                                            "deadline": "", "budget": 0})
    assert bad.status_code == 200 and not Project.objects.filter(need=need).exists()
    ok = c.post(reverse("cobuild:need", args=[need.pk]), {"resource": res.pk, "owner_name": "王书记",
                                                           "deadline": TODAY + timedelta(days=10), "budget": 100})
    assert ok.status_code == 302
    assert Need.objects.get(pk=need.pk).project.owner_name == "王书记"


def test_rules_page_only_admin_edits(client_for, personas):
    assert client_for(personas.secretary).post(reverse("cobuild:rules"), {}).status_code == 403
    c = client_for(personas.district_admin)
    from cobuild.selectors import rules
    from cobuild.services import RULE_FIELDS

    data = {f: getattr(rules(), f) for f in RULE_FIELDS}
    data["assessment_weight"] = 10
    html = c.post(reverse("cobuild:rules"), data).content.decode()
    assert "不得低于 20%" in html and rules().assessment_weight == 20
    data["assessment_weight"] = 25
    assert c.post(reverse("cobuild:rules"), data).status_code == 302 and rules().assessment_weight == 25


def test_unit_form_offers_only_liaisons_in_scope(client_for, personas, tree):
    from accounts.roles import Role
    from conftest import make_user

    make_user("west_liaison", Role.UNIT_LIAISON, tree.west1)
    html = client_for(personas.secretary).get(reverse("cobuild:unit_new")).content.decode()
    assert "（liaison）" in html and "west_liaison" not in html
    resp = client_for(personas.secretary).post(reverse("cobuild:unit_new"), {
        "name": "新单位<script>", "kind": "school", "region": tree.east1.pk})
    assert resp.status_code == 200 and "不能包含" in resp.content.decode()
    resp = client_for(personas.secretary).post(reverse("cobuild:unit_new"), {
        "name": "新单位", "kind": "school", "region": tree.east1.pk, "liaison": personas.liaison.pk,
        "has_volunteer_team": "on"})
    assert resp.status_code == 302


def test_deed_page_with_photos(client_for, personas, units):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cobuild.tests.test_services import png

    c = client_for(personas.liaison)
    base = {"unit": units.a.pk, "activity": "service", "date": TODAY, "beneficiaries": 5, "hours": 1, "money": 0}
    fake = SimpleUploadedFile("a.jpg", b"GIF89a-but-not-really", content_type="image/jpeg")
    resp = c.post(reverse("cobuild:deed_new"), {**base, "title": "坏照片", "photos": [fake]})
    assert resp.status_code == 200 and "不是有效的图片" in resp.content.decode()
    assert not Deed.objects.filter(title="坏照片").exists()
    resp = c.post(reverse("cobuild:deed_new"), {**base, "title": "好照片", "photos": [png("a.png"), png("b.png")]})
    assert resp.status_code == 302
    deed = Deed.objects.get(title="好照片")
    assert deed.photos.count() == 2
    assert "实事照片" in c.get(reverse("cobuild:deed", args=[deed.pk])).content.decode()
