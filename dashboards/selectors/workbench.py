"""工作台: what each role must act on today, read through each domain's selectors.

A block is one kind of work: a count that links to the filtered list, the first few items, each one
tap from its action, and what to say when there is nothing to do. `workbench(actor)` gives the
blocks of every role the actor holds, most urgent first, each block once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.scope import has_perm, roles_of
from core import treepaths as paths
from regions.models import Region, RegionKind

SHOWN = 5  # items listed per block; the count links to the rest


@dataclass
class Item:
    title: str
    meta: str = ""
    url: str = ""
    badge: str = ""
    tone: str = ""  # "danger" | "warning" | "" (the badge's colour)


@dataclass
class Block:
    key: str
    title: str
    count: int
    url: str
    items: list[Item] = field(default_factory=list)
    empty: str = "暂无"
    action: tuple[str, str] | None = None  # (label, url): the block's own button
    form: dict | None = None  # a one-tap form (the Party member's 报到)
    urgent: bool = True  # the count is work waiting (red when not zero), not a figure to read


def _local(dt) -> str:
    return f"{timezone.localtime(dt):%m-%d %H:%M}"


# ---------------------------------------------------------------------------------------- demands

def _demand_item(d, now) -> Item:
    late = d.handling_due < now
    return Item(d.title, f"{d.get_state_display()} · {d.region.name} · 办结时限 {_local(d.handling_due)}",
                reverse("demands:detail", args=[d.pk]), "已超期" if late else "", "danger" if late else "")


def my_queue(actor, now) -> Block:
    from demands.selectors import handler_queue

    qs = handler_queue(actor)
    return Block("my-queue", "我的待办", qs.count(), reverse("demands:queue"),
                 [_demand_item(d, now) for d in qs[:SHOWN]], "没有待办的诉求",
                 action=("街面上报", reverse("demands:street_report")))


def new_demands(actor, now) -> Block:
    from demands.models import State
    from demands.selectors import visible_demands

    qs = visible_demands(actor).filter(state=State.SUBMITTED, duplicate_of__isnull=True).order_by("response_due")
    return Block("new-demands", "新诉求待受理", qs.count(), reverse("demands:list") + "?state=submitted",
                 [_demand_item(d, now) for d in qs[:SHOWN]], "没有待受理的新诉求")


def overdue_demands(actor, now) -> Block:
    from demands.selectors import demand_list

    qs = demand_list(actor, overdue=True).order_by("handling_due", "id")
    return Block("overdue-demands", "超期未办结诉求", qs.count(), reverse("demands:list") + "?overdue=1",
                 [_demand_item(d, now) for d in qs[:SHOWN]], "没有超期的诉求")


def escalated_demands(actor, now, level: int) -> Block:
    from demands.models import Escalation
    from demands.selectors import escalation_list

    qs = escalation_list(actor, level)
    name = {Escalation.MONTHLY: "monthly", Escalation.QUARTERLY: "quarterly"}.get(level, "weekly")
    return Block("escalated", f"升级至{Escalation(level).label}的诉求", qs.count(), reverse(f"demands:{name}"),
                 [_demand_item(d, now) for d in qs[:SHOWN]], "没有升级的诉求")


def grid_events(actor, now, grids: list[Region]) -> Block:
    """Open events and hazards in the worker's grids (whoever handles them)."""
    from demands.models import OPEN_STATES
    from demands.selectors import visible_demands

    q = paths.under_any("region__path", [g.path for g in grids])
    qs = visible_demands(actor).filter(q, state__in=OPEN_STATES).order_by("handling_due", "id")
    return Block("grid-events", "网格内未办结的事件与隐患", qs.count(), reverse("demands:list") + "?state=open",
                 [_demand_item(d, now) for d in qs[:SHOWN]], "网格内没有未办结的事件")


def community_ranking(actor, now) -> Block | None:
    from demands.selectors import community_ranking as ranking
    from demands.selectors import visible_demands

    node = _top_node(actor, (RegionKind.DISTRICT, RegionKind.STREET))
    if node is None:
        return None
    start = timezone.localtime(now).replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    rows = ranking(visible_demands(actor).filter(submitted_at__gte=start), node)
    shown = rows[:3] + [r for r in rows[-2:] if r not in rows[:3]]
    items = [Item(f"第 {r['rank']} 名 · {r['name']}", f"得分 {r['score']} · 诉求 {r['n']} 件",
                  reverse("demands:stats") + f"?node={node.pk}&period=year",
                  "末位" if r["rank"] == len(rows) and len(rows) > 3 else "",
                  "warning" if r["rank"] == len(rows) and len(rows) > 3 else "") for r in shown]
    return Block("ranking", f"{node.name}社区排名（本年）", len(rows),
                 reverse("demands:stats") + f"?node={node.pk}&period=year", items, "暂无社区", urgent=False)


# ------------------------------------------------------------------------------------------ grid

