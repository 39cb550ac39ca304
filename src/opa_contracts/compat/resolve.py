"""One schema document: its dialect, its $ref targets (local only, never fetched), its checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

import jsonschema_rs

from opa_contracts import jsonschema_vocab as vocab
from opa_contracts.compat.jsonvalues import Json, escape, unescape
from opa_contracts.compat.model import SchemaCompareError

_REFS = ("$ref", "$recursiveRef", "$dynamicRef")
#: A validator for every sub-schema costs a few KB each (200 MB for 90,000): past this many
#: sub-schemas the witness search does without them (they only order its candidates).
MAX_LOCAL_VALIDATOR_NODES = 5_000
#: subschemas that may apply to one value, counted along every path of in-place applicators
MAX_IN_PLACE = 100_000


class Document:
    """A schema document with its references resolved and validated up front."""

    def __init__(self, schema: Json, label: str) -> None:
        if not isinstance(schema, Mapping | bool):
            raise SchemaCompareError(
                f"the {label} schema is not a JSON object or boolean (got {type(schema).__name__})"
            )
        self.label = label
        #: the schema as written, compared node by node (``true`` and ``false`` included) ...
        self.top: Json = schema
        #: ... and as an object for what needs one: ``true`` is ``{}``, ``false`` ``{"not": {}}``
        self.root: Mapping[str, Any] = _as_object(schema)
        schema = self.root
        self.dialect = self._dialect()
        self.ptr_of: dict[int, str] = {}
        self._base_of: dict[int, str] = {}
        self._resources: dict[str, Json] = {}
        self._anchors: dict[str, Json] = {}
        self._targets: dict[int, Json] = {}
        self._views: dict[int, Json] = {}
        self._effective: dict[int, Json] = {}
        #: the keywords foreign to the dialect that :meth:`view` set aside, by the view's id
        self.foreign_of: dict[int, Mapping[str, Any]] = {}
        self._keep: list[Json] = []
        self._nodes: list[Json] = []
        root_id = schema.get("$id", schema.get("id")) if self.dialect != vocab.DRAFT4 else None
        base = urldefrag(root_id)[0] if isinstance(root_id, str) else ""
        self._resources[base] = schema
        self._resources[""] = schema
        self._pending: list[Json] = []
        self._walk(schema, "", base)
        while self._pending:
            self._resolve(self._pending.pop())
        self._check_cycles()
        self._check_fan_out()
        self._validator: Any = None
        self._vmap: Any = None

    @property
    def schema_nodes(self) -> list[Mapping[str, Any]]:
        """Every (object) schema of the document, each once: keyword values, not instances."""
        return self._nodes

    # --- dialect and validation ------------------------------------------------------------
    def _dialect(self) -> str:
        uri = self.root.get("$schema")
        if uri is None:
            modern = _uses_any(self.root, vocab.MODERN_ONLY)
            return vocab.DRAFT2020 if modern else vocab.DRAFT7
        if not isinstance(uri, str) or (dialect := vocab.dialect_of(uri)) is None:
            raise SchemaCompareError(f"the {self.label} schema has an unknown $schema {uri!r}")
        return dialect

    @property
    def validation_schema(self) -> dict[str, Any]:
        """The root with ``$schema`` made explicit, as given to the validators."""
        return {"$schema": vocab.SCHEMA_URIS[self.dialect], **self.root}

    @property
    def validator(self) -> Any:
        """A jsonschema_rs validator for the whole document, formats asserted, offline."""
        if self._validator is None:
            self._validator = jsonschema_rs.validator_for(
                self.validation_schema, validate_formats=True, offline=True
            )
        return self._validator

    def local_validator(self, node: Json) -> Any:
        """A validator for one sub-schema of this document, or None if it has no pointer."""
        ptr = self.ptr_of.get(id(node))
        if ptr is None or len(self._nodes) > MAX_LOCAL_VALIDATOR_NODES:
            return None
        if self._vmap is None:
            self._vmap = jsonschema_rs.validator_map_for(
                self.validation_schema, validate_formats=True, offline=True
            )
        return self._vmap.get("#" + ptr)

    def check_meta(self) -> None:
        """Raise if the document is not a valid schema of its dialect."""
        try:
            jsonschema_rs.meta.validate(self.validation_schema)
            _ = self.validator
        except jsonschema_rs.ValidationError as exc:
            first = str(exc).splitlines()[0]
            raise SchemaCompareError(f"the {self.label} schema is invalid: {first}") from None

    # --- walking -----------------------------------------------------------------------------
    def _walk(self, node: Json, ptr: str, base: str) -> None:
        if isinstance(node, bool):
            return
        if not isinstance(node, Mapping):
            raise SchemaCompareError(f"{self.label} schema at '{ptr}' is not a schema")
        if id(node) in self.ptr_of:
            return
        self.ptr_of[id(node)] = ptr
        self._nodes.append(node)
        own_id = node.get("id" if self.dialect == vocab.DRAFT4 else "$id")
        if isinstance(own_id, str):
            uri, frag = urldefrag(urljoin(base, own_id))
            if uri:
                base = uri
                self._resources.setdefault(uri, node)
            if frag and not frag.startswith("/"):
                self._anchors[f"{base}#{frag}"] = node
        for anchor_kw in ("$anchor", "$dynamicAnchor"):
            if isinstance(node.get(anchor_kw), str):
                self._anchors[f"{base}#{node[anchor_kw]}"] = node
        self._base_of[id(node)] = base
        for key, value in node.items():
            self._walk_keyword(node, str(key), value, ptr, base)

    def _walk_keyword(self, node: Json, key: str, value: Json, ptr: str, base: str) -> None:
        here = f"{ptr}/{escape(key)}"
        if vocab.is_extension(key) or self.is_foreign(key):
            return  # validators ignore it: an annotation, whatever its value
        if key in _REFS:
            if not isinstance(value, str):
                raise SchemaCompareError(f"{key} at '{ptr}' is not a string")
            self._pending.append(node)
        elif key in vocab.SCHEMA_VALUED or (key == "items" and not isinstance(value, list)):
            self._walk(value, here, base)
        elif key in vocab.SCHEMA_LISTS or key == "items":
            if not isinstance(value, list):
                raise SchemaCompareError(f"{key} at '{ptr}' is not an array of schemas")
            for i, sub in enumerate(value):
                self._walk(sub, f"{here}/{i}", base)
        elif key in vocab.SCHEMA_MAPS or key == "dependencies":
            if not isinstance(value, Mapping):
                raise SchemaCompareError(f"{key} at '{ptr}' is not an object")
            for name, sub in value.items():
                if key == "dependencies" and isinstance(sub, list):
                    continue
                self._walk(sub, f"{here}/{escape(str(name))}", base)

    # --- references --------------------------------------------------------------------------
    def _resolve(self, node: Mapping[str, Any]) -> None:
        key = next(k for k in _REFS if k in node)
        ref = str(node[key])
        ptr = self.ptr_of.get(id(node), "?")
        base = self._base_of.get(id(node), "")
        uri, frag = urldefrag(urljoin(base, ref))
        if key == "$recursiveRef":
            uri, frag = "", ""
        resource = self._resources.get(uri)
        if resource is None:
            if uri.startswith(("http://", "https://")):
                raise SchemaCompareError(
                    f"$ref {ref!r} at '{ptr}' points to the network; remote references are "
                    "never fetched (inline or bundle the schema)"
                )
            raise SchemaCompareError(f"$ref {ref!r} at '{ptr}' points outside this document")
        if frag.startswith("/") or frag == "":
            target = self._follow(resource, frag, ref, ptr)
        else:
            target = self._anchors.get(f"{uri}#{frag}")
            if target is None:
                raise SchemaCompareError(f"$ref {ref!r} at '{ptr}' names an unknown anchor")
        if not isinstance(target, (bool, Mapping)):
            raise SchemaCompareError(f"$ref {ref!r} at '{ptr}' does not point to a schema")
        if isinstance(target, Mapping) and id(target) not in self.ptr_of:
            self._walk(target, "/" + frag.lstrip("/"), self._base_of.get(id(resource), ""))
        self._targets[id(node)] = target

    def _follow(self, resource: Json, frag: str, ref: str, ptr: str) -> Json:
        here = resource
        for raw in unquote(frag).split("/")[1:]:
            seg = unescape(raw)
            if isinstance(here, Mapping) and seg in here:
                here = here[seg]
            elif isinstance(here, list) and seg.isdigit() and int(seg) < len(here):
                here = here[int(seg)]
            else:
                raise SchemaCompareError(f"$ref {ref!r} at '{ptr}' cannot be resolved")
        return here

    def _edges(self, node: Json) -> list[Json]:
        if not isinstance(node, Mapping):
            return []
        out: list[Json] = []
        if id(node) in self._targets:
            out.append(self._targets[id(node)])
        for key in vocab.IN_PLACE:
            value = node.get(key)
            if isinstance(value, list):
                out.extend(value)
            elif key == "dependentSchemas" and isinstance(value, Mapping):
                out.extend(value.values())
            elif value is not None and key != "dependentSchemas":
                out.append(value)
        deps = node.get("dependencies")
        if isinstance(deps, Mapping):
            out.extend(v for v in deps.values() if not isinstance(v, list))
        return out

    def _check_cycles(self) -> None:
        # A cycle through in-place applicators only ($ref, allOf, not...) never reaches a
        # smaller part of the instance: validators loop or guess, so the schema is refused.
        state: dict[int, int] = {}
        for start in list(self._nodes):
            if state.get(id(start)):
                continue
            stack: list[tuple[Json, int]] = [(start, 0)]
            state[id(start)] = 1
            while stack:
                node, idx = stack.pop()
                edges = self._edges(node)
                if idx < len(edges):
                    stack.append((node, idx + 1))
                    nxt = edges[idx]
                    if not isinstance(nxt, Mapping):
                        continue
                    if state.get(id(nxt)) == 1:
                        where = self.ptr_of.get(id(nxt), "?")
                        raise SchemaCompareError(
                            f"circular $ref in the {self.label} schema at '{where}'"
                        )
                    if not state.get(id(nxt)):
                        state[id(nxt)] = 1
                        stack.append((nxt, 0))
                else:
                    state[id(node)] = 2

    def _check_fan_out(self) -> None:
        # In-place applicators form a DAG here (cycles are refused above), but one that can
        # double at each level: `d1: {allOf: [$ref d0, $ref d0]}` ... `d40`. A validator applies
        # 2**40 subschemas to every value there, so such a "reference bomb" is refused.
        size: dict[int, int] = {}
        for start in self._nodes:
            stack: list[tuple[Json, bool]] = [(start, False)]
            while stack:
                node, done = stack.pop()
                if id(node) in size or not isinstance(node, Mapping):
                    continue
                edges = [e for e in self._edges(node) if isinstance(e, Mapping)]
                if not done:
                    stack.append((node, True))
                    stack.extend((e, False) for e in edges if id(e) not in size)
                    continue
                total = 1 + sum(size.get(id(e), 1) for e in edges)
                if total > MAX_IN_PLACE:
                    where = self.ptr_of.get(id(node), "?")
                    raise SchemaCompareError(
                        f"the {self.label} schema at '{where}' applies over {MAX_IN_PLACE:,} "
                        "subschemas to one value through $ref/allOf/anyOf/oneOf (a reference "
                        "bomb): validators would take exponential time"
                    )
                size[id(node)] = total

    # --- views -------------------------------------------------------------------------------
    def view(self, node: Json) -> Json:
        """The schema that applies at ``node``: $refs followed (with siblings kept where the
        dialect honours them)."""
        hops = 0
        while isinstance(node, Mapping) and id(node) in self._targets:
            target = self._targets[id(node)]
            siblings = {
                k: v
                for k, v in node.items()
                if k not in _REFS and k not in vocab.ANNOTATIONS and not vocab.is_extension(k)
            }
            if vocab.is_modern(self.dialect) and siblings:
                cached = self._views.get(id(node))
                if cached is None:
                    cached = {"allOf": [target, siblings]}
                    self._views[id(node)] = cached
                    self._keep.append(siblings)
                return cached
            node = target
            hops += 1
            if hops > 1000:  # pragma: no cover - cycles are refused up front
                raise SchemaCompareError("$ref chain too long")
        return self._without_foreign(node)

    def is_foreign(self, key: str) -> bool:
        """True for a keyword of JSON Schema that this dialect does not define, so that its
        validators ignore it (``validate`` warns about it): an annotation here. Annotations
        proper are excluded, and so is ``dependencies`` in 2019-09/2020-12, which jsonschema-rs
        still applies there."""
        if key in vocab.ANNOTATIONS or (key == "dependencies" and vocab.is_modern(self.dialect)):
            return False
        return vocab.foreign(key, self.dialect) is not None

    def _without_foreign(self, node: Json) -> Json:
        """``node`` without the keywords foreign to the dialect (one copy per node, kept)."""
        if not isinstance(node, Mapping):
            return node
        cached = self._effective.get(id(node))
        if cached is None:
            foreign = {k: v for k, v in node.items() if self.is_foreign(str(k))}
            cached = node
            if foreign:
                cached = {k: v for k, v in node.items() if k not in foreign}
                self.foreign_of[id(cached)] = foreign
                self._keep.append(cached)
                if id(node) in self.ptr_of:
                    self.ptr_of[id(cached)] = self.ptr_of[id(node)]
            self._effective[id(node)] = cached
            self._keep.append(node)
        return cached


def _as_object(schema: Json) -> Mapping[str, Any]:
    """A boolean schema as the object schema that accepts the same values."""
    if schema is True:
        return {}
    if schema is False:
        return {"not": {}}
    return schema  # type: ignore[no-any-return]


def _uses_any(node: Json, names: frozenset[str]) -> bool:
    if isinstance(node, Mapping):
        if any(k in names for k in node):
            return True
        return any(_uses_any(v, names) for v in node.values())
    if isinstance(node, list):
        return any(_uses_any(v, names) for v in node)
    return False
