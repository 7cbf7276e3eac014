"""全局搜索: one box over residents, members, households, demands, units and meetings (scoped)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from core.inputguard import control_char_message

from ..selectors.search import MAX_QUERY, can_search, kind_of, search

KIND_LABELS = {"id_number": "身份证号（按密文索引精确查找）", "mobile": "手机号（按密文索引精确查找）",
               "code": "诉求编号", "pinyin": "姓名拼音或首字母", "text": "姓名、名称、标题或地址"}


@login_required
def search_page(request):
    if not can_search(request.user):
        raise PermissionDenied("您的角色没有可搜索的业务数据")
    raw = request.GET.get("q", "")
    q = raw.strip()
    error = control_char_message("搜索内容", q) if q else None
    if not error and len(q) > MAX_QUERY:
        error = f"搜索内容最多 {MAX_QUERY} 个字"
    groups = [] if error else search(request.user, q)
    return render(request, "dashboards/search.html", {
        "q": q, "groups": groups, "error": error, "kind": KIND_LABELS.get(kind_of(q), "") if q and not error else "",
        "total": sum(len(g.hits) for g in groups),
    }, status=400 if error else 200)