def visits_due(actor, grids: list[Region]) -> Block:
    from grid import selectors as gs

    remaining = gs.not_visited_this_month(gs.households_in_scope(actor, gs.GridPerm.VISIT))
    plan = [hh for g in grids[:3] for hh in gs.today_plan(g)][:SHOWN]
    items = [Item(hh.house.address if hh.house_id else f"住户 {hh.pk}",
                  "重点关爱户" if hh.is_care else ("从未走访" if hh.last_visited_at is None
                                              else f"上次走访 {timezone.localtime(hh.last_visited_at):%m-%d}"),
                  reverse("grid:visit_new") + f"?household={hh.pk}", "关爱" if hh.is_care else "",
                  "warning" if hh.is_care else "") for hh in plan]
    return Block("visits-due", "本月待走访住户", remaining.count(), reverse("grid:mobile"), items,
                 "本月的住户都已走访", action=("今日走访计划", reverse("grid:mobile")))


def leases_ending(actor, grids: list[Region], today) -> Block:
    from grid import selectors as gs
    from grid.models import RentalLease

    soon = today + timedelta(days=30)
    leases = list(RentalLease.objects.filter(grid__in=grids, ended_on__isnull=True, end_date__lte=soon)
                  .select_related("house").order_by("end_date")[:SHOWN])
    n_leases = RentalLease.objects.filter(grid__in=grids, ended_on__isnull=True, end_date__lte=soon).count()
    permits = gs.expiring_permits(actor, 30)
    items = [Item(le.house.address, f"租约到期 {le.end_date:%Y-%m-%d} · 房东 {le.landlord_name}",
                  reverse("grid:lease_edit", args=[le.pk]), "已到期" if le.end_date < today else "",
                  "danger" if le.end_date < today else "") for le in leases]
    items += [Item(r.name, f"居住证到期 {r.permit_expiry:%Y-%m-%d}", reverse("grid:resident", args=[r.pk]),
                   "已到期" if r.permit_expiry < today else "", "danger" if r.permit_expiry < today else "")
              for r in permits[:max(0, SHOWN - len(items))]]
    return Block("leases-ending", "30 天内到期的租约与居住证", n_leases + permits.count(), reverse("grid:expiring"),
                 items, "30 天内没有到期的租约或居住证")


# -------------------------------------------------------------------------------------- meetings

def cadence_gaps(actor, *, by_community: bool) -> Block | None:
    from meetings import selectors as ms

    statuses = [s for s in ms.body_statuses(list(ms.bodies(actor))) if s.missed]
    if by_community:
        counts = Counter(_community_name(s.body.region) for s in statuses)
        items = [Item(name, f"{n} 个议事机构上一周期未开会", reverse("meetings:index"), f"{n}", "warning")
                 for name, n in counts.most_common(SHOWN)]
        return Block("cadence-gaps", "会议频次缺口（按社区）", len(statuses), reverse("meetings:index"), items,
                     "各议事机构都按期开会")
    items = [Item(s.body.name, f"{s.missed.label}未开会",
                  reverse("meetings:body", args=[s.body.pk]), "缺会", "warning") for s in statuses[:SHOWN]]
    return Block("cadence-gaps", "会议频次缺口", len(statuses), reverse("meetings:index"), items,
                 "各议事机构都按期开会")


def meetings_to_answer(actor, today) -> Block:
    from meetings import selectors as ms
    from meetings.models import Attendance, MeetingStatus

    rows = (Attendance.objects.filter(unit__in=ms.liaison_units(actor), reply="", meeting__date__gte=today,
                                      meeting__status=MeetingStatus.PLANNED)
            .select_related("meeting", "meeting__body", "unit").order_by("meeting__date", "meeting__start_time"))
    items = [Item(a.meeting.title, f"{a.meeting.date:%m-%d} · {a.unit.name} · 尚未回执",
                  reverse("meetings:unit_meeting", args=[a.meeting.pk]), "待回执", "warning") for a in rows[:SHOWN]]
    return Block("meetings-to-answer", "待回执的会议", rows.count(), reverse("meetings:unit_meetings"), items,
                 "没有待回执的会议")


# --------------------------------------------------------------------------------------- orglife

def orglife_due(actor, today) -> Block | None:
    """What the Party organizations of the actor's scope must hold: a kind missed in its last period
    (red), then what is still due in the current one."""
    from orglife import selectors as ol
    from orglife.rules import P as OrglifeP

    if not has_perm(actor, OrglifeP.MANAGE):
        return None
    orgs = list(ol.living_orgs(actor, OrglifeP.MANAGE)[:300])
    if not orgs:  # no organization with members in the scope: nothing to hold
        return None
    statuses = [st for st in ol.org_statuses(orgs, today) if st.missed or st.due]
    statuses.sort(key=lambda st: (not st.missed, st.org.region.path))
    items = []
    for st in statuses[:SHOWN]:
        if st.missed:
            items.append(Item(st.org.name, "、".join(f"{k.missed.label}未开展{k.label}" for k in st.missed),
                              reverse("orglife:cadence") + f"?org={st.org.pk}", "缺项", "danger"))
        else:
            k = st.due[0]
            items.append(Item(st.org.name, "本周期待开展：" + "、".join(x.label for x in st.due),
                              reverse("orglife:session_new") + f"?org={st.org.pk}&kind={k.kind}", "待开展",
                              "warning"))
    return Block("orglife-due", "组织生活待开展", len(statuses), reverse("orglife:cadence"), items,
                 "各党组织的三会一课和主题党日都已按期开展")


