"""Every page of every role's menu (and the list pages one tap below) is readable on a 390×844
phone: list tables turn into cards, no table cell is narrower than three characters and no text
wraps one character per line. At 1366×768 the same lists stay tables."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "Test-pass-2026"
# The personas whose menus are walked (the others hold the same roles on other nodes).
ROLES = ("secretary", "grid_worker", "street_staff", "district_admin", "member", "liaison", "auditor",
         "sysadmin", "secadmin")
# Pages whose menu entry leads outside the product's own pages (Django's admin, the API schema).
SKIP_PREFIXES = ("/admin/", "/api/")

# Measures the page: cells narrower than three characters whose text wraps, and text that wraps one character per
# line (three or more line boxes, none wider than two characters).
MEASURE = """() => {
  const bad = [];
  const visible = el => { const r = el.getBoundingClientRect(); const cs = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none'; };
  for (const cell of document.querySelectorAll('.page-body td, .page-body th')) {
    if (!visible(cell)) continue;
    const text = cell.innerText.trim();
    if ([...text].length < 3) continue;
    const fs = parseFloat(getComputedStyle(cell).fontSize);
    const w = cell.getBoundingClientRect().width;
    const probe = document.createRange();
    probe.selectNodeContents(cell);
    const tops = new Set([...probe.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
    if (w < 3 * fs && tops.size > 1) bad.push(`narrow cell (${Math.round(w)}px): ${text.slice(0, 20)}`);
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\\s+/g, '');
    if ([...text].length < 3 || !node.parentElement || !visible(node.parentElement)) continue;
    range.selectNodeContents(node);
    const lines = new Map();
    for (const r of range.getClientRects()) {
      if (r.width === 0) continue;
      const top = Math.round(r.top);
      lines.set(top, Math.max(lines.get(top) || 0, r.width));
    }
    const fs = parseFloat(getComputedStyle(node.parentElement).fontSize);
    const widths = [...lines.values()];
    if (widths.length >= 3 && Math.max(...widths) < 2.2 * fs)
      bad.push(`one character per line: ${text.slice(0, 20)}`);
  }
  return bad;
}"""


def _seed(tree, personas):
    """A few rows for each list: demands, residents and households, members, units and meetings."""
    from cobuild import services as cobuild_services
    from cobuild.models import UnitKind
    from core.idnumber import synthetic_id_number
    from demands import services as demand_services
    from demands.defaults import DEFAULT_CATEGORIES
    from demands.models import Category, Channel
    from grid import services as grid_services
    from meetings import services as meeting_services
    from meetings.models import BodyKind
    from members.models import Category as MemberCategory
    from members.models import MemberStatus, PartyMember

    for i, (code, name, group, resp, handle, wh, level, loc) in enumerate(DEFAULT_CATEGORIES):
        Category.objects.get_or_create(code=code, defaults=dict(
            name=name, group=group, response_minutes=resp, handling_minutes=handle, working_hours_only=wh,
            default_level=level, needs_location=loc, sort_order=i * 10))
    convenience = Category.objects.get(code="convenience")
    for title in ("三单元楼道灯不亮，晚上回家看不见台阶", "小区门口占道经营", "楼上漏水渗到我家天花板"):
        demand_services.demand_create(
            actor=personas.secretary, channel=Channel.HOTLINE, category=convenience, region=tree.east1,
            title=title, description="请尽快处理", caller_name="张三", caller_phone="13812345678")
    grid_services.grid_profile_update(actor=None, grid=tree.east1_grid1, code="T11",
                                      primary_worker=personas.grid_worker)
    for i, name in enumerate(("张三丰", "李四海", "王五福")):
        house = grid_services.house_create(actor=None, building=tree.building, number=f"{i + 1}01", unit="1",
                                           use="rental" if i == 1 else "self")
        household = grid_services.household_create(actor=None, house=house, head_name=name)
        grid_services.resident_create(
            actor=None, household=household, name=name,
            id_number=synthetic_id_number(birth_date=date(1950 + i * 10, 3, 4), gender="M"),
            phone="13800138000", kind="floating" if i == 1 else "registered",
            care_tags=["elderly_alone"] if i == 0 else [], arrival_date=date(2025, 1, 1) if i == 1 else None,
            permit_expiry=date.today() + timedelta(days=10) if i == 1 else None)
    for i, name in enumerate(("赵红梅", "钱建国")):
        born = date(1960 + i * 10, 5, 6)
        PartyMember.objects.create(
            name=name, gender="F" if i == 0 else "M", birth_date=born,
            id_number=synthetic_id_number(birth_date=born, gender="F" if i == 0 else "M"),
            mobile="13912345678", joined_on=date(2000, 7, 1), full_member_on=date(2001, 7, 1),
            status=MemberStatus.FULL, category=MemberCategory.RETIRED, org=tree.east1_org,
            residence=tree.east1_grid1, user=personas.member if i == 0 else None)  # the member's own record
    admin = personas.district_admin
    unit = cobuild_services.unit_create(actor=admin, name="县人民医院", kind=UnitKind.HOSPITAL, region=tree.east1,
                                        leader_name="院长", liaison=personas.liaison)
    cobuild_services.agreement_create(actor=admin, unit=unit, region=tree.east1, title="县人民医院共建协议",
                                      start=date(2026, 1, 1), end=date(2026, 12, 31), activities=["party"])
    body = meeting_services.body_create(actor=admin, name="东一社区党建联席会", kind=BodyKind.JOINT,
                                        region=tree.east1)
    meeting_services.member_add(actor=admin, body=body, unit=unit)
    meeting_services.meeting_create(actor=admin, body=body, title="第一季度联席会议",
                                    date=date.today() + timedelta(days=7), place="社区会议室")


def _menu_links(page) -> list[tuple[str, str]]:
    return page.eval_on_selector_all(
        "#main-menu a.nav-link", "els => els.map(a => [a.textContent.trim(), a.getAttribute('href')])")


def _walk(page, who: str, seen: set[str], viewport: str) -> list[str]:
    problems = []
    for label, href in _menu_links(page):
        if not href or href in seen or href.startswith(SKIP_PREFIXES):
            continue
        seen.add(href)
        response = page.goto(href)
        assert response.status < 400, f"{who} {label} {href}: {response.status}"
        page.wait_for_load_state("load")
        problems += [f"{who} {label} {href}: {p}" for p in page.evaluate(MEASURE)]
        if viewport == "phone":
            screenshot(page, f"phone-list-{who}-{href.strip('/').replace('/', '-') or 'home'}")
    return problems


def test_every_menu_page_reads_on_a_phone(page_for, personas, tree):
    _seed(tree, personas)
    phone_seen: set[str] = set()
    problems = []
    for who in ROLES:
        page = page_for(viewport=(390, 844))
        login(page, getattr(personas, who).username, PASSWORD)
        problems += _walk(page, who, phone_seen, "phone")
        page.context.close()
    assert not problems, "\n".join(problems)
    assert {"/demands/", "/grid/residents/", "/members/list/", "/notifications/"} <= phone_seen


def test_every_menu_page_keeps_its_tables_on_a_desktop(page_for, personas, tree):
    _seed(tree, personas)
    seen: set[str] = set()
    problems = []
    for who in ("secretary", "grid_worker", "district_admin"):
        page = page_for(viewport=(1366, 768))
        login(page, getattr(personas, who).username, PASSWORD)
        for label, href in _menu_links(page):
            if not href or href in seen or href.startswith(SKIP_PREFIXES):
                continue
            seen.add(href)
            page.goto(href)
            heads = page.eval_on_selector_all(".page-body table > thead",
                                              "hs => hs.map(h => getComputedStyle(h).display)")
            problems += [f"{who} {label} {href}: header hidden" for d in heads if d != "table-header-group"]
            problems += [f"{who} {label} {href}: {p}" for p in page.evaluate(MEASURE)]
        page.context.close()
    assert not problems, "\n".join(problems)
    assert len(seen) > 20


def test_lists_are_cards_on_a_phone_and_tables_on_a_desktop(page_for, personas, tree):
    _seed(tree, personas)
    phone = page_for(viewport=(390, 844))
    login(phone, "secretary", PASSWORD)
    phone.goto("/demands/")
    first = phone.locator("#demand-table tbody tr").first
    assert phone.locator("#demand-table").evaluate("t => t.classList.contains('table-cards')")
    assert phone.locator("#demand-table thead").evaluate("h => getComputedStyle(h).display") == "none"
    # One card per demand, as wide as the screen less its margins, title first, state badge beside it.
    box = first.bounding_box()
    assert box["width"] > 300
    title = first.locator("td.card-title")
    state = first.locator("td.card-state .badge")
    assert "楼道灯不亮" in title.inner_text() or title.count() == 1
    assert state.is_visible()
    assert abs(state.bounding_box()["y"] - title.bounding_box()["y"]) < 20
    assert first.locator("td.card-deadline").is_visible()
    screenshot(phone, "phone-demand-cards")

    desktop = page_for(viewport=(1366, 768))
    login(desktop, "secretary", PASSWORD)
    for href in ("/demands/", "/grid/residents/", "/members/list/"):
        desktop.goto(href)
        assert desktop.locator(".page-body table thead").first.evaluate(
            "h => getComputedStyle(h).display") == "table-header-group", href
        assert desktop.evaluate(MEASURE) == [], href
    screenshot(desktop, "desktop-member-table")
