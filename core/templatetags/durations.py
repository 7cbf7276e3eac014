from django import template

from core.durations import human_minutes

register = template.Library()


@register.filter
def minutes_human(value) -> str:
    """{{ n|minutes_human }}: 45 分钟, 约 2.5 小时, 约 1 天."""
    return human_minutes(value)