def reviews_open(actor) -> Block | None:
    """民主评议党员 still open in the scope, with how many members are not rated yet."""
    from orglife import selectors as ol
    from orglife.rules import P as OrglifeP

    if not has_perm(actor, OrglifeP.MANAGE):
        return None
    rows = list(ol.reviews(actor, OrglifeP.MANAGE).filter(closed_on__isnull=True)
                .annotate(unrated=Count("entries", filter=Q(entries__rating=""))).order_by("year", "id")[:50])
    if not rows:
        return None
    items = [Item(f"{r.org.name} {r.year} 年度", f"{r.unrated} 人未评定" if r.unrated else "可结束评议",
                  reverse("orglife:review", args=[r.pk]), "进行中", "warning") for r in rows[:SHOWN]]
    return Block("reviews-open", "进行中的民主评议", len(rows), reverse("orglife:reviews"), items, "暂无")


def pipeline_due(actor, today) -> Block | None:
    """发展党员 steps that may be taken now or within a month (a 转正 due, a 积极分子's year done)."""
    from orglife import selectors as ol
    from orglife.rules import P as OrglifeP
    from orglife.services.pipeline import due_on

    if not has_perm(actor, OrglifeP.MANAGE):
        return None
    rules = ol.stage_rules()
    rows = []
    for a in ol.applicants(actor, OrglifeP.MANAGE).exclude(stage="full")[:500]:
        d = due_on(a, rules)
        if d is not None and d <= today + timedelta(days=30):
            rows.append((d, a))
    if not rows:
        return None
    rows.sort(key=lambda r: (r[0], r[1].pk))
    items = [Item(a.name, f"{a.get_stage_display()} · {a.org.name} · 下一步 {d:%Y-%m-%d} 起",
                  reverse("orglife:applicant", args=[a.pk]), "可办理" if d <= today else "将到期",
                  "warning" if d <= today else "") for d, a in rows[:SHOWN]]
    return Block("pipeline-due", "发展党员待办", len(rows), reverse("orglife:pipeline"), items, "暂无到期事项")

# ----------------------------------------------------------------------------------- stewardship

def stewardship_approvals(actor) -> Block | None:
    """Spending beyond the balance or the budget, and assets to take off the ledger, waiting for the street."""
    from stewardship import selectors as ss
    from stewardship.rules import P as StewardshipP

    if not has_perm(actor, StewardshipP.APPROVE):
        return None
    entries = ss.pending_entries(actor)
    disposals = ss.pending_disposals(actor)
    items = [Item(e.summary, f"{e.fund_year.region.name} · {e.label} · {e.amount:,.2f} 元",
                  reverse("stewardship:entry", args=[e.pk]), "待审批", "warning") for e in entries[:SHOWN]]
    items += [Item(f"处置：{d.asset}",
                   f"{d.asset.region.name} · {d.get_method_display()} · 原值 {d.asset.value:,.2f} 元",
                   reverse("stewardship:asset", args=[d.asset_id]), "待审批", "warning")
              for d in disposals[:max(0, SHOWN - len(items))]]
    return Block("stewardship-approvals", "经费与资产待审批", entries.count() + disposals.count(),
                 reverse("stewardship:approvals"), items, "没有待审批的支出或资产处置")


def stewardship_todo(actor, today) -> Block | None:
    """The community's funds and assets: this year's funds account not opened, this year's inventory not
    done, spending waiting for approval."""
    from stewardship import selectors as ss
    from stewardship.rules import P as StewardshipP

    if not has_perm(actor, StewardshipP.MANAGE):
        return None
    communities = list(ss.communities(actor, StewardshipP.MANAGE)[:50])
    if not communities:
        return None
    opened = set(ss.fund_years(actor, StewardshipP.MANAGE).filter(year=today.year).values_list("region_id", flat=True))
    counted = set(ss.inventories(actor, StewardshipP.MANAGE).filter(year=today.year, closed_on__isnull=False)
                  .values_list("region_id", flat=True))
    items = []
    for c in communities:
        if c.pk not in opened:
            items.append(Item(f"{c.name}：尚未建立 {today.year} 年经费账", "建账后按类别记录收支",
                              reverse("stewardship:fund_year_new") + f"?community={c.pk}", "待建账", "warning"))
        if c.pk not in counted and today.month >= 11:
            items.append(Item(f"{c.name}：{today.year} 年资产尚未清查完毕", "年底前逐件清点固定资产",
                              reverse("stewardship:assets") + f"?community={c.pk}", "待清查", "warning"))
    for e in ss.entries(actor, StewardshipP.MANAGE).filter(status="pending").order_by("created_at")[:SHOWN]:
        items.append(Item(e.summary, f"{e.fund_year.region.name} · {e.amount:,.2f} 元 · 等待街道审批",
                          reverse("stewardship:entry", args=[e.pk]), "审批中"))
    return Block("stewardship-todo", "经费与资产", len(items), reverse("stewardship:index"), items[:SHOWN],
                 "本年经费账已建立，资产已清查", action=("记一笔", reverse("stewardship:funds")))


# --------------------------------------------------------------------------------------- network

