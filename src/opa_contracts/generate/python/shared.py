"""Shared schemas, shared classes: a schema in ``_schemas/`` is one class of the package.

Shared schema files are those in the registry's top-level folders whose name starts with ``_``
(``_schemas/`` by convention; the reader treats every such folder alike).

Bundling (``generate/bundle.py``) copies a referenced file into each manifest's schema, so models
made from each channel's schema alone would define the file's classes once per channel. Instead:

- :func:`plan` gathers every definition that came from a ``_schemas/`` file (by its origin: the
  file and the pointer in it, never by comparing schemas), with the definitions they refer to,
  into one schema whose models make the module ``<module>/_shared.py``. Each object schema
  among them (one with ``properties``: the schemas that make a class) is a *shared class*, named
  after its ``title``, else its pointer's last part, else its file name (a name two of them
  would take is qualified by their paths). Cycles (a tree, two files referring to each other)
  stay inside that one module, where pydantic resolves them.
- :func:`stub` replaces, in a channel's model-shaped schema, each definition of a shared class
  by an empty object marked with the shared class's name; the model rewrite
  (``models.py``) drops the stub's class and imports the shared one under the stub's name.

Only typed models are shared: each channel's JSON Schema (``schemas/``), which ``decode`` and
``encode`` check, is the bundled schema as before. A definition that refers to something only its
manifest has (a pointer into the manifest) is not shared; neither, on a msgpack channel, is a
schema that declares binary data (there it is ``bytes``, in JSON a base64 string). The shared
schema is shaped in the dialect of the first channel version (in name order) that uses one: the
dialects differ for models only in whether a ``$ref``'s siblings count (draft-07 and older).
"""

from __future__ import annotations

import copy
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from opa_contracts.encodings import declares_binary
from opa_contracts.generate.contracts import Sources
from opa_contracts.generate.python import naming, shape
from opa_contracts.generate.python.models import ModelJob
from opa_contracts.names import unique
from opa_contracts.pointer import escape, unescape
from opa_contracts.schemawalk import walk

FOLDER = "_schemas"
MODULE = "_shared"
ROOT_CLASS = "OpaSharedSchemas"  # the shared schema's empty root; the rewrite drops its class
#: names the shared module cannot give a class (it binds them, or a version module does)
TAKEN = naming.RESERVED_CLASSES | {"CHANNEL", "VERSION", "MODEL", ROOT_CLASS}

Origin = tuple[str, str]  # (file relative to the registry root, pointer in it)


@dataclass(frozen=True)
class SharedPlan:
    """The shared module's models to make, and what channels need to import from it."""

    job: ModelJob
    keys: Mapping[Origin, str]  # origin of a shared class -> its definition key (marked name)
    binary: frozenset[Origin]  # origins that declare binary data (themselves or what they use)
    reach: Mapping[Origin, frozenset[Origin]]  # shared class -> the shared classes it uses
    mark: str  # starts the description of a shared class's definition (this run's own)


def is_shared(path: str) -> bool:
    """Whether the registry file ``path`` is in a shared folder (a top-level ``_`` folder)."""
    parts = PurePosixPath(path).parts
    return len(parts) > 1 and parts[0].startswith("_")


def plan(sources: Sources, base_module: str) -> SharedPlan | None:
    """The shared module of ``sources``, or None when no channel uses a ``_schemas/`` file."""
    found: dict[Origin, Any] = {}  # origin -> its definition (a copy)
    uses: dict[Origin, list[tuple[dict[str, Any], Origin]]] = {}  # ($ref node, origin) pairs
    bad: set[Origin] = set()  # refers to something other than a copied file's schema
    dialect = ""
    for channel in sources.channels:
        for version in channel.versions:
            if not any(is_shared(path) for _key, path, _pointer in version.origins):
                continue
            origin_of = {key: (path, pointer) for key, path, pointer in version.origins}
            keyword = version.dialect.defs_keyword
            defs = version.schema[keyword]
            for key, origin in origin_of.items():
                if origin in found or origin in bad:
                    continue
                node = copy.deepcopy(defs[key])
                refs = []
                for _pointer, sub in walk(node):
                    ref = sub.get("$ref")
                    if not isinstance(ref, str):
                        continue
                    target = origin_of.get(_def_key(ref, keyword) or "")
                    if target is None:
                        bad.add(origin)
                        break
                    refs.append((sub, target))
                else:
                    found[origin] = node
                    uses[origin] = refs
                    dialect = dialect or version.dialect.name
    shared = {o for o in found if is_shared(o[0])}
    if not shared:
        return None
    _spread(bad, uses)
    binary = {o for o, node in found.items() if any(declares_binary(s) for _, s in walk(node))}
    _spread(binary, uses)
    classes = {
        o
        for o in shared - bad
        if isinstance(shape.shape(found[o], dialect).get("properties"), dict)
    }
    if not classes:
        return None
    closure = _closure(classes, uses)  # with what they use that makes no class (an enum...)
    keys = _names(classes, found)
    helpers = sorted(closure - classes)
    taken = set(keys.values()) | TAKEN
    for origin in helpers:  # what shared classes use but is no class of its own (an enum...)
        keys[origin] = unique(naming.class_name(_stem(origin)) + "Schema", taken, "")
    gathered: dict[str, Any] = {}
    for origin in sorted(closure, key=lambda o: keys[o]):
        for sub, target in uses[origin]:
            sub["$ref"] = f"#/$defs/{escape(keys[target])}"
        gathered[keys[origin]] = found[origin]
    schema = {"$defs": gathered}
    shaped = shape.shape(schema, dialect)
    mark = f"opa-shared-{secrets.token_hex(8)}:"
    for origin in classes:
        node = shaped["$defs"][keys[origin]]
        description = node.get("description")
        node["description"] = mark + keys[origin] + (f"\n{description}" if description else "")
    return SharedPlan(
        job=ModelJob(
            label="shared schemas (_schemas/)",
            class_name=ROOT_CLASS,
            schema=shaped,
            aliases=shape.odd_names(schema),
            base_module=base_module,
            defines_shared=True,
            shared_mark=mark,
        ),
        keys={o: keys[o] for o in classes},
        binary=frozenset(binary),
        reach={o: frozenset(_closure({o}, uses) & classes) for o in classes},
        mark=mark,
    )


