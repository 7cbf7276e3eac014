"""Template helpers of the public pages: the categories' promises and the map's base layer."""

from django import template

from demands import selectors as demand_selectors
from grid import coords
from grid import selectors as grid_selectors

from .. import reports

register = template.Library()


@register.simple_tag
def category_promises() -> dict[str, str]:
    """{category code: "10 分钟内响应，30 分钟内办结"} of the categories the form offers."""
    return reports.promises(demand_selectors.active_categories())


@register.filter
def promise(category) -> str:
    return reports.promise(category) if category is not None else ""


@register.simple_tag
def portal_tiles() -> dict:
    """The map's tile layer when it is in WGS-84 (the stored coordinates), else none: the grid
    outlines alone are the base layer, as on the facility picker."""
    tiles = grid_selectors.tile_config()
    return tiles if tiles["url"] and tiles["crs"] == coords.WGS84 else {"url": "", "attribution": ""}
