"""Template filters of the grid pages."""

from django import template

from core.masking import mask_mobile

register = template.Library()


@register.filter
def mobile_masked(value) -> str:
    """A stored mobile number as the pages show it: ``"13600136000"`` → ``"136****6000"``; empty stays empty.
    The full number is never rendered (it needs pii.view_full and a stated purpose, see resident_detail)."""
    return mask_mobile(value) if value else ""
