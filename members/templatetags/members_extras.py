from decimal import Decimal

from django import template

from core.masking import mask_value

register = template.Library()


@register.filter
def mask(value, kind):
    """Masked display of a personal value (an empty value stays empty)."""
    return mask_value(kind, value) if value else ""


def _yuan(amount) -> str:
    text = f"{Decimal(amount).quantize(Decimal('0.01')):f}"
    return text[:-3] if text.endswith(".00") else text


@register.filter
def band(tier) -> str:
    """A dues band in words: (lower, upper] — “3000 及以下”, “3000 以上至 5000”, “10000 以上”, “不限”."""
    if tier.upper is None:
        return f"{_yuan(tier.lower)} 以上" if tier.lower else "不限"
    if not tier.lower:
        return f"{_yuan(tier.upper)} 及以下"
    return f"{_yuan(tier.lower)} 以上至 {_yuan(tier.upper)}"


@register.filter
def place(region) -> str:
    """A residence from its community down (“东一社区 网格1”): a grid's name alone does not say where."""
    if region is None:
        return ""
    from regions.models import RegionKind

    above = {RegionKind.DISTRICT, RegionKind.STREET}
    names = [r.name for r in region.ancestors() if r.kind not in above]
    return " ".join([*names, region.name])
