"""The map's colourings (一张图): the grid's own metrics, then those of other domains per grid."""

from __future__ import annotations

from demands.selectors import open_counts_by_grid
from grid.selectors import GRID_METRICS, MapMetric

METRICS: tuple[MapMetric, ...] = (
    *GRID_METRICS,
    MapMetric("open_events", "未办结事件", open_counts_by_grid, "件"),
)


def map_metric(key: str) -> MapMetric:
    """The metric named `key`; the first one (residents) for an unknown key."""
    for m in METRICS:
        if m.key == key:
            return m
    return METRICS[0]
