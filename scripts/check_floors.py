"""Exit 1, naming them, when a project app is missing from the floors (pyproject.toml,
[tool.importlinter]): lint-imports checks only the packages it is told about, so a new app must be
put on a floor (and in root_packages) before it lands. Run by `make lint`."""

import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def project_apps() -> list[str]:
    """INSTALLED_APPS that are packages of this repository, read without starting Django."""
    sys.path.insert(0, str(ROOT))
    from config import settings

    return [a.split(".")[0] for a in settings.INSTALLED_APPS if (ROOT / a.split(".")[0] / "apps.py").exists()]


def missing() -> dict[str, list[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    roots = set(config["root_packages"])
    floors = next(c for c in config["contracts"] if c["id"] == "floors")
    on_a_floor = {name.strip() for layer in floors["layers"] for name in layer.replace(":", "|").split("|")}
    apps = project_apps()
    return {"root_packages": [a for a in apps if a not in roots], "a floor": [a for a in apps if a not in on_a_floor]}


if __name__ == "__main__":
    gaps = {where: apps for where, apps in missing().items() if apps}
    for where, apps in gaps.items():
        print(f"pyproject.toml [tool.importlinter]: put {', '.join(apps)} in {where} (docs/architecture.md, Floors)")
    sys.exit(1 if gaps else 0)
