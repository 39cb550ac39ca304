"""The engine's shape: no import cycle, a dispatch table that covers every keyword, one
content-model algorithm for objects and tuples."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from opa_contracts import jsonschema_vocab as vocab
from opa_contracts.compat import compare
from opa_contracts.compat.families import FAMILIES, NODE_KEYWORDS, TYPE_KEYWORDS

COMPAT = Path(__file__).resolve().parents[2] / "src" / "opa_contracts" / "compat"
PREFIX = "opa_contracts.compat."


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _imports(tree: ast.Module) -> tuple[set[str], list[int]]:
    """The compat modules a module imports when it runs, and the lines of imports in functions."""
    runtime: set[str] = set()
    nested: list[int] = []

    def names(node: ast.Import | ast.ImportFrom) -> set[str]:
        if isinstance(node, ast.Import):
            return {a.name for a in node.names}
        base = node.module or ""
        if base == "opa_contracts.compat":
            return {f"{base}.{a.name}" for a in node.names}
        return {base}

    for top in tree.body:
        if isinstance(top, ast.Import | ast.ImportFrom):
            runtime |= names(top)
        elif isinstance(top, ast.If) and _is_type_checking(top):
            continue
        for node in ast.walk(top):
            if node is not top and isinstance(node, ast.Import | ast.ImportFrom):
                nested.append(node.lineno)
    ours = {n[len(PREFIX) :] for n in runtime if n.startswith(PREFIX)}
    return {n for n in ours if (COMPAT / f"{n}.py").exists()}, nested


def test_compat_modules_import_at_the_top_and_form_no_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for path in sorted(COMPAT.glob("*.py")):
        deps, nested = _imports(ast.parse(path.read_text(encoding="utf-8")))
        assert nested == [], f"{path.name} imports inside a function (lines {nested})"
        graph[path.stem] = deps - {path.stem}
    done: set[str] = set()

    def visit(module: str, trail: tuple[str, ...]) -> None:
        assert module not in trail, "import cycle: " + " -> ".join((*trail, module))
        if module in done:
            return
        for dep in sorted(graph[module]):
            visit(dep, (*trail, module))
        done.add(module)

    for module in graph:
        visit(module, ())
    # the handlers reach the engine through the Differ they are given, never by importing it
    assert {name for name, deps in graph.items() if "engine" in deps} == {"api"}


def test_every_validation_keyword_has_exactly_one_handler() -> None:
    seen: dict[str, str] = {}
    for family in FAMILIES:
        for keyword in family.keywords:
            assert keyword not in seen, f"{keyword} in {seen[keyword]} and {family.name}"
            seen[keyword] = family.name
    handled = set(seen) | TYPE_KEYWORDS | NODE_KEYWORDS
    assert handled == vocab.VALIDATION


def _member_outcome(changes: list[object], pointer: str) -> list[tuple[str, tuple[str, ...]]]:
    out = []
    for c in changes:
        if getattr(c, "pointer", None) == pointer:
            rule = str(getattr(c, "rule", ""))
            kind = rule.replace("property", "member").replace("item", "member")
            kind = kind.replace("-model", "").replace("-tuple", "")
            out.append((kind, tuple(sorted(getattr(c, "breaks", ())))))
    return out


RESTS = [False, True, {}, {"type": "string"}, {"type": ["string", "integer"]}]
MEMBERS = [False, True, {"type": "string"}, {"type": "integer"}, {"description": "any"}]


@pytest.mark.parametrize("rest", RESTS, ids=repr)
@pytest.mark.parametrize("member", MEMBERS, ids=repr)
def test_object_properties_and_tuple_items_are_judged_alike(rest: object, member: object) -> None:
    # the same member added to (then removed from) an object and a tuple with the same rest
    s = "https://json-schema.org/draft/2020-12/schema"
    obj_old = {"$schema": s, "properties": {"k": {}}, "additionalProperties": rest}
    obj_new = {**obj_old, "properties": {"k": {}, "m": member}}
    tup_old = {"$schema": s, "type": "array", "prefixItems": [{}], "items": rest}
    tup_new = {**tup_old, "prefixItems": [{}, member]}
    for a, b, c, d in ((obj_old, obj_new, tup_old, tup_new), (obj_new, obj_old, tup_new, tup_old)):
        by_object = _member_outcome(list(compare(a, b)), "/properties/m")
        by_tuple = _member_outcome(list(compare(c, d)), "/prefixItems/1")
        assert by_object == by_tuple
        assert by_object, "the member's own change is reported"


def test_the_engine_alone_sees_every_rule_declaration() -> None:
    # the rule modules fill ruledefs' tables as they load; an engine imported without the
    # package's other modules must still apply them (LENIENT relaxes an open-model addition)
    script = (
        "from opa_contracts.compat.api import compare\n"
        "from opa_contracts.compat.model import Policy\n"
        "old = {'type': 'object'}\n"
        "new = {'type': 'object', 'properties': {'a': {'type': 'string'}}}\n"
        "print(sorted(compare(old, new, policy=Policy.LENIENT)[0].breaks))\n"
        "print(sorted(compare(old, new, policy=Policy.STRICT)[0].breaks))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["[]", "['backward']"]
