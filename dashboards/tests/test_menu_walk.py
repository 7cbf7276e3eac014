"""Every role opens every entry of its menu and every link of its workbench as a person would: no error
page in English, no unrounded decimal, no English word outside the proper names below."""

import re
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from cobuild.testing import units  # noqa: F401  (shared fixture)
from demands import services as demand_services
from demands.models import Category, Channel
from grid.tests.conftest import gdata  # noqa: F401  (shared fixture)
from members import services as member_services
from members.tests.conftest import members  # noqa: F401  (shared fixture)

pytestmark = pytest.mark.django_db
ROLES = ["district_admin", "street_staff", "secretary", "community_staff", "grid_worker", "member", "liaison",
         "sysadmin", "secadmin", "auditor"]
# Proper names and the abbreviations people use as they are.
ALLOWED = {"open311", "excel", "word", "pdf", "docx", "xlsx", "geojson", "wgs", "gcj", "bd", "api", "ip", "id",
           "ok", "gb", "csv", "url", "wecom", "sms", "qr", "gps", "png", "jpg", "jpeg", "webp", "kb", "mb", "open",
           "aed"}
# The API's own documentation is English like the API (shown only to the roles that connect systems).
SKIP = {"/api/docs/"}
WORD = re.compile(r"[A-Za-z]{3,}")
LONG_DECIMAL = re.compile(r"\d+\.\d{3,}")
ENGLISH_ERROR = re.compile(r"Forbidden|Not Found|Server Error|Page not found|Bad Request|Traceback")


class _Text(HTMLParser):
    """The words a person reads: text outside script/style, plus placeholders, titles and labels."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code", "pre"):
            self._skip += 1
        for name, value in attrs:
            if name in ("placeholder", "title", "aria-label", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code", "pre") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    p = _Text()
    p.feed(html)
    return " ".join(p.parts)


def _menu_urls(html: str) -> list[str]:
    start = html.index('id="main-menu"')
    menu = html[start:html.index("</ul>", start)]
    return re.findall(r'<a class="nav-link" href="(/[^"]*)"', menu)


def _workbench_urls(html: str) -> list[str]:
    """The links of the workbench (counts and items), without the one-tap forms."""
    if 'id="workbench"' not in html:
        return []
    part = html[html.index('id="workbench"'):html.index('id="home-cards"') if 'id="home-cards"' in html else None]
    return sorted(set(re.findall(r'href="(/[^"]*)"', part)))


@pytest.fixture
def world(personas, tree, gdata, units, members):  # noqa: F811
    from demands.defaults import DEFAULT_CATEGORIES

    for i, (code, name, group, resp, handle, wh, level, loc) in enumerate(DEFAULT_CATEGORIES):
        Category.objects.get_or_create(code=code, defaults=dict(
            name=name, group=group, response_minutes=resp, handling_minutes=handle, working_hours_only=wh,
            default_level=level, needs_location=loc, sort_order=i * 10))
    import random

    from accounts.models import User
    from core.synthetic import person_name

    rng = random.Random(15)
    for u in User.objects.all():  # people have Chinese names (the personas' default is their username)
        u.full_name = person_name(rng)
        u.save(update_fields=["full_name"])
    conv = Category.objects.get(code="convenience")
    for i in range(3):
        demand_services.demand_create(actor=None, channel=Channel.PORTAL, category=conv, region=tree.east1,
                                      title=f"诉求{i}", description="楼道灯不亮",
                                      submitted_at=timezone.now() - timedelta(days=i))
    zs = members["zs"]
    zs.user = personas.member
    zs.save()
    month = timezone.localdate().replace(day=1)
    for m, amount in ((zs, "1163.33"), (members["ls"], "1162.34")):
        member_services.dues_pay(actor=personas.secretary, member=m, month=month, amount=Decimal(amount))
    return tree


def _problems(path: str, resp, names: set[str] = frozenset()) -> list[str]:
    out = []
    html = resp.content.decode(errors="replace") if resp.get("Content-Type", "").startswith("text/html") else ""
    if resp.status_code >= 400:
        if 'id="error-title"' not in html or ENGLISH_ERROR.search(html):
            out.append(f"{path}: {resp.status_code} without the Chinese error page")
        return out
    if not html:
        return out
    text = visible_text(html)
    if m := LONG_DECIMAL.search(text):
        out.append(f"{path}: unrounded decimal {m.group(0)}")
    # Upper-case tokens are codes (tracking codes, grid codes) and abbreviations.
    english = sorted({w for w in WORD.findall(text)
                      if w.lower() not in ALLOWED and w.lower() not in names and not w.isupper()})
    if english:
        out.append(f"{path}: English words {english[:8]}")
    return out


@pytest.mark.parametrize("who", ROLES)
def test_every_menu_page_of_every_role_reads_as_chinese(who, world, personas, client_for):
    c = client_for(getattr(personas, who))
    home = c.get("/")
    urls = _menu_urls(home.content.decode())
    assert urls, "no menu"
    urls += [u for u in _workbench_urls(home.content.decode()) if u not in urls]
    # Sign-in names are identifiers people chose (the test accounts' are English words).
    from accounts.models import User

    names = {part for u in User.objects.values_list("username", flat=True) for part in u.lower().split("_")}
    problems = _problems("/", home, names)
    for url in urls:
        if url not in SKIP:
            problems += _problems(url, c.get(url), names)
    assert not problems, "\n".join(problems)
