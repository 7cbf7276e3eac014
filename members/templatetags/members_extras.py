from django import template

from core.masking import mask_value

register = template.Library()


@register.filter
def mask(value, kind):
    """Masked display of a personal value (an empty value stays empty)."""
    return mask_value(kind, value) if value else ""