def leaders_unvisited(actor, today) -> Block | None:
    """County leaders who have not yet visited a community they keep in touch with this quarter."""
    from network import selectors as ns
    from network.rules import P as NetworkP

    if not has_perm(actor, NetworkP.VIEW):
        return None
    rows = ns.unvisited(actor, today)
    items = [Item(f"{u.assignment.leader.name}（{u.assignment.leader.post}）",
                  f"{u.assignment.community.name} · "
                  + (f"上次走访 {u.last_visit:%Y-%m-%d}" if u.last_visit else "从未走访"),
                  reverse("network:leader", args=[u.assignment.leader_id]), "未走访", "warning")
             for u in rows[:SHOWN]]
    return Block("leaders-unvisited", "本季度未走访的县领导", len(rows), reverse("network:unvisited"), items,
                 "联系社区的县领导本季度都已走访")


def leader_problems_overdue(actor, today) -> Block | None:
    """Problems county leaders took on whose deadline has passed unresolved."""
    from network import selectors as ns
    from network.rules import P as NetworkP

    if not has_perm(actor, NetworkP.VIEW):
        return None
    qs = ns.overdue_problems(actor, today)
    items = [Item(p.problem, f"{p.community.name} · {p.leader.name}领办 · 期限 {p.deadline:%Y-%m-%d}",
                  reverse("network:problem", args=[p.pk]), "已超期", "danger") for p in qs[:SHOWN]]
    return Block("leader-problems-overdue", "县领导领办问题超期", qs.count(),
                 reverse("network:problems") + "?overdue=1", items, "没有超期的领办问题")


def cadre_quota_shortfalls(actor) -> Block | None:
    """社区工作者: the communities of the scope short of their staffing quota, with the first shortfall."""
    from cadres import selectors as cs
    from cadres.rules import P as CadresP

    if not has_perm(actor, CadresP.MANAGE):
        return None
    short = [r for r in cs.compliance(actor) if r.shortfalls]
    items = [Item(r.region.name, r.shortfalls[0] + (f" 等 {len(r.shortfalls)} 项" if len(r.shortfalls) > 1 else ""),
                  reverse("cadres:roster") + f"?community={r.region.pk}", "未达标", "warning") for r in short[:SHOWN]]
    return Block("cadre-quotas", "社区人员配备缺口", len(short), reverse("cadres:quotas") + "?short=1", items,
                 "各社区人员配备均已达标")


def cadre_training_gaps(actor, today) -> Block | None:
    """社区工作者: who is still short of this year's training minimums (县党校 20 天 …)."""
    from cadres import selectors as cs
    from cadres.rules import P as CadresP

    if not has_perm(actor, CadresP.MANAGE):
        return None
    gaps = cs.training_gaps(actor, today.year)
    items = [Item(g.cadre.name, f"{g.cadre.region.name} · {g.lines[0]}", reverse("cadres:detail", args=[g.cadre.pk]),
                  "培训不足", "warning") for g in gaps[:SHOWN]]
    return Block("cadre-training", f"{today.year} 年培训未达要求", len(gaps), reverse("cadres:training"), items,
                 "全部达到年度培训要求", action=("登记培训", reverse("cadres:training")))


def mobile_care_due(actor, today) -> Block | None:
    """关爱党员: mobile members of the scope without a 结对联系 member, then those nobody has been in
    touch with for three months (shown only when there is something)."""
    from orglife import selectors as ol
    from orglife.rules import P as OrglifeP

    if not has_perm(actor, OrglifeP.MANAGE):
        return None
    recs = list(ol.mobile_records(actor, OrglifeP.MANAGE)[:500])
    paired = ol.open_pairs_by_record([r.pk for r in recs])
    cutoff = today - timedelta(days=ol.QUIET_DAYS)
    rows = [(r, r.pk in paired) for r in recs if r.pk not in paired or (r.last_contact_on or r.left_on) < cutoff]
    if not rows:
        return None
    rows.sort(key=lambda x: (x[1], x[0].last_contact_on or x[0].left_on))
    items = [Item(r.member.name, f"{r.origin_org.name} · 在{r.destination}" + (
        f" · 最近联系 {r.last_contact_on:%Y-%m-%d}" if r.last_contact_on else " · 从未联系"),
        reverse("orglife:pair", args=[r.pk]), "超过三个月未联系" if has else "尚未结对",
        "warning" if has else "danger") for r, has in rows[:SHOWN]]
    return Block("mobile-care", "流动党员结对联系", len(rows), reverse("orglife:pairs"), items, "暂无")


# --------------------------------------------------------------------------------------- cobuild

def unmatched_needs(actor) -> Block:
    from cobuild import selectors as cs

    qs = cs.unmatched_needs(actor)
    items = [Item(n.title, f"{n.get_kind_display()} · 登记于 {timezone.localtime(n.created_at):%m-%d}",
                  reverse("cobuild:need", args=[n.pk])) for n in qs[:SHOWN]]
    return Block("unmatched-needs", "待对接的需求", qs.count(), reverse("cobuild:matching"), items, "没有待对接的需求")


def deeds_due(actor, today, *, by_community: bool) -> Block:
    from cobuild import selectors as cs

    short = cs.unit_shortfalls(actor, today.year)
    minimum = cs.rules().min_unit_deeds
    if by_community:
        counts = Counter(_community_name(s.region) for s in short)
        items = [Item(name, f"{n} 家驻区单位本年实事未达标", reverse("cobuild:shortfalls"), f"{n}", "warning")
                 for name, n in counts.most_common(SHOWN)]
        title = "共建实事未达标（按社区）"
    else:
        items = [Item(s.unit.name, f"本年实事 {s.deeds} 件，要求至少 {minimum} 件",
                      reverse("cobuild:unit", args=[s.unit.pk]), f"差 {max(0, minimum - s.deeds)} 件", "warning")
                 for s in short[:SHOWN]]
        title = "本年实事未达标的单位"
    return Block("deeds-due", title, len(short), reverse("cobuild:shortfalls"), items, "本年实事都已达标")


