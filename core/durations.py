"""Durations as people say them: 分钟 under an hour, 小时 under a day, 天 beyond (约 1 天, not 1435 分钟)."""

from __future__ import annotations


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def human_minutes(minutes) -> str:
    if minutes is None or minutes == "":
        return "—"
    m = float(minutes)
    if m < 0:
        return "—"
    if m < 60:
        return f"{round(m)} 分钟"
    hours = m / 60
    if hours < 23.5:
        exact = abs(m - round(hours) * 60) < 1
        if exact:
            return f"{round(hours)} 小时"
        return f"约 {_num(round(hours * 2) / 2) if hours < 10 else round(hours)} 小时"
    days = m / 1440
    exact = abs(m - round(days) * 1440) < 1
    if exact:
        return f"{round(days)} 天"
    return f"约 {_num(round(days * 2) / 2) if days < 10 else round(days)} 天"
