"""How code imports a channel's message type, in each client package the project generates.

The docs name the Python and TypeScript imports beside each other on every channel page. The
names come from where the packages get them: the ``python`` and ``typescript`` target files in
the project's ``generators/`` folder (the module, the npm package name), else those kinds'
defaults, and the class and type names from the generators' own naming (so a channel the Python
generator names ``QuotesRealtime`` is ``QuotesRealtime`` here too).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from opa_contracts.generate import kinds
from opa_contracts.generate.contracts import GenerateError, Sources
from opa_contracts.generate.python import naming
from opa_contracts.generate.targets import GENERATORS_DIR, Target, TargetError, discover


@dataclass(frozen=True)
class Import:
    """One language's import of a channel's type."""

    language: str  # "Python", "TypeScript"
    package: str  # what is installed: the distribution, the npm package
    code: str


def imports(sources: Sources, target: Target) -> Mapping[str, tuple[Import, ...]]:
    """Channel name -> its imports (empty when the Python naming refuses the registry: the
    python target says why, the docs go on without the imports)."""
    python = dict(kinds.KINDS["python"].defaults)
    typescript_package = "@opa/events"
    try:
        found = discover(target.base / GENERATORS_DIR, kinds.allowed_keys())
    except TargetError:
        found = []  # a broken target file is the generate run's finding, not the docs'
    for other in found:
        if other.kind == "python":
            python.update({k: v for k, v in other.settings.items() if k in ("package", "module")})
        elif other.kind == "typescript":
            name = other.options.get("package_name")
            typescript_package = name if isinstance(name, str) else typescript_package
    try:
        names = naming.assign(sources.channels)
    except GenerateError:
        return {}
    from opa_contracts.generate.typescript.package import type_name_of

    out = {}
    for channel, chosen in names.items():
        out[channel] = (
            Import(
                "Python",
                str(python["package"]),
                f"from {python['module']}.{chosen.module} import {chosen.model}",
            ),
            Import(
                "TypeScript",
                typescript_package,
                f'import {{ decode, type {type_name_of(chosen)} }} from "{typescript_package}";',
            ),
        )
    return out
