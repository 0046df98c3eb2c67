"""Every app takes its place in the import contracts (.importlinter), which `lint-imports` checks in CI."""

import configparser
import re
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]


def contract_modules() -> set[str]:
    config = configparser.ConfigParser()
    config.read(PROJECT_DIR / ".importlinter")
    layers = config["importlinter:contract:layers"]["layers"]
    return {name for name in re.findall(r"\(?(payments_api\.\w+)\)?", layers)}


def test_every_app_is_in_the_layers_contract():
    apps = {f"payments_api.{path.parent.name}" for path in (PROJECT_DIR / "payments_api").glob("*/apps.py")}

    assert apps - contract_modules() == set()