# --------------------------------------------------------------------------------------- members

def unregistered_members(actor, today) -> Block:
    from members import selectors as mems

    qs = mems.unregistered_employed(actor, year=today.year)
    items = [Item(m.name, f"{m.org.name} · 本年尚未到居住地社区报到", reverse("members:detail", args=[m.pk]))
             for m in qs[:SHOWN]]
    return Block("unregistered", "尚未报到的在职党员", qs.count(), reverse("members:list") + "?category=employed",
                 items, "在职党员都已报到")


def pending_registrations(actor) -> Block:
    from members import selectors as mems
    from members.models import Decision

    qs = mems.dual_registrations(actor=actor, status=Decision.PENDING).order_by("requested_at")
    items = [Item(str(r.member or r.unit_org), f"向{r.community.name}报到 · {timezone.localtime(r.requested_at):%m-%d}",
                  reverse("members:dual") + "?status=pending", "待确认", "warning") for r in qs[:SHOWN]]
    return Block("pending-registrations", "待确认的报到", qs.count(), reverse("members:dual") + "?status=pending",
                 items, "没有待确认的报到")


def my_registration(actor, today) -> Block | None:
    """The Party member's own 报到: the form itself when they have not registered this year."""
    from members.models import Category, Decision, PartyMember

    member = PartyMember.objects.select_related("residence").filter(user_id=actor.pk).first()
    if member is None:
        return None
    regs = list(member.dual_registrations.select_related("community").order_by("-requested_at"))
    open_now = [r for r in regs if r.status != Decision.RETURNED
                and timezone.localtime(r.requested_at).year == today.year]
    items = [Item(f"{r.community.name}：{r.get_status_display()}", f"{timezone.localtime(r.requested_at):%Y-%m-%d}",
                  reverse("members:me"), r.get_status_display(),
                  "warning" if r.status == Decision.PENDING else ("danger" if r.status == Decision.RETURNED else ""))
             for r in regs[:SHOWN]]
    form = None
    if member.category == Category.EMPLOYED and not open_now:
        communities = list(Region.objects.filter(kind=RegionKind.COMMUNITY).select_related("parent")
                           .order_by("path")[:500])
        home = member.residence
        home_id = None
        if home is not None:
            home_id = home.pk if home.kind == RegionKind.COMMUNITY else Region.objects.filter(
                id__in=paths.ancestor_ids(home.path), kind=RegionKind.COMMUNITY).values_list("pk", flat=True).first()
        form = {"url": reverse("members:my_register"), "communities": communities, "selected": home_id}
    empty = "尚未向居住地社区报到" if member.category == Category.EMPLOYED else "您的党员类别无需到居住地社区报到"
    return Block("my-registration", "到居住地社区报到", 1 if form else 0, reverse("members:me"), items, empty,
                 form=form)


def my_record(actor, today) -> Block | None:
    from members import selectors as mems
    from members.models import PartyMember, RegistrySettings

    member = PartyMember.objects.filter(user_id=actor.pk).first()
    if member is None:
        return None
    settings_ = RegistrySettings.current()
    standing = mems.dues_standing(member, today=today, settings_=settings_)
    deeds = member.deeds.filter(date__year=today.year).count()
    items = []
    if standing.owed:
        items.append(Item(f"党费：{len(standing.owed)} 个月没有缴纳记录", "请向所在党支部补缴", reverse("members:me"),
                          "欠缴", "danger"))
    elif standing.this_month_open:
        items.append(Item("党费：本月尚未缴纳", "", reverse("members:me")))
    short = max(0, settings_.deed_quota_min - deeds)
    items.append(Item(f"本年实事 {deeds} 件", f"要求 {settings_.deed_quota_min}-{settings_.deed_quota_max} 件",
                      reverse("members:me"), f"还差 {short} 件" if short else "已达标", "warning" if short else ""))
    return Block("my-record", "我的党员档案", bool(standing.owed) + bool(short), reverse("members:me"), items, "")


# --------------------------------------------------------------------------------------- imports

def imports_to_review(actor, now) -> Block:
    """The actor's uploads of the last two weeks that did not go in (errors to fix, then upload again)."""
    from django.urls import NoReverseMatch

    from core.models import ImportJob, ImportStatus

    qs = (ImportJob.objects.filter(created_by=actor, created_at__gte=now - timedelta(days=14),
                                   status__in=[ImportStatus.INVALID, ImportStatus.REJECTED, ImportStatus.FAILED])
          .order_by("-created_at"))
    items, lists = [], []
    for job in qs[:SHOWN]:
        app = job.kind.split(".")[0]
        try:
            url = reverse(f"{app}:import_job", args=[job.pk])
        except NoReverseMatch:
            continue
        lists.append(reverse(f"{app}:import"))
        items.append(Item(job.original_name or f"导入 {job.pk}",
                          f"{job.get_status_display()} · {job.error_rows} 行有错 · {_local(job.created_at)}",
                          url, "待修改", "warning"))
    default = reverse("members:import") if has_perm(actor, "members.import") else reverse("grid:import")
    return Block("imports", "待处理的导入", qs.count(), lists[0] if lists else default, items, "近两周的导入都已完成")


