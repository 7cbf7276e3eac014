"""The floors (docs/architecture.md) as import-linter checks them in `make lint`: the project keeps
the contracts, and an upward import or a cycle between two apps breaks them."""

from pathlib import Path

import grimp
import pytest
from importlinter import api  # noqa: F401  (configures import-linter's defaults)
from importlinter.application import use_cases
from importlinter.application.app_config import settings

ROOT = Path(__file__).resolve().parent.parent
CONFIG = str(ROOT / "pyproject.toml")


class _GivenGraph:
    """A graph builder that hands import-linter a graph the test has prepared."""

    def __init__(self, graph):
        self.graph = graph

    def build(self, **_options):
        return self.graph


@pytest.fixture(scope="module")
def options():
    return use_cases.read_user_options(config_filename=CONFIG)


@pytest.fixture
def graph(options, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(str(ROOT))
    return grimp.build_graph(*options.session_options["root_packages"], cache_dir=None)


def _broken(options, graph, monkeypatch, capsys) -> set[str]:
    """The names of the contracts `lint-imports` reports broken for this graph."""
    monkeypatch.setitem(settings._config, "GRAPH_BUILDER", _GivenGraph(graph))
    capsys.readouterr()
    exit_code = use_cases.lint_imports(config_filename=CONFIG, cache_dir=None)
    out = " ".join(capsys.readouterr().out.split())
    broken = {c["name"] for c in options.contracts_options if f"{c['name']} BROKEN" in out}
    assert (exit_code != use_cases.SUCCESS) == bool(broken), out
    return broken


def test_the_project_keeps_its_floors(options, graph, monkeypatch, capsys):
    assert _broken(options, graph, monkeypatch, capsys) == set()


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("core.masking", "accounts.scope"),        # the helpers reach up to accounts
        ("audit.services", "accounts.roles"),      # the trail reaches up
        ("accounts.scope", "regions.models"),      # the scope reaches up to the tree
        ("regions.selectors", "orgs.models"),      # the foundation reaches up to the backbone
        ("members.selectors", "demands.models"),   # the backbone reaches up to a workflow
        ("grid.selectors", "dashboards.selectors"),  # a domain reaches up to the top floor
        ("points.selectors", "portal.views"),      # points reaches up to the top floor
        ("orgs.models", "members.models"),         # members builds on orgs, not the other way
        ("demands.services", "vanguard.models"),   # vanguard builds on demands
        ("cobuild.selectors", "meetings.models"),  # meetings builds on cobuild
        ("demands.selectors", "cobuild.models"),   # two workflows of one floor
    ],
)
def test_an_upward_import_breaks_the_floors(options, graph, monkeypatch, capsys, importer, imported):
    graph.add_import(importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}")
    assert "Floors: no upward import, no cycle between apps" in _broken(options, graph, monkeypatch, capsys)


def test_the_demand_side_and_the_cobuilding_side_stay_apart(options, graph, monkeypatch, capsys):
    graph.add_import(importer="meetings.selectors", imported="demands.models", line_number=1,
                     line_contents="import demands.models")
    assert any(name.startswith("Domain workflows") for name in _broken(options, graph, monkeypatch, capsys))


def test_tests_may_import_any_app(options, graph, monkeypatch, capsys):
    graph.add_import(importer="core.tests.test_masking", imported="dashboards.views", line_number=1,
                     line_contents="import dashboards.views")
    assert _broken(options, graph, monkeypatch, capsys) == set()


def test_every_project_app_is_on_a_floor(monkeypatch):
    """`make lint` runs scripts/check_floors.py: an app left out of the contract would not be checked."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("check_floors", ROOT / "scripts" / "check_floors.py")
    check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check)
    assert check.missing() == {"root_packages": [], "a floor": []}
    monkeypatch.setattr(check, "project_apps", lambda: ["core", "newapp"])  # an app nobody placed yet
    assert check.missing() == {"root_packages": ["newapp"], "a floor": ["newapp"]}
