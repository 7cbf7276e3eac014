"""数据驾驶舱: the leaders' dashboard of one node (county → street → community → grid) for a date
range, compared with the previous period; every figure opens the list behind it."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from accounts.scope import has_perm, has_perm_at

from ..forms import RangeForm
from ..selectors.leader import (
    CHILD_KIND,
    DASH_VIEW,
    dashboard,
    dashboard_node,
    dashboard_nodes,
    default_range,
)


def _presets(today: date) -> list[tuple[str, date, date]]:
    first = today.replace(day=1)
    last_month_end = first - timedelta(days=1)
    quarter = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    return [
        ("本月", first, today),
        ("上月", last_month_end.replace(day=1), last_month_end),
        ("本季度", quarter, today),
        ("本年", date(today.year, 1, 1), today),
        ("近30天", today - timedelta(days=29), today),
    ]


def _url(name: str, args=None, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(name, args=args) + (f"?{query}" if query else "")


def _delta(now, prev, *, more_is_better: bool = True):
    """(text, css) of the change against the previous period: css good, bad or flat."""
    out = _change(now, prev)
    if out and out[1] != "flat":
        out = (out[0], "good" if (out[1] == "up") == more_is_better else "bad")
    return out


def _change(now, prev):
    if now is None or prev is None:
        return None
    if isinstance(now, float) or isinstance(prev, float):
        diff = round((now - prev) * 100)
        return (f"较上期 {diff:+d} 个百分点", "up" if diff > 0 else "down" if diff < 0 else "flat")
    if not prev:
        return None if not now else ("上期为 0", "up")
    pct = round((now - prev) * 100 / prev)
    return (f"较上期 {pct:+d}%", "up" if pct > 0 else "down" if pct < 0 else "flat")


@login_required
def board(request, pk: int | None = None):
    user = request.user
    if not has_perm(user, DASH_VIEW):
        raise PermissionDenied("数据驾驶舱供区、街道、社区的党组织和工作人员使用，您的角色没有查看权限")
    if pk is None:
        roots = dashboard_nodes(user)
        if not roots:
            raise Http404("您的管辖范围内没有可汇总的节点")
        node = roots[0]
    else:
        node = dashboard_node(user, pk)
    today = timezone.localdate()
    start, end = default_range(today)
    form = RangeForm(request.GET if "start" in request.GET or "end" in request.GET else None,
                     initial={"start": start, "end": end})
    status = 200
    if form.is_bound:
        if form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        else:
            status = 400
    b = dashboard(node, start, end)
    span = {"since": start.isoformat(), "until": end.isoformat()}
    demands = "demands:list"
    links = {
        "demands": _url(demands, region=node.pk, **span),
        "open": _url(demands, region=node.pk, state="open"),
        "overdue": _url(demands, region=node.pk, overdue="1"),
        "escalated": _url(demands, region=node.pk, escalated="1", **span),
        "resolved": _url(demands, region=node.pk, **span),
        "grids": _url("grid:list", region=node.pk),
        "visits": _url("grid:visits", region=node.pk),
        "node": reverse("regions:detail", args=[node.pk]),
        "members": reverse("members:list"),
        "deeds": _url("cobuild:ledger", year=end.year),
        "pairings": reverse("cobuild:pairings"),
        "matching": reverse("cobuild:matching"),
        "stars": _url("cobuild:stars", year=end.year),
        "meetings": reverse("meetings:index"),
    }
    now, prev = b.days, b.prev
    kpis = [
        # (group, label, value, unit, link, delta) — the figures of the period with their change
        ("接诉即办", "新增诉求", now["demands"], "件", links["demands"],
         _delta(now["demands"], prev["demands"], more_is_better=False)),
        ("接诉即办", "响应率", b.rates["now"]["response"], "%", links["demands"],
         _delta(b.rates["now"]["response"], b.rates["prev"]["response"])),
        ("接诉即办", "解决率", b.rates["now"]["resolution"], "%", links["resolved"],
         _delta(b.rates["now"]["resolution"], b.rates["prev"]["resolution"])),
        ("接诉即办", "满意率", b.rates["now"]["satisfaction"], "%", links["demands"],
         _delta(b.rates["now"]["satisfaction"], b.rates["prev"]["satisfaction"])),
        ("接诉即办", "升级督办", now["escalated"], "件", links["escalated"],
         _delta(now["escalated"], prev["escalated"], more_is_better=False)),
        ("网格治理", "走访", now["visits"], "次", links["visits"], _delta(now["visits"], prev["visits"])),
        ("共驻共建", "共建实事", now["deeds"], "件", links["deeds"], _delta(now["deeds"], prev["deeds"])),
        ("共驻共建", "新结对", now["pairings"], "对", links["pairings"], _delta(now["pairings"], prev["pairings"])),
        ("议事协调", "召开会议", now["meetings"], "次", links["meetings"], _delta(now["meetings"], prev["meetings"])),
    ]
    s = b.stock
    stocks = [
        ("党员", s["members"], "名", links["members"]),
        ("党组织", s["orgs"], "个", links["node"]),
        ("网格", s["grids"], "个", links["grids"]),
        ("配备网格员", s["grids_staffed"], "个", links["grids"]),
        ("近30天走访覆盖", s["households_visited"] / s["households"] if s["households"] else None, "%",
         links["visits"]),
        ("实有人口", s["residents"], "人", links["grids"]),
        ("未办结诉求", s["open_demands"], "件", links["open"]),
        ("超期未办结", s["overdue_open"], "件", links["overdue"]),
        ("驻区单位结对（单位×社区）", s["units"], "个", links["node"]),
        ("已对接需求", s["needs_matched"], "项", links["matching"]),
        ("待对接需求", s["needs_open"], "项", links["matching"]),
        ("四星以上评定（单位×社区）", s["stars_high"], "个", links["stars"]),
        ("未按期开会", s["cadence_breaches"], "个机构", links["meetings"]),
    ]
    child_kind = CHILD_KIND.get(node.kind)
    children = []
    for row in b.children:
        can_open = has_perm_at(user, DASH_VIEW, row.region.path)
        children.append({
            "row": row, "can_open": can_open,
            "url": _url("dashboard_node", args=[row.region.pk], start=start.isoformat(), end=end.isoformat())
            if can_open else "",
            "overdue_url": _url(demands, region=row.region.pk, overdue="1"),
            "demands_url": _url(demands, region=row.region.pk, **span),
        })
    crumbs = [(a, has_perm_at(user, DASH_VIEW, a.path)) for a in node.ancestors()]
    chart = {
        "series": {"days": [f"{d.month}月{d.day}日" for d, _, _ in b.series],
                   "demands": [n for _, n, _ in b.series], "visits": [v for _, _, v in b.series],
                   "prev": b.prev_series[:len(b.series)]},
        "children": [{"name": c["row"].region.name, "demands": c["row"].days["demands"],
                      "overdue": c["row"].stock["overdue_open"], "url": c["url"] or c["demands_url"],
                      "overdue_url": c["overdue_url"]} for c in children],
        "categories": [{"name": name, "n": n, "url": _url(demands, region=node.pk, category=code, **span)}
                       for _, code, name, n in b.categories],
    }
    refreshed = b.refreshed_at
    stale_minutes = round((timezone.now() - refreshed).total_seconds() / 60) if refreshed else None
    return render(request, "dashboards/board.html", {
        "b": b, "node": node, "form": form, "kpis": kpis, "stocks": stocks, "children": children,
        "child_kind": dict(node._meta.get_field("kind").choices).get(child_kind, "") if child_kind else "",
        "crumbs": crumbs, "chart": chart, "presets": _presets(today), "links": links,
        "roots": dashboard_nodes(user), "stale_minutes": stale_minutes,
        "hot_places": sorted((c for c in children if c["row"].days["demands"]),
                             key=lambda c: -c["row"].days["demands"])[:5],
    }, status=status)
