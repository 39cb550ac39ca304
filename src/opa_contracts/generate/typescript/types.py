"""TypeScript types from JSON Schemas: one interface per channel version, checked names only.

What the type system carries: object shapes (required and optional properties), arrays, literal
unions for ``enum`` and ``const``, unions for type lists, ``anyOf`` and ``oneOf``, intersections
for ``allOf``, local ``$ref`` definitions as named types. What it does not carry (the validators
check it at run time, the JSDoc says it): patterns and formats (plain ``string``), bounds,
lengths, ``integer`` (a ``number``), ``additionalProperties`` beyond the declared ones, and
``not``/``if``/``then``. Anything the writer cannot express is ``unknown``, never ``any``.

Contract text never reaches the code unquoted: property names and literals are JSON string
literals (valid TypeScript literals that nothing can close early), and descriptions go into
JSDoc comments with ``*/`` broken up.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from opa_contracts.encodings import declares_binary

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# reserved words and names of the package's own exports: a type may not take them
_WORDS = """
    break case catch class const continue debugger default delete do else enum export extends
    false finally for function if import in instanceof new null return super switch this throw
    true try typeof var void while with as implements interface let package private protected
    public static yield any boolean number string symbol unknown never object bigint undefined
    type keyof readonly infer is asserts unique declare namespace module require global of
    Array Record Object String Number Boolean Date Error Promise Map Set JSON Symbol
    ContractError Messages Latest ChannelName CHANNELS decode encode"""
RESERVED = frozenset(_WORDS.split())
PRIMITIVES = {
    "string": "string",
    "number": "number",
    "integer": "number",
    "boolean": "boolean",
    "null": "null",
}
NOTES = (
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
)


def identifier(name: str) -> str:
    """``name`` when it is a safe TypeScript type name, else a ValueError."""
    if not IDENTIFIER.match(name) or name in RESERVED:
        raise ValueError(f"{name!r} is not a safe TypeScript name")
    return name


def literal(value: Any) -> str:
    """A TypeScript literal type for a JSON scalar, or ``unknown`` for objects and arrays."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=True)
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int | float):
        text = json.dumps(value)
        # a literal type TypeScript reads back as the same number (else plain number)
        return text if re.fullmatch(r"-?(0|[1-9][0-9]{0,14})(\.[0-9]+)?", text) else "number"
    return "unknown"


def comment(lines: list[str], indent: str) -> str:
    """A JSDoc block (empty when there is nothing to say); ``*/`` cannot end it early."""
    text = [line.replace("*/", "*\\/") for line in lines if line.strip()]
    if not text:
        return ""
    body = "\n".join(f"{indent} * {line}" if line else f"{indent} *" for line in text)
    return f"{indent}/**\n{body}\n{indent} */\n"


def describe(schema: Mapping[str, Any]) -> list[str]:
    """The JSDoc lines of a schema: its description, then what only run time checks."""
    lines: list[str] = []
    description = schema.get("description")
    if isinstance(description, str):
        lines += [" ".join(line.split()) for line in description.splitlines()]
    checked = [
        f"{key}: {json.dumps(schema[key], ensure_ascii=True)}" for key in NOTES if key in schema
    ]
    if checked:
        lines.append("Checked by decode/encode, not by the type: " + "; ".join(checked))
    return lines


