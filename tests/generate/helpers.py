"""Shared helpers for generator tests: generate into a folder, import a generated package."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from opa_contracts import loader
from opa_contracts.generate import output
from opa_contracts.generate.run import build
from opa_contracts.generate.targets import Target
from tests.conftest import CONTRACTS, FIXTURES, ROOT

GOLDEN = ROOT / "tests" / "golden" / "python"
HOSTILE = FIXTURES / "hostile"
ENCODINGS = FIXTURES / "encodings"  # msgpack channels with binary data, beside a JSON channel
ENCODINGS_MODULE = "enc_events"
WIDE = (
    FIXTURES / "wide-registry"
)  # 34 channels of an imaginary carrier (tests/test_wide_registry.py)
WIDE_MODULE = "kestrel_events"
SHARED = FIXTURES / "shared"  # channels sharing schema files of _schemas/
SHARED_MODULE = "shared_events"
REGEN = "opa-contracts generate python --out tests/golden/python"


def python_target(out: Path, module: str = "opa_events", **options: Any) -> Target:
    """A python target writing ``module`` into ``out``."""
    package = module.replace("_", "-")
    settings = {"package": package, "module": module, "options": options}
    return Target("python", "python", out, ROOT, settings)


def generate(registry: Path, out: Path, module: str = "opa_events", **options: Any) -> Path:
    """Generate the client package of ``registry`` into ``out``; return ``out``."""
    target = python_target(out, module, **options)
    output.write(build(target, registry), out)
    return out


def generate_cli(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """``opa-contracts generate ...`` through the real entry point (or its module before
    ``cli.py`` registers the ``generate`` group)."""
    from opa_contracts import cli

    registered = any(group.name == "generate" for group in cli.app.registered_groups)
    script = Path(sys.executable).parent / "opa-contracts"
    command = (
        [str(script), "generate"]
        if registered
        else [sys.executable, "-m", "opa_contracts.cli_generate"]
    )
    return subprocess.run(
        [*command, *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": f"{script.parent}:/usr/bin:/bin", "NO_COLOR": "1", "LANG": "C.UTF-8"},
        check=False,
    )


@contextmanager
def imported(src: Path, module: str) -> Iterator[ModuleType]:
    """Import the generated package ``module`` from ``src``; forget it afterwards.

    Modules of that name imported before (the runtime tests keep the golden package imported for
    the whole session) are put back as they were: a second copy of a model class would not be
    the class its codec knows.
    """

    def ours() -> dict[str, ModuleType]:
        return {n: m for n, m in sys.modules.items() if n == module or n.startswith(module + ".")}

    before = ours()
    sys.path.insert(0, str(src))
    try:
        yield importlib.import_module(module)
    finally:
        sys.path.remove(str(src))
        for name in ours():
            del sys.modules[name]
        sys.modules.update(before)


def manifests(registry: Path = CONTRACTS) -> list[dict[str, Any]]:
    """Every manifest of ``registry``, read by the tool's own loader."""
    return [source.data for source in loader.load(registry).manifests]


def build_package(folder: Path, registry: Path, module: str) -> Path:
    """Generate the client package of ``registry`` (import name ``module``) into ``folder/pkg``
    through the real CLI; return that folder."""
    target = folder / "generators" / "pkg.yaml"
    target.parent.mkdir(parents=True)
    package = module.replace("_", "-")
    target.write_text(
        f"target: python\nout: pkg\npackage: {package}\nmodule: {module}\n", encoding="utf-8"
    )
    out = folder / "pkg"
    run = generate_cli("python", "--target", target, "--registry", registry, "--out", out)
    assert run.returncode == 0, run.stdout + run.stderr
    return out


def build_encodings(folder: Path) -> Path:
    """The client package of :data:`ENCODINGS` (module ``enc_events``), in ``folder/pkg``."""
    return build_package(folder, ENCODINGS, ENCODINGS_MODULE)
