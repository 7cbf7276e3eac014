from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ..rules import P
from ..services.common import today
from ..stats import monthly
from .common import need


def _month(value: str) -> date:
    try:
        y, m = (int(x) for x in (value or "").split("-")[:2])
        if 2000 <= y <= today().year and 1 <= m <= 12 and date(y, m, 1) <= today():
            return date(y, m, 1)
    except ValueError:
        pass
    return today().replace(day=1)


@login_required
def stats(request):
    need(request, P.VIEW, "查看维稳统计")
    month = _month(request.GET.get("month", ""))
    rows, total, key = monthly(request.user, month)
    return render(request, "stability/stats.html", {"rows": rows, "total": total, "key": key, "month": month,
                                                    "months": _recent_months()})


def _recent_months() -> list[date]:
    t = today().replace(day=1)
    out = []
    for back in range(12):
        y, m = divmod(t.year * 12 + t.month - 1 - back, 12)
        out.append(date(y, m + 1, 1))
    return out
