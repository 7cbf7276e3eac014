"""Materialized paths of the territory tree.

A path is the concatenation of one fixed-width, zero-padded decimal segment per ancestor
(the node's own id last). Pure digits of one width compare the same under every collation,
so "everything under P" is the half-open range [P, next(P)) on an ordinary B-tree index in
SQLite and PostgreSQL alike, with no LIKE and no collation caveats.
"""

from django.db.models import Q

SEGMENT = 8
MAX_ID = 10**SEGMENT - 1


def segment(node_id: int) -> str:
    if not 0 < node_id <= MAX_ID:
        raise ValueError(f"node id {node_id} does not fit a path segment")
    return str(node_id).zfill(SEGMENT)


def child_path(parent_path: str, node_id: int) -> str:
    return parent_path + segment(node_id)


def upper_bound(path: str) -> str:
    """The smallest path after every descendant of `path`: its last segment plus one."""
    head, last = path[:-SEGMENT], int(path[-SEGMENT:])
    return head + str(last + 1).zfill(SEGMENT)


def depth_of(path: str) -> int:
    return len(path) // SEGMENT


def ancestor_ids(path: str) -> list[int]:
    """Ids of the ancestors of the node at `path`, root first, the node itself excluded."""
    return [int(path[i : i + SEGMENT]) for i in range(0, len(path) - SEGMENT, SEGMENT)]


def collapse(paths: list[str]) -> list[str]:
    """Drop paths that lie under another path of the list (their range is already covered)."""
    result: list[str] = []
    for p in sorted(set(paths)):
        if not result or not p.startswith(result[-1]):
            result.append(p)
    return result


def under(field: str, path: str, *, include_self: bool = True) -> Q:
    """The subtree range, the one way to write it: rows whose materialized path ``field`` ("path",
    "region__path", "member__org__region__path" …) lies under ``path`` — the half-open range
    [path, upper_bound(path)), an index range scan. ``include_self=False`` leaves the node itself out."""
    low = f"{field}__gte" if include_self else f"{field}__gt"
    return Q(**{low: path, f"{field}__lt": upper_bound(path)})


def under_any(field: str, roots) -> Q:
    """Under any of ``roots`` (roots under another root are dropped). No root: matches nothing."""
    q = None
    for root in collapse(list(roots)):
        q = under(field, root) if q is None else q | under(field, root)
    return Q(pk__in=[]) if q is None else q


def is_under(path: str, root: str) -> bool:
    """The same range in Python: ``path`` is ``root`` or one of its descendants (everything is under
    the empty path, the tree's top)."""
    return not root or root <= path < upper_bound(root)