def member_links(actor) -> Block | None:
    """What else exists for a Party member: their posts and pledges, volunteering, points."""
    from django.urls import NoReverseMatch

    from members.models import PartyMember

    if not PartyMember.objects.filter(user_id=actor.pk).exists():
        return None
    items = []
    for name, label, meta in (("vanguard:my", "我的岗位与承诺", "选岗、承诺、践诺"),
                              ("vanguard:my_activities", "志愿服务活动", "报名、签到"),
                              ("points:my", "我的积分", "积分明细与排名")):
        try:
            items.append(Item(label, meta, reverse(name)))
        except NoReverseMatch:
            continue
    if not items:
        return None
    return Block("my-vanguard", "党员作用", 0, items[0].url, items, "", urgent=False)


# ---------------------------------------------------------------------------------- system roles

def audit_today(actor, now) -> Block:
    from audit.models import AuditAction, AuditEntry

    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    today = f"{start:%Y-%m-%d}"
    qs = AuditEntry.objects.filter(at__gte=start)
    items = []
    for action, label in ((AuditAction.VIEW_PII, "查看个人信息"), (AuditAction.EXPORT, "导出"),
                          (AuditAction.LOGIN_FAILED, "登录失败"), (AuditAction.LOCKED, "账户锁定")):
        n = qs.filter(action=action).count()
        items.append(Item(f"今日{label} {n} 次", "", reverse("audit:list") + f"?action={action}&date_from={today}",
                          str(n) if n else "", "warning" if n else ""))
    return Block("audit-today", "今日审计记录", qs.count(), reverse("audit:list") + f"?date_from={today}", items, "")


def accounts_to_look_at(actor, now, *, security: bool) -> Block:
    from accounts.models import User

    if security:
        qs = User.objects.filter(locked_until__gt=now).order_by("locked_until")
        items = [Item(u.display_name, f"锁定至 {_local(u.locked_until)}",
                      reverse("accounts:user", args=[u.pk]), "已锁定", "danger") for u in qs[:SHOWN]]
        return Block("locked-accounts", "被锁定的账户", qs.count(), reverse("accounts:security"), items,
                     "没有被锁定的账户")
    qs = User.objects.filter(is_active=True, is_superuser=False, role_assignments__isnull=True).order_by("-date_joined")
    items = [Item(u.display_name, "尚未分配角色", reverse("accounts:users") + f"?q={u.username}") for u in qs[:SHOWN]]
    return Block("no-role-accounts", "尚未分配角色的账户", qs.count(), reverse("accounts:users"), items,
                 "所有账户都已分配角色")


# ------------------------------------------------------------------------------ defence line (维稳)

def key_visits_due(actor, today) -> Block | None:
    """Key people the actor leads or visits whose visit falls due within a week (or is overdue)."""
    from core.masking import mask_name
    from stability import selectors as ss
    from stability.rules import P as SP

    if not has_perm(actor, SP.KEY_VIEW):
        return None
    qs = ss.key_led_by(actor).filter(status="active", next_visit_due__lte=today + timedelta(days=7)) \
        .order_by("next_visit_due", "id")
    items = [Item(f"{p.category.name} {mask_name(p.resident.name)}",
                  f"{p.grid.name} · 走访期限 {p.next_visit_due:%Y-%m-%d}", reverse("stability:person", args=[p.pk]),
                  "已逾期" if p.next_visit_due < today else "", "danger" if p.next_visit_due < today else "")
             for p in qs[:SHOWN]]
    return Block("key-visits", "重点人员待走访", qs.count(), reverse("stability:people"), items,
                 "近 7 天没有到期的重点人员走访")


def key_visits_overdue(actor, today) -> Block | None:
    """For the community secretary: every key person of the scope whose visit is overdue."""
    from core.masking import mask_name
    from stability import selectors as ss
    from stability.rules import P as SP

    if not has_perm(actor, SP.KEY_VIEW):
        return None
    qs = ss.key_overdue(actor).order_by("next_visit_due", "id")
    items = [Item(f"{p.category.name} {mask_name(p.resident.name)}",
                  f"{p.grid.name} · 应于 {p.next_visit_due:%Y-%m-%d} 前走访 · 包联 {p.leader.display_name}",
                  reverse("stability:person", args=[p.pk]), "已逾期", "danger") for p in qs[:SHOWN]]
    return Block("key-overdue", "走访逾期的重点人员", qs.count(), reverse("stability:people") + "?overdue=1", items,
                 "重点人员都按期走访")


def stability_reports_open(actor) -> Block | None:
    """Reports from below not yet handled, urgent first (the street's and the community's inbox)."""
    from stability import selectors as ss
    from stability.models import ReportStatus
    from stability.rules import P as SP

    if not has_perm(actor, SP.MANAGE):
        return None
    qs = ss.reports(actor).exclude(status=ReportStatus.HANDLED).exclude(reporter=actor)
    rows = sorted(qs[:200], key=lambda r: ({"urgent": 0, "priority": 1}.get(r.urgency, 2), -r.reported_at.timestamp()))
    items = [Item(r.title, f"{r.region.name} · {_local(r.reported_at)} · {r.get_status_display()}",
                  reverse("stability:report", args=[r.pk]), r.get_urgency_display() if r.urgency != "normal" else "",
                  "danger" if r.urgency == "urgent" else "warning") for r in rows[:SHOWN]]
    return Block("stability-reports", "待阅处的稳定信息", qs.count(), reverse("stability:reports"), items,
                 "没有待阅处的稳定信息")


