"""Helpers for the docs tests: generate a registry's docs into a folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from opa_contracts.generate import output
from opa_contracts.generate.run import build
from opa_contracts.generate.targets import Target
from tests.conftest import FIXTURES, ROOT

HOSTILE = FIXTURES / "hostile-docs"
HISTORY = FIXTURES / "history-docs"  # long names, breaks with witnesses, one break accepted
GOLDEN = ROOT / "tests" / "golden" / "docs"
REGEN = "opa-contracts generate docs --out tests/golden/docs"
PAYLOAD = "<script>window.__pwned=1</script>"
IMG_PAYLOAD = '<img src=x onerror="window.__pwned=1">'


def docs_target(out: Path, **options: Any) -> Target:
    """A docs target writing into ``out``."""
    return Target("docs", "docs", out, ROOT, {"options": options})


def generate_docs(registry: Path, out: Path, **options: Any) -> Path:
    """Generate the docs of ``registry`` into ``out``; return ``out``."""
    output.write(build(docs_target(out, **options), registry), out)
    return out
