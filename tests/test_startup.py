"""Lean start-up: ``validate`` loads what it uses, and nothing of the other verbs.

Each case runs the real CLI entry point in a fresh interpreter whose stdout is a pipe (not a
terminal), then lists every module the run imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CONTRACTS, ROOT

_SCRIPT = """
import json, sys
from opa_contracts.cli import main
out, sys.argv = sys.argv[1], ["opa-contracts", *sys.argv[2:]]
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code
with open(out, "w", encoding="utf-8") as f:
    json.dump({"code": code, "modules": sorted(sys.modules)}, f)
"""

# the diff rules' declarations: ``validate`` applies their severities, without the engine
RULE_DECLARATIONS = {
    "opa_contracts.compat",
    "opa_contracts.compat.rules",
    "opa_contracts.compat.ruledefs",
    "opa_contracts.compat.rules_scalar",
    "opa_contracts.compat.rules_structural",
}
# heavy libraries only other verbs need: the generators' and the colour console's
NEVER = ("jinja2", "datamodel_code_generator", "pydantic", "pydantic_core", "rich")
OTHER_VERBS = ("opa_contracts.generate", "opa_contracts.diffing")


def _modules(tmp_path: Path, *args: str) -> set[str]:
    out = tmp_path / "modules.json"
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(out), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["code"] == 0, proc.stdout + proc.stderr
    return set(result["modules"])


def _roots(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_validate_loads_neither_the_engine_nor_generators_nor_rich(tmp_path: Path) -> None:
    modules = _modules(tmp_path, "validate", str(CONTRACTS))
    assert "opa_contracts.validate.runner" in modules
    compat = {m for m in modules if m.startswith("opa_contracts.compat")}
    assert compat <= RULE_DECLARATIONS, sorted(compat - RULE_DECLARATIONS)
    assert not _roots(modules) & set(NEVER), sorted(_roots(modules) & set(NEVER))
    assert not [m for m in modules if m.startswith(OTHER_VERBS)]


@pytest.mark.parametrize("fmt", ["json", "sarif", "github"])
def test_validate_in_ci_formats_stays_lean(tmp_path: Path, fmt: str) -> None:
    modules = _modules(tmp_path, "validate", str(CONTRACTS), "--format", fmt)
    assert {m for m in modules if m.startswith("opa_contracts.compat")} <= RULE_DECLARATIONS
    assert not _roots(modules) & set(NEVER)


def test_validate_history_loads_the_engine_and_still_no_generator(tmp_path: Path) -> None:
    modules = _modules(tmp_path, "validate", str(CONTRACTS), "--history")
    assert "opa_contracts.compat.engine" in modules
    assert "opa_contracts.compat.families" in modules
    assert not _roots(modules) & {"jinja2", "datamodel_code_generator", "rich"}


def test_colour_asked_for_loads_rich(tmp_path: Path) -> None:
    # the other side of "no rich when not a terminal": the check above can see rich
    modules = _modules(tmp_path, "validate", str(CONTRACTS), "--color", "always")
    assert "rich" in _roots(modules)