# --------------------------------------------------------------------------------------- helpers

# ------------------------------------------------------------------------------ key tasks (督办)

def tasks_to_sign(actor) -> Block:
    from assessment.selectors import to_sign

    qs = to_sign(actor).order_by("deadline", "id")
    items = [Item(a.task.title, f"{a.number} · {a.region.name} · 时限 {a.deadline:%Y-%m-%d}",
                  reverse("assessment:assignment", args=[a.pk])) for a in qs[:SHOWN]]
    return Block("tasks-to-sign", "待签收的交办书", qs.count(), reverse("assessment:index") + "?state=unsigned",
                 items, "没有待签收的交办书")


def tasks_overdue(actor, today) -> Block:
    from assessment.selectors import assignment_list

    qs = assignment_list(actor, state="overdue").order_by("-escalation", "deadline", "id")
    items = [Item(a.task.title, f"{a.region.name} · 时限 {a.deadline:%Y-%m-%d} · 进度 {a.progress}%",
                  reverse("assessment:assignment", args=[a.pk]),
                  a.get_escalation_display() if a.escalation else "已超期", "danger") for a in qs[:SHOWN]]
    return Block("tasks-overdue", "超期的重点任务", qs.count(), reverse("assessment:index") + "?state=overdue",
                 items, "重点任务都在时限内")


def rectifications_open(actor, today) -> Block:
    from assessment.models import RectificationStatus
    from assessment.selectors import findings

    qs = findings(actor).filter(status=RectificationStatus.OPEN).order_by("deadline", "id")
    items = [Item(f.text, f"{f.region.name} · 整改时限 {f.deadline:%Y-%m-%d}",
                  reverse("assessment:inspection", args=[f.inspection_id]) + f"#finding-{f.pk}",
                  f.get_escalation_display() if f.escalation else ("已超期" if f.deadline < today else ""),
                  "danger" if f.deadline < today else "") for f in qs[:SHOWN]]
    return Block("rectifications", "督查问题待整改", qs.count(),
                 reverse("assessment:inspections") + "?tab=rectifications", items, "没有待整改的督查问题")


def contracts_to_decide(actor) -> Block:
    from accounts.scope import scope_paths
    from assessment.models import Contract, ContractStatus
    from assessment.rules import P as AP

    roots = scope_paths(actor, AP.REPORT)
    qs = Contract.objects.filter(status=ContractStatus.PENDING).select_related("region").order_by("deadline", "id")
    if roots is not None:
        qs = qs.filter(region__path__in=roots)
    items = [Item(c.task, f"{c.department} · 经费 {c.funds:.2f} 元 · 期限 {c.deadline:%Y-%m-%d}",
                  reverse("assessment:contract", args=[c.pk])) for c in qs[:SHOWN]]
    return Block("contracts", "待确认的委托合同", qs.count(), reverse("assessment:admission"), items,
                 "没有待确认的委托合同")


def campaigns_to_enter(actor, today) -> Block:
    from assessment.selectors import campaigns_to_enter as open_campaigns

    rows = open_campaigns(actor, today)
    items = [Item(c.title, f"申报截止 {c.entry_deadline:%Y-%m-%d} · {n} 个党组织未申报",
                  reverse("assessment:campaign", args=[c.pk])) for c, n in rows[:SHOWN]]
    return Block("campaigns-open", "待申报的评选活动", len(rows), reverse("assessment:campaigns"), items,
                 "没有待申报的评选活动")


def entries_to_rate(actor) -> Block:
    from assessment.selectors import entries_to_rate as waiting

    qs = waiting(actor).order_by("campaign__entry_deadline", "id")
    items = [Item(f"{e.org.name}：{e.title}", e.campaign.title, reverse("assessment:entry", args=[e.pk]))
             for e in qs[:SHOWN]]
    return Block("entries-to-rate", "待评审的评选申报", qs.count(), reverse("assessment:campaigns"), items,
                 "没有待评审的申报")


def _community_name(region: Region) -> str:
    if region.kind == RegionKind.COMMUNITY:
        return region.name
    c = Region.objects.filter(id__in=paths.ancestor_ids(region.path), kind=RegionKind.COMMUNITY).first()
    return c.name if c else region.name


def _top_node(actor, kinds) -> Region | None:
    ids = actor.role_assignments.filter(region__kind__in=list(kinds)).values_list("region_id", flat=True)
    return Region.objects.filter(pk__in=list(ids)).order_by("path").first()



# -------------------------------------------------------------------------------------- services