def stub(
    shaped: dict[str, Any],
    origins: tuple[tuple[str, str, str], ...],
    keyword: str,
    plan: SharedPlan,
    classes: Mapping[str, str],
    binary: bool,
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """``shaped`` (a channel version's model-shaped schema) with each shared class's definition
    replaced by a marked stub, and the copied definitions nothing uses any more left out; also
    the shared classes those stand for use in turn (the channel's module exports them too, as it
    did when it defined them)."""
    defs = shaped.get(keyword)
    if not isinstance(defs, dict):
        return shaped, ()
    stubbed: dict[str, Origin] = {}  # key -> origin
    for key, path, pointer in origins:
        name = plan.keys.get((path, pointer))
        if name is None or name not in classes or key not in defs:
            continue
        if binary and (path, pointer) in plan.binary:
            continue  # bytes here, a base64 string in the shared class
        defs[key] = {"type": "object", "properties": {}, "description": plan.mark + classes[name]}
        stubbed[key] = (path, pointer)
    if not stubbed:
        return shaped, ()
    reached = _reached(shaped, keyword)
    for key, _path, _pointer in origins:
        if key not in reached:
            defs.pop(key, None)
    imported = {o for key, o in stubbed.items() if key in reached}  # under the stubs' names
    used = {plan.keys[o] for s in imported for o in plan.reach[s] if o not in imported}
    return shaped, tuple(sorted(classes[n] for n in used if n in classes))


def _def_key(ref: str, keyword: str) -> str | None:
    """``def`` of ``#/<keyword>/def`` (a reference the bundler wrote), else None."""
    prefix = f"#/{keyword}/"
    if not ref.startswith(prefix) or "/" in ref[len(prefix) :]:
        return None
    return unescape(ref[len(prefix) :])


def _spread(marked: set[Origin], uses: Mapping[Origin, list[tuple[Any, Origin]]]) -> None:
    """Mark each origin that uses a marked one, until nothing changes."""
    changed = True
    while changed:
        changed = False
        for origin, refs in uses.items():
            if origin not in marked and any(target in marked for _, target in refs):
                marked.add(origin)
                changed = True


def _closure(start: set[Origin], uses: Mapping[Origin, list[tuple[Any, Origin]]]) -> set[Origin]:
    seen, todo = set(start), list(start)
    while todo:
        for _, target in uses[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _reached(shaped: dict[str, Any], keyword: str) -> set[str]:
    """Definition keys the root uses, directly or through other definitions."""
    defs = shaped[keyword]
    root = {k: v for k, v in shaped.items() if k != keyword}
    reached: set[str] = set()
    todo: list[Any] = [root]
    while todo:
        for _pointer, sub in walk(todo.pop()):
            key = (
                _def_key(sub.get("$ref", ""), keyword) if isinstance(sub.get("$ref"), str) else None
            )
            if key is not None and key not in reached and key in defs:
                reached.add(key)
                todo.append(defs[key])
    return reached


def _stem(origin: Origin) -> str:
    path, pointer = origin
    if pointer:
        return unescape(pointer.rsplit("/", 1)[-1])
    return PurePosixPath(path).name.split(".", 1)[0]


def _names(classes: set[Origin], found: Mapping[Origin, Any]) -> dict[Origin, str]:
    """Class names: the title, else the pointer's last part, else the file name; where two
    would share one, each is qualified by its path; numbered if even that is not enough."""
    short: dict[Origin, str] = {}
    for origin in sorted(classes):
        title = found[origin].get("title") if isinstance(found[origin], dict) else None
        text = title if isinstance(title, str) and re.search("[A-Za-z]", title) else _stem(origin)
        short[origin] = naming.class_name(text)
    counts: dict[str, int] = {}
    for name in short.values():
        counts[name] = counts.get(name, 0) + 1
    names: dict[Origin, str] = {}
    taken = set(TAKEN)
    for origin in sorted(classes):
        name = short[origin]
        if counts[name] > 1 or name in TAKEN:
            path, pointer = origin
            parts = list(PurePosixPath(path).with_suffix("").parts)
            parts = parts[1:] if parts[0] == FOLDER else parts  # _common/x.yaml: CommonX
            name = naming.class_name(" ".join([*parts, *pointer.split("/")]))
        names[origin] = unique(name, taken, "")
    return names
