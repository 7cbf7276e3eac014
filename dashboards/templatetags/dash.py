from django import template

register = template.Library()


@register.filter
def pct(value):
    """A rate (0..1) as a whole percentage; no rate (nothing to count) as a dash."""
    if value is None or value == "":
        return "—"
    return f"{round(value * 100)}%"


@register.filter
def figure(value, unit=""):
    """A KPI value: rates as percentages, counts with thousands separators."""
    if unit == "%":
        return pct(value)
    if value is None:
        return "—"
    return f"{value:,}"
