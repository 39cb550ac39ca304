"""Where a msgpack channel's schema declares binary data, as a small table the TypeScript package
walks beside a message (``src/msgpack.ts``): no schema is read at run time.

The schema is followed as :func:`opa_contracts.encodings.binary_problems` and the Python models
follow it: ``properties`` (else ``additionalProperties``), ``additionalProperties``, ``items``,
local ``$ref`` and every branch of ``allOf``/``anyOf``/``oneOf``. Each node of the table stands for
the set of schema locations that may describe one value; it is binary when one of them is a string
with ``contentEncoding: base64``. Nodes that lead to no binary data are dropped.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote

from opa_contracts import pointer as jp
from opa_contracts.encodings import declares_binary

_COMBINATORS = ("allOf", "anyOf", "oneOf")
_MAX_REFS = 32

#: One node: [binary (0/1), [[property, node]...], additionalProperties node, items node]; -1: none
Node = list[Any]


def binary_plan(schema: Any) -> list[Node] | None:
    """The table of ``schema``'s binary data (node 0 is the root), or None when it has none."""
    nodes: list[dict[str, Any]] = []
    index: dict[frozenset[int], int] = {}

    def expand(start: list[Any]) -> list[dict[str, Any]]:
        found: dict[int, dict[str, Any]] = {}
        stack = [(s, 0) for s in start]
        while stack:
            node, refs = stack.pop()
            if not isinstance(node, dict) or id(node) in found:
                continue
            found[id(node)] = node
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#") and refs < _MAX_REFS:
                with contextlib.suppress(LookupError):
                    stack.append((jp.resolve(schema, unquote(ref[1:])), refs + 1))
            for keyword in _COMBINATORS:
                branches = node.get(keyword)
                stack += [(b, refs) for b in (branches if isinstance(branches, list) else ())]
        return list(found.values())

    def visit(start: list[Any]) -> int:
        locations = expand(start)
        key = frozenset(id(s) for s in locations)
        if not locations:
            return -1
        if key in index:
            return index[key]
        number = len(nodes)
        index[key] = number
        entry: dict[str, Any] = {"b": any(declares_binary(s) for s in locations)}
        nodes.append(entry)
        names: dict[str, None] = {}
        for s in locations:
            properties = s.get("properties")
            names.update(dict.fromkeys(properties if isinstance(properties, dict) else ()))
        entry["p"] = {}
        for name in names:
            subs = []
            for s in locations:
                properties = s.get("properties")
                own = properties if isinstance(properties, dict) else {}
                subs.append(own[name] if name in own else s.get("additionalProperties"))
            entry["p"][name] = visit(subs)
        entry["a"] = visit([s.get("additionalProperties") for s in locations])
        entry["i"] = visit([s.get("items") for s in locations])
        return number

    visit([schema])
    if not nodes:
        return None
    live = _live(nodes)
    if 0 not in live:
        return None

    def edge(n: int) -> int:
        return n if n in live else -1

    return [
        [
            int(bool(n["b"])),
            # a property that leads to no binary data stays (as -1) only where it hides a live
            # additionalProperties: a lookup must not fall back to it
            [[name, edge(i)] for name, i in n["p"].items() if i in live or n["a"] in live],
            edge(n["a"]),
            edge(n["i"]),
        ]
        if number in live
        else [0, [], -1, -1]
        for number, n in enumerate(nodes)
    ]


def _live(nodes: list[dict[str, Any]]) -> set[int]:
    """The nodes that are binary or lead to one."""
    live = {n for n, node in enumerate(nodes) if node["b"]}
    changed = True
    while changed:
        changed = False
        for n, node in enumerate(nodes):
            if n in live:
                continue
            edges = [*node["p"].values(), node["a"], node["i"]]
            if any(e in live for e in edges):
                live.add(n)
                changed = True
    return live


def binary_pointers(schema: Any, value: Any) -> list[str]:
    """The JSON pointers of ``value``'s binary data (strings where ``schema`` declares binary)."""
    plan = binary_plan(schema)
    return [] if plan is None else list(_walk(plan, 0, value, ""))


def _walk(plan: list[Node], number: int, value: Any, here: str) -> Iterator[str]:
    binary, properties, extra, items = plan[number]
    if binary and isinstance(value, str):
        yield here
    if isinstance(value, Mapping):
        named: dict[str, int] = dict(properties)
        for key, item in value.items():
            sub = named[key] if key in named else int(extra)
            if sub >= 0:
                yield from _walk(plan, sub, item, jp.join(here, key))
    elif isinstance(value, list) and items >= 0:
        for i, item in enumerate(value):
            yield from _walk(plan, items, item, jp.join(here, i))
