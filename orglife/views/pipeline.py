"""Pages of 发展党员: the pipeline of the scope by stage with due dates, an applicant's record and
its next step, the rules."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from accounts.scope import has_perm
from accounts.views import add_errors
from core.masking import mask_id_number

from .. import selectors, services
from ..forms import AdvanceForm, ApplicantForm
from ..models import STAGES, Stage
from ..rules import P
from ..services.common import today
from ..services.pipeline import due_on
from .sessions import flash_errors, need


@login_required
def pipeline(request):
    need(request)
    qs = selectors.applicants(request.user).order_by("org__region__path", "applied_on", "id")
    stage, org_id = request.GET.get("stage", ""), request.GET.get("org", "")
    counts = selectors.stage_counts(qs)
    if stage in Stage.values:
        qs = qs.filter(stage=stage)
    if org_id.isdigit():
        qs = qs.filter(org_id=int(org_id))
    if request.GET.get("social"):
        qs = qs.exclude(social_org="")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    rules = selectors.stage_rules()
    day = today()
    for a in page.object_list:
        a.due = due_on(a, rules)
        a.ready = a.due is not None and a.due <= day
    return render(request, "orglife/pipeline.html", {
        "page": page, "stages": [(s.value, s.label, counts.get(s.value, 0)) for s in STAGES], "stage": stage,
        "org_id": org_id, "can_manage": has_perm(request.user, P.MANAGE),
        "rules": [rules[s] for s in STAGES if s in rules], "can_rules": has_perm(request.user, P.RULES),
    })


@login_required
def applicant_new(request):
    need(request, P.MANAGE)
    form = ApplicantForm(request.POST or None, orgs=selectors.pipeline_orgs(request.user, P.MANAGE),
                         initial={"applied_on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            a = services.applicant_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已登记入党申请人：{a.name}")
            return redirect("orglife:applicant", a.pk)
    return render(request, "orglife/form.html", {"form": form, "title": "登记入党申请人", "back": "orglife:pipeline"})


@login_required
def applicant_detail(request, pk):
    need(request)
    a = selectors.applicant_get(request.user, pk)
    manage = selectors.can_manage(request.user, a.org)
    rules = selectors.stage_rules()
    nxt = a.next_stage
    rule = rules.get(nxt) if nxt else None
    form = None
    if manage and nxt:
        form = AdvanceForm(request.POST or None, documents=rule.document_list if rule else [],
                           full=nxt == Stage.FULL, initial={"on": today()})
        if request.method == "POST" and form.is_valid():
            try:
                services.applicant_advance(actor=request.user, applicant=a, stage=nxt, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                done = "转正为正式党员，已登记入党员名册" if nxt == Stage.FULL else f"进入“{Stage(nxt).label}”"
                messages.success(request, f"{a.name}：已{done}")
                return redirect("orglife:applicant", a.pk)
    elif request.method == "POST":
        flash_errors(request, ValidationError("您没有办理该发展党员事项的权限"))
    return render(request, "orglife/applicant.html", {
        "a": a, "steps": list(a.steps.select_related("actor")), "next": Stage(nxt) if nxt else None, "rule": rule,
        "due": due_on(a, rules), "form": form, "id_masked": mask_id_number(a.id_number), "today": today(),
    })