@dataclass
class TypeWriter:
    """Writes the types of one schema; ``prefix`` names its root and its definitions."""

    schema: Any
    prefix: str
    definitions: dict[str, str] = field(default_factory=dict)  # $ref -> type name
    binary: bool = False
    """A msgpack channel's: a string with ``contentEncoding: base64`` is ``Uint8Array``."""

    def __post_init__(self) -> None:
        if not isinstance(self.schema, Mapping):
            return
        used = {self.prefix}
        for keyword in ("$defs", "definitions"):
            defs = self.schema.get(keyword)
            if not isinstance(defs, Mapping):
                continue
            for key in defs:
                base = self.prefix + "".join(
                    w[:1].upper() + w[1:] for w in re.split(r"[^A-Za-z0-9]+", str(key)) if w
                )
                name, n = base, 2
                while name in used or not IDENTIFIER.match(name) or name in RESERVED:
                    name, n = f"{self.prefix}Def{n}", n + 1
                used.add(name)
                self.definitions[f"#/{keyword}/{_escape(str(key))}"] = name

    def declarations(self) -> str:
        """The root type and every definition's, as exported declarations."""
        out = [self._declare(self.prefix, self.schema)]
        for ref, name in self.definitions.items():
            _, keyword, key = ref.split("/", 2)
            out.append(self._declare(name, self.schema[keyword][_unescape(key)]))
        return "\n".join(out)

    def _declare(self, name: str, schema: Any) -> str:
        doc = comment(describe(schema), "") if isinstance(schema, Mapping) else ""
        body = self.type(schema, "")
        if body.startswith("{") and isinstance(schema, Mapping) and _plain_object(schema):
            return f"{doc}export interface {name} {body}\n"
        return f"{doc}export type {name} = {body};\n"

    def type(self, schema: Any, indent: str) -> str:
        """The type of ``schema``, written at ``indent``."""
        if schema is True or (isinstance(schema, Mapping) and not schema):
            return "unknown"
        if schema is False:
            return "never"
        if not isinstance(schema, Mapping):
            return "unknown"
        parts: list[str] = []
        ref = schema.get("$ref")
        if isinstance(ref, str):
            parts.append(self.definitions.get(ref, self.prefix if ref == "#" else "unknown"))
        if "const" in schema:
            parts.append(literal(schema["const"]))
        elif isinstance(schema.get("enum"), list):
            values = sorted({literal(v) for v in schema["enum"]})
            parts.append(_union(values) if values else "never")
        else:
            own = self._own(schema, indent)
            if own is not None:
                parts.append(own)
        for keyword in ("anyOf", "oneOf"):
            options = schema.get(keyword)
            if isinstance(options, list) and options:
                parts.append(_group(_union([self.type(s, indent) for s in options])))
        every = schema.get("allOf")
        if isinstance(every, list):
            parts += [_group(self.type(s, indent)) for s in every]
        parts = [p for p in parts if p != "unknown"] or ["unknown"]
        return " & ".join(_group(p) for p in parts) if len(parts) > 1 else parts[0]

    def _own(self, schema: Mapping[str, Any], indent: str) -> str | None:
        kinds = schema.get("type")
        names = [kinds] if isinstance(kinds, str) else kinds if isinstance(kinds, list) else None
        if names is None:
            if "properties" in schema or "required" in schema:
                names = ["object"]
            elif "items" in schema:
                names = ["array"]
            else:
                return None
        written = []
        for kind in names:
            if kind == "object":
                written.append(self._object(schema, indent))
            elif kind == "array":
                written.append(self._array(schema, indent))
            elif kind == "string" and self.binary and declares_binary(dict(schema)):
                written.append("Uint8Array")
            elif kind in PRIMITIVES:
                written.append(PRIMITIVES[kind])
        return _union(sorted(set(written), key=written.index)) if written else "never"

    def _object(self, schema: Mapping[str, Any], indent: str) -> str:
        properties = schema.get("properties")
        properties = properties if isinstance(properties, Mapping) else {}
        required = schema.get("required")
        required = (
            {r for r in required if isinstance(r, str)} if isinstance(required, list) else set()
        )
        inner = indent + "  "
        lines = []
        for name, sub in properties.items():
            doc = comment(describe(sub), inner) if isinstance(sub, Mapping) else ""
            mark = "" if name in required else "?"
            key = json.dumps(name, ensure_ascii=True)
            lines.append(f"{doc}{inner}readonly {key}{mark}: {self.type(sub, inner)};\n")
        for name in sorted(required - set(properties)):
            lines.append(f"{inner}readonly {json.dumps(name, ensure_ascii=True)}: unknown;\n")
        extra = schema.get("additionalProperties")
        if not properties and not required:
            value = "unknown" if extra is None or extra is True else self.type(extra, inner)
            return f"{{ readonly [key: string]: {value} }}"
        return "{\n" + "".join(lines) + indent + "}"

    def _array(self, schema: Mapping[str, Any], indent: str) -> str:
        items = schema.get("items")
        if isinstance(items, Mapping | bool) and "prefixItems" not in schema:
            return f"ReadonlyArray<{self.type(items, indent)}>"
        return "ReadonlyArray<unknown>"


def _plain_object(schema: Mapping[str, Any]) -> bool:
    structure = ("$ref", "anyOf", "oneOf", "allOf", "enum", "const")
    return schema.get("type") == "object" and not any(k in schema for k in structure)


def _union(parts: list[str]) -> str:
    return " | ".join(parts) if len(parts) > 1 else parts[0]


def _group(text: str) -> str:
    return f"({text})" if " | " in text or " & " in text else text


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _unescape(key: str) -> str:
    return key.replace("~1", "/").replace("~0", "~")