def service_orders_waiting(actor) -> Block | None:
    """便民服务 orders not dispatched yet, and 全程代办 errands waiting for the resident's confirmation."""
    from services import selectors as sv
    from services.models import ErrandState, OrderState
    from services.rules import P as ServicesP

    if not has_perm(actor, ServicesP.MANAGE):
        return None
    new = list(sv.orders(actor, ServicesP.MANAGE).filter(state=OrderState.NEW).order_by("created_at")[:50])
    waiting = list(sv.errands(actor, ServicesP.MANAGE).filter(state=ErrandState.WAITING).order_by("accepted_on")[:50])
    if not new and not waiting:
        return None
    items = [Item(o.service.name, f"{o.region.name} · {o.get_channel_display()} · {_local(o.created_at)}",
                  reverse("services:order", args=[o.pk]), "待派单", "danger") for o in new[:SHOWN]]
    items += [Item(e.subject, f"{e.resident_name} · 代办人 {e.taker_name}", reverse("services:errand", args=[e.pk]),
                   "待确认", "warning") for e in waiting[:max(0, SHOWN - len(items))]]
    return Block("services-waiting", "便民服务待办", len(new) + len(waiting),
                 reverse("services:orders") + "?state=new", items, "没有待派单的服务订单")


def provider_orders_open(actor) -> Block | None:
    """A provider's account: the orders given to it and not done yet."""
    from services import selectors as sv
    from services.models import OrderState

    if not sv.is_provider(actor):
        return None
    rows = list(sv.provider_orders(actor).filter(state=OrderState.ASSIGNED).order_by("assigned_at")[:50])
    items = [Item(o.service.name, f"{o.region.name} · {o.address} · 期望 {o.wanted_on or '尽快'}",
                  reverse("services:provider_order", args=[o.pk]), "待上门", "warning") for o in rows[:SHOWN]]
    return Block("provider-orders", "待上门服务", len(rows), reverse("services:provider_orders"), items,
                 "没有待上门的服务订单")

# ------------------------------------------------------------------------------------ per role

def workbench(actor) -> list[Block]:
    """The blocks of every role the actor holds, most urgent first, each block once."""
    from demands.models import Escalation
    from demands.rules import DemandPerm

    now = timezone.now()
    today = timezone.localdate()
    roles = roles_of(actor)
    staff = {Role.COMMUNITY_SECRETARY, Role.COMMUNITY_STAFF} & roles
    above = {Role.STREET_STAFF, Role.DISTRICT_ADMIN} & roles
    blocks: list[Block | None] = []
    if has_perm(actor, DemandPerm.HANDLE) and not above:
        blocks.append(my_queue(actor, now))
    if Role.GRID_WORKER in roles:
        from grid.selectors import grids_of_worker

        grids = list(grids_of_worker(actor))
        blocks += [grid_events(actor, now, grids), key_visits_due(actor, today), visits_due(actor, grids),
                   leases_ending(actor, grids, today)]
    if staff:
        blocks += [tasks_to_sign(actor), tasks_overdue(actor, today), rectifications_open(actor, today),
                   contracts_to_decide(actor), campaigns_to_enter(actor, today)]
        blocks += [new_demands(actor, now), overdue_demands(actor, now), cadence_gaps(actor, by_community=False),
                   orglife_due(actor, today), pipeline_due(actor, today), reviews_open(actor),
                   mobile_care_due(actor, today), service_orders_waiting(actor),
                   unmatched_needs(actor), stewardship_todo(actor, today), leader_problems_overdue(actor, today),
                   unregistered_members(actor, today), imports_to_review(actor, now)]
        if Role.COMMUNITY_SECRETARY in roles:
            blocks += [key_visits_overdue(actor, today), key_visits_due(actor, today), pending_registrations(actor)]
        blocks.append(stability_reports_open(actor))
    if above:
        level = Escalation.QUARTERLY if Role.DISTRICT_ADMIN in roles else Escalation.MONTHLY
        if Role.STREET_STAFF in roles:
            blocks.append(tasks_to_sign(actor))
        if Role.DISTRICT_ADMIN in roles:
            blocks.append(entries_to_rate(actor))
        blocks += [tasks_overdue(actor, today), rectifications_open(actor, today), overdue_demands(actor, now),
                   escalated_demands(actor, now, level), stability_reports_open(actor),
                   cadence_gaps(actor, by_community=True), orglife_due(actor, today),
                   deeds_due(actor, today, by_community=True), stewardship_approvals(actor),
                   leaders_unvisited(actor, today), leader_problems_overdue(actor, today),
                   cadre_quota_shortfalls(actor), cadre_training_gaps(actor, today), community_ranking(actor, now)]
    if Role.UNIT_LIAISON in roles:
        from meetings.selectors import is_unit_liaison

        if is_unit_liaison(actor):
            blocks += [meetings_to_answer(actor, today), deeds_due(actor, today, by_community=False)]
    blocks += [provider_orders_open(actor)]
    blocks += [my_registration(actor, today), my_record(actor, today), member_links(actor)]
    if Role.AUDIT_ADMIN in roles:
        blocks.append(audit_today(actor, now))
    if Role.SECURITY_ADMIN in roles:
        blocks.append(accounts_to_look_at(actor, now, security=True))
    if Role.SYSTEM_ADMIN in roles:
        blocks.append(accounts_to_look_at(actor, now, security=False))
    seen: set[str] = set()
    out = []
    for b in blocks:
        if b is not None and b.key not in seen:
            seen.add(b.key)
            out.append(b)
    # What has work in it first (the order of the roles otherwise); a quiet block takes one line.
    return sorted(out, key=lambda b: not (b.items or b.form))
