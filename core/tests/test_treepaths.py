"""The subtree range, written once (core.treepaths.under / under_any / is_under) and used everywhere."""

import pytest

from core.treepaths import is_under, under, under_any, upper_bound
from orgs.models import PartyOrg
from regions.models import Region

pytestmark = pytest.mark.django_db


def test_under_is_the_node_and_its_descendants(tree):
    got = set(Region.objects.filter(under("path", tree.east1.path)))
    assert got == {tree.east1, tree.east1_grid1, tree.east1_grid2, tree.compound, tree.building}
    below = set(Region.objects.filter(under("path", tree.east1.path, include_self=False)))
    assert below == got - {tree.east1}
    assert set(Region.objects.under(tree.east1.path)) == got


def test_under_follows_a_join(tree):
    orgs = set(PartyOrg.objects.filter(under("region__path", tree.east.path)).values_list("name", flat=True))
    assert orgs == {"东街道党工委", "东一社区党总支"}


def test_under_any_joins_ranges_and_matches_nothing_without_roots(tree):
    both = set(Region.objects.filter(under_any("path", [tree.east1_grid2.path, tree.west1.path, tree.west.path])))
    assert both == {tree.east1_grid2, tree.west, tree.west1, tree.west1_grid1}
    assert not Region.objects.filter(under_any("path", [])).exists()


def test_a_sibling_whose_id_shares_digits_is_not_under(tree):
    # Fixed-width segments: "…00000001" is not a prefix range of "…00000010" and vice versa.
    assert upper_bound("0000000100000009") == "0000000100000010"
    assert is_under(tree.building.path, tree.east1_grid1.path)
    assert is_under(tree.east1_grid1.path, tree.east1_grid1.path)
    assert not is_under(tree.east1_grid2.path, tree.east1_grid1.path) and not is_under(tree.east.path, tree.east1.path)
    assert is_under(tree.east.path, "")
