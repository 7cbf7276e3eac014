"""Default categories (rules as data; editable afterwards). Seed 003's half-hour service circle:
convenience services on site in 10 minutes, handled in 30."""

DAY = 24 * 60
# code, name, group, response minutes, handling minutes, working hours only, default level, needs location
DEFAULT_CATEGORIES = [
    ("convenience", "便民服务", "半小时便民服务圈", 10, 30, False, "community", False),
    ("elderly-care", "助老帮困", "半小时便民服务圈", 30, 120, False, "grid", False),
    ("sanitation", "环境卫生", "城市管理", 60, 2 * DAY, False, "grid", True),
    ("facility-repair", "公共设施维修", "城市管理", 120, 3 * DAY, False, "community", True),
    ("safety-hazard", "安全隐患", "平安建设", 30, DAY, False, "grid", True),
    ("neighbor-dispute", "邻里纠纷", "矛盾调解", 4 * 60, 7 * DAY, True, "community", False),
    ("property", "物业管理", "物业服务", 8 * 60, 5 * DAY, True, "community", False),
    ("policy", "政策咨询", "政策服务", 8 * 60, 3 * DAY, True, "street", False),
    ("other", "其他", "其他", DAY, 7 * DAY, True, "community", False),
]


def restore_default_categories(sender, using="default", apps=None, **kwargs):
    """post_migrate: an emptied database (``flush``, as after every live-server test) gets the default
    categories back, as ``migrate`` first gave them; a database that has any category is left alone."""
    from django.apps import apps as global_apps

    try:
        Category = (apps or global_apps).get_model("demands", "Category")
    except LookupError:  # migrating towards a state without the model
        return
    if Category.objects.using(using).exists():
        return
    for i, (code, name, group, resp, handle, wh, level, loc) in enumerate(DEFAULT_CATEGORIES):
        Category.objects.using(using).create(
            code=code, name=name, group=group, response_minutes=resp, handling_minutes=handle,
            working_hours_only=wh, default_level=level, needs_location=loc, sort_order=i * 10)
