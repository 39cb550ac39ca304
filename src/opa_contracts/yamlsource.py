"""Reading YAML safely, with a position for every value.

PyYAML alone is not enough for a validator: it keeps the last of two duplicate keys silently, turns
``2026-01-20T14:30:00Z`` into a ``datetime`` and ``no`` into ``False`` (YAML 1.1), and expands
aliases without limit. This module composes the node graph with libyaml, rejects what JSON cannot
carry, and records the line and column of every JSON pointer so findings can point at the source.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import yaml

from opa_contracts.pointer import unescape
from opa_contracts.rules import catalog as rc

try:  # libyaml is much faster; fall back to the pure-Python loader where it is missing
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 200

_STR = "tag:yaml.org,2002:str"
_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_MAP = "tag:yaml.org,2002:map"
_BINARY = "tag:yaml.org,2002:binary"
_INT_12 = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT_12 = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")


#: Integers of any size are kept exact, up to Python's limit for turning one into text (4,300
#: digits): past it no message could print the value, and parsing it costs quadratic time.
MAX_INT_DIGITS = 4300
_MAX_INT = 10**MAX_INT_DIGITS


def _int(text: str) -> int | None:
    """The integer ``text`` spells, or ``None`` when it has more than :data:`MAX_INT_DIGITS`."""
    if text.startswith("0o"):
        value = int(text[2:], 8)
    elif text.startswith("0x"):
        value = int(text[2:], 16)
    elif len(text.lstrip("+-")) > MAX_INT_DIGITS:
        return None
    else:
        value = int(text, 10)
    return value if abs(value) < _MAX_INT else None


# an anchor (&name) where YAML allows one; a false positive only costs a count
_ANCHOR = re.compile(r"(?:^|[\s\[{,:?-])&[^\s,\[\]{}]")
_SEQ = "tag:yaml.org,2002:seq"


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader with YAML 1.2-style booleans and timestamps kept as strings."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        # PyYAML's resolver also supports path-based resolvers, which nothing here uses; this
        # lean version halves the cost of composing a manifest.
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in _RESOLVERS.get(value[:1], ()):
                    if regexp.match(value):
                        return str(tag)
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP


# YAML 1.2 core schema for booleans and numbers (no yes/no, no base 60, no 017-is-octal), and
# no timestamps: what a JSON Schema author means when they write a manifest.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _TIMESTAMP, _INT, _FLOAT)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    _INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
_Loader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+.0123456789"),
)
# first character -> resolvers ("" for the empty scalar); no wildcard resolvers are registered
_RESOLVERS: dict[str, list[tuple[str, re.Pattern[str]]]] = dict(_Loader.yaml_implicit_resolvers)


@dataclass(frozen=True)
class SourceError:
    """Why a file could not be turned into data: a rule id, a message and a 1-based position."""

    rule: str
    message: str
    line: int = 0
    column: int = 0


#: Where one value starts, packed as ``line << 32 | column`` (0-based), and, for a mapping or a
#: sequence, where each of its values starts: a few bytes per value where a PyYAML node with its
#: two marks takes hundreds (a 3 MB manifest's node tree is over 100 MB).
#: where a value starts (line << 32 | column), with its children's positions: a mapping's by key
#: (and where each key itself starts), a sequence's by index
Positions = int | tuple[int, "list[Positions]"] | tuple[int, "dict[str, Positions]", dict[str, int]]


@dataclass
class Document:
    """A parsed YAML/JSON file: its data, its text, and where each value starts (looked up only
    when a finding needs a position)."""

    path: Path
    data: Any
    text: str = ""
    positions: Positions | None = None

    def position(self, pointer: str, *, key: bool = False) -> tuple[int, int]:
        """The 1-based position of ``pointer``, or of its nearest ancestor present in the file.

        With ``key``, a mapping member's position is its key's (``policies:`` rather than the
        block under it): where a finding about the key itself belongs."""
        if self.positions is None and self.text:
            # released earlier: compose again
            self.positions = _positions(_compose(self.text)[0], {})
        here = self.positions
        if here is None:
            return (1, 1)
        tokens = pointer.split("/")[1:] if pointer else []
        for i, raw in enumerate(tokens):
            if isinstance(here, int):
                break
            children = here[1]
            token = unescape(raw)
            child: Positions | None = None
            if isinstance(children, dict):
                child = children.get(token)
                if child is not None and key and i == len(tokens) - 1:
                    keys = here[2] if len(here) > 2 else None
                    return _unpack(keys[token]) if keys and token in keys else _unpack(child)
            elif token.isdigit() and int(token) < len(children):
                child = children[int(token)]
            if child is None:
                break
            here = child
        return _unpack(here)

    def release(self) -> None:
        """Drop the positions; later lookups still work, slower (the text is composed again)."""
        self.positions = None


def _unpack(here: Positions | int) -> tuple[int, int]:
    packed = here if isinstance(here, int) else here[0]
    return ((packed >> 32) + 1, (packed & 0xFFFFFFFF) + 1)


def _positions(node: yaml.Node | None, memo: dict[int, Positions]) -> Positions | None:
    """The position tree of a composed node graph (an alias shares its anchor's entry)."""
    if node is None:
        return None
    found = memo.get(id(node))
    if found is not None:
        return found
    packed = node.start_mark.line << 32 | node.start_mark.column
    out: Positions
    if isinstance(node, yaml.MappingNode):
        children: dict[str, Positions] = {}
        keys: dict[str, int] = {}  # where each key itself starts
        out = (packed, children, keys)
        memo[id(node)] = out  # before the children: a recursive alias meets itself
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value not in children:
                children[key.value] = _positions(value, memo) or 0
                keys[key.value] = key.start_mark.line << 32 | key.start_mark.column
    elif isinstance(node, yaml.SequenceNode):
        items: list[Positions] = []
        out = (packed, items)
        memo[id(node)] = out
        items.extend(_positions(item, memo) or 0 for item in node.value)
    else:
        out = packed
        memo[id(node)] = out
    return out


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str | SourceError:
    """The file's text, or why it cannot be read (size, encoding, I/O)."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return SourceError(
                rc.FILE_TOO_LARGE.id,
                f"file is {size:,} bytes, over the {max_bytes:,}-byte limit for a manifest",
            )
        raw = path.read_bytes()
    except OSError as exc:
        return SourceError(rc.FILE_UNREADABLE.id, f"cannot read file: {exc.strerror or exc}")
    return decode(raw)


def decode(raw: bytes) -> str | SourceError:
    """The text of a file's bytes (UTF-8, a leading BOM dropped), or where it is not UTF-8."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return SourceError(
            rc.FILE_ENCODING.id,
            f"file is not UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start} ({exc.reason})",
            line,
            column,
        )
    return text.removeprefix("\ufeff")


#: Characters YAML 1.1 (libyaml) reads as line breaks and folds away with the spaces around them,
#: though JSON and YAML 1.2 hold them as ordinary text: NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR
_FOREIGN_BREAKS = "\x85\u2028\u2029"


def _shield(text: str) -> tuple[str, dict[int, str] | None]:
    """``text`` with each of ``_FOREIGN_BREAKS`` swapped for a private-use character that does not
    occur in it (one for one, so positions stay), and the table that swaps them back; the parser
    then keeps such text exactly, as JSON and YAML 1.2 do."""
    if not any(char in text for char in _FOREIGN_BREAKS):
        return text, None
    spare = (chr(code) for code in range(0xE000, 0xF900) if chr(code) not in text)
    there = {char: next(spare) for char in _FOREIGN_BREAKS}
    shielded = text.translate({ord(char): stand_in for char, stand_in in there.items()})
    return shielded, {ord(stand_in): char for char, stand_in in there.items()}


def _compose(text: str) -> tuple[yaml.Node | None, dict[int, str] | None]:
    shielded, back = _shield(text)
    return yaml.compose(shielded, Loader=_Loader), back


def parse(path: Path, text: str) -> Document | SourceError:
    """Parse one YAML (or JSON) document into data with positions, or say why not."""
    try:
        node, back = _compose(text)
    except yaml.MarkedYAMLError as exc:
        return _yaml_error(exc, text)
    except yaml.YAMLError as exc:
        return SourceError(rc.YAML_SYNTAX.id, f"YAML error: {exc}")
    except RecursionError:
        return SourceError(rc.YAML_TOO_DEEP.id, f"nesting deeper than {MAX_DEPTH} levels")
    if node is None:
        return Document(path, None)
    try:
        # without an anchor there is no alias, and the value count is the node count
        size = _expanded_size(node, {}, 0) if _ANCHOR.search(text) else 0
    except _BuildError as exc:
        return exc.error
    if size > MAX_NODES:
        return SourceError(
            rc.YAML_TOO_LARGE.id,
            f"document expands to more than {MAX_NODES:,} values (alias bomb?); "
            "anchors and aliases may not multiply the document",
            node.start_mark.line + 1,
            node.start_mark.column + 1,
        )
    try:
        data = _Builder(back).build(node, 0)
    except _BuildError as exc:
        return exc.error
    return Document(path, data, text, _positions(node, {}))


def _yaml_error(exc: yaml.MarkedYAMLError, text: str) -> SourceError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or "invalid YAML"
    if mark is None:
        return SourceError(
            rc.YAML_SYNTAX.id, f"{exc.context}: {problem}" if exc.context else problem
        )
    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    if (
        "\t" in line[: len(line) - len(line.lstrip())]
        or line[mark.column : mark.column + 1] == "\t"
    ):
        problem += " (a tab: YAML does not allow tabs for indentation)"
    hint = _slip(exc, lines)
    if hint is not None:
        message, at = hint
        return SourceError(rc.YAML_SYNTAX.id, message, at + 1, _indent(lines, at) + 1)
    message = f"{exc.context}: {problem}" if exc.context else problem
    return SourceError(rc.YAML_SYNTAX.id, message, mark.line + 1, mark.column + 1)


def _indent(lines: list[str], index: int) -> int:
    line = lines[index] if 0 <= index < len(lines) else ""
    return len(line) - len(line.lstrip(" "))


def _content(lines: list[str], index: int) -> str:
    """Line ``index`` without its comment (a `` #`` outside quotes; good enough for a hint)."""
    line = lines[index] if 0 <= index < len(lines) else ""
    return re.split(r"(?:^|\s)#", line, maxsplit=1)[0].rstrip()


def _previous(lines: list[str], index: int) -> int:
    """The index of the last line before ``index`` with content, or -1."""
    index -= 1
    while index >= 0 and not _content(lines, index).strip():
        index -= 1
    return index


_KEY = re.compile(r"^\s*(?:- +)?([^\s#'\"\[{][^:#]*?|'[^']*'|\"[^\"]*\"):(?:\s|$)")


def _slip(exc: yaml.MarkedYAMLError, lines: list[str]) -> tuple[str, int] | None:
    """A plain-words explanation of the common slips, and the 0-based line to report; None for
    errors with no better words than PyYAML's."""
    problem, context = exc.problem or "", exc.context or ""
    mark = exc.problem_mark
    if mark is None:
        return None
    at = min(mark.line, len(lines) - 1)
    if "could not find expected ':'" in problem and exc.context_mark is not None:
        at = exc.context_mark.line
        text = _content(lines, at).strip()
        first, _, rest = text.partition(" ")
        fix = f" (write {first}: {rest.strip()})" if rest.strip() else ""
        return (
            f"line {at + 1} has no ':' after its key{fix}; every line of a mapping is "
            "'key: value', with a space after the colon",
            at,
        )
    if problem == "mapping values are not allowed in this context":
        here = _content(lines, at)
        matched = _KEY.match(here)
        if matched and matched.end() <= mark.column:  # a second ': ' after the key's own
            name = matched.group(1).strip()
            value = here[matched.end() :].strip()
            return (
                f"the value of {name!r} contains ': ', which YAML reads as a second key; "
                f'quote the value: {name}: "{value}"',
                at,
            )
        prev = _previous(lines, at)
        if (
            prev >= 0
            and _indent(lines, at) > _indent(lines, prev)
            and _KEY.match(_content(lines, prev))
        ):
            return (
                f"indentation: line {at + 1} is indented more than line {prev + 1}, whose key "
                f"already has a value; line it up with the key above it ({_indent(lines, prev)} "
                "spaces), or move it under a key that has no value",
                at,
            )
        if prev >= 0 and not _KEY.match(_content(lines, prev)):
            text = _content(lines, prev).strip()
            first, _, rest = text.partition(" ")
            fix = f" (write {first}: {rest.strip()})" if rest.strip() else ""
            return (
                f"line {prev + 1} has no ':' after its key{fix}; every line of a mapping is "
                "'key: value', with a space after the colon",
                prev,
            )
        return None
    if "block mapping" in context and "did not find expected key" in problem:
        here = _content(lines, at)
        if here.lstrip().startswith("- "):
            return (
                f"line {at + 1} is a list item ('- ') where a key was expected; put the list "
                "under a key (key:, then the items indented below it)",
                at,
            )
        if exc.context_mark is not None and _indent(lines, at) != exc.context_mark.column:
            indents = sorted(
                {
                    _indent(lines, i)
                    for i in range(exc.context_mark.line, at)
                    if _KEY.match(_content(lines, i))
                }
            )
            shown = (
                " or ".join(x for x in (", ".join(map(str, indents[:-1])), str(indents[-1])) if x)
                if indents
                else str(exc.context_mark.column)
            )
            return (
                f"indentation: line {at + 1} is indented by {_indent(lines, at)} spaces, which "
                f"lines up with no key above it (those are indented by {shown}); indent it "
                "exactly like the keys it belongs with",
                at,
            )
        quoted = re.search(r"(['\"]).*?\1\S", here)
        if quoted:
            return (
                f"line {at + 1} has text after a closing quote; inside '...' write a quote as "
                "'' (it''s), or use the other kind of quotes around the value",
                at,
            )
        return None
    if "while parsing a flow" in context:
        close = "}" if "mapping" in context else "]"
        start = exc.context_mark.line if exc.context_mark is not None else at
        start = min(start, at, max(at - 3, 0) if "flow node" in context else at)
        for index in range(start, at + 1):
            line = lines[index] if index < len(lines) else ""
            if re.search(r"\s#", line) and not re.search(r"\s#", _content(lines, index) + " "):
                return (
                    f"line {index + 1}: ' #' starts a comment, which hides the rest of the line "
                    f"(and its {close!r}); quote a value that contains '#'",
                    index,
                )
        opened = exc.context_mark
        where = f"line {opened.line + 1}" if opened is not None else "above"
        return (
            f"the {'[' if close == ']' else '{'!r} opened on {where} is not closed with "
            f"{close!r} (or a ',' is missing between two items); quote a value that contains "
            "',', '[', ']', '{' or '}'",
            start,
        )
    if "found undefined alias" in problem or "while scanning an alias" in context:
        return (
            f"line {at + 1}: a value starting with '*' is an alias in YAML; quote it (\"*...\")",
            at,
        )
    if "cannot start any token" in problem and "tab" not in problem:
        char = lines[at][mark.column : mark.column + 1] if at < len(lines) else ""
        if char in ("@", "`", "%"):
            return (f"line {at + 1}: a value cannot start with {char!r} in YAML; quote it", at)
    return None


def _expanded_size(node: yaml.Node, memo: dict[int, int], depth: int) -> int:
    """Count the values the node would expand to, sharing work between aliases of one anchor."""
    key = id(node)
    if key in memo:
        return memo[key]
    if depth > MAX_DEPTH:
        _Builder._fail(node, rc.YAML_TOO_DEEP.id, f"nesting deeper than {MAX_DEPTH} levels")
    memo[key] = MAX_NODES + 1  # a node reached again while being counted is a recursive alias
    total = 1
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            total += _expanded_size(k, memo, depth + 1) + _expanded_size(v, memo, depth + 1)
            if total > MAX_NODES:
                break
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            total += _expanded_size(item, memo, depth + 1)
            if total > MAX_NODES:
                break
    memo[key] = total
    return total


class _BuildError(Exception):
    def __init__(self, error: SourceError) -> None:
        super().__init__(error.message)
        self.error = error


class _Builder:
    """Turns a composed node graph into JSON-compatible data."""

    def __init__(self, back: dict[int, str] | None = None) -> None:
        self.constructor = yaml.constructor.SafeConstructor()
        #: how to turn shielded line-break characters back (``_shield``), if any were
        self.back = back

    def build(self, node: yaml.Node, depth: int) -> Any:
        if depth > MAX_DEPTH:
            self._fail(node, rc.YAML_TOO_DEEP.id, f"nesting deeper than {MAX_DEPTH} levels")
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP:
                self._fail(node, rc.YAML_SYNTAX.id, f"tag {node.tag!r} is not allowed in manifests")
            return self._mapping(node, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                self._fail(node, rc.YAML_SYNTAX.id, f"tag {node.tag!r} is not allowed in manifests")
            return [self.build(item, depth + 1) for item in node.value]
        if node.tag == _STR:
            return self._text(node.value)
        return self._scalar(node)

    def _text(self, value: str) -> str:
        return value.translate(self.back) if self.back else value

    def _mapping(self, node: yaml.MappingNode, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._fail(key_node, rc.YAML_NOT_JSON.id, "merge keys (<<) are not supported")
            key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                self._fail(key_node, rc.YAML_NOT_JSON.id, "mapping keys must be strings")
            if key in result:
                self._fail(
                    key_node,
                    rc.YAML_DUPLICATE_KEY.id,
                    f"duplicate key {key!r} (first defined on line {lines[key]})",
                )
            lines[key] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, depth + 1)
        return result

    def _scalar(self, node: yaml.Node) -> Any:
        if node.tag == _STR:
            return self._text(node.value)
        if node.tag == _INT and isinstance(node, yaml.ScalarNode):
            if not _INT_12.match(node.value):
                return self._constructed(node)
            number = _int(node.value)
            if number is None:
                self._fail(
                    node,
                    rc.YAML_NOT_JSON.id,
                    f"an integer of more than {MAX_INT_DIGITS:,} digits is not supported",
                )
            return number
        if node.tag == _FLOAT and isinstance(node, yaml.ScalarNode) and _FLOAT_12.match(node.value):
            value = float(node.value)
            if not math.isfinite(value):
                self._fail(
                    node, rc.YAML_NOT_JSON.id, f"{node.value!r} (NaN or infinity) is not JSON"
                )
            return value
        if node.tag == _BINARY and isinstance(node, yaml.ScalarNode):
            return self._binary(node)
        return self._constructed(node)

    def _binary(self, node: yaml.ScalarNode) -> str:
        """``!!binary``: the bytes' standard base64 text, which is how JSON (and the JSON view of
        a msgpack payload) carries binary data. Line breaks and spaces go; anything that would
        change the bytes (a character outside base64, missing padding, spare bits) is refused."""
        text = "".join(node.value.split())
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            self._fail(node, rc.YAML_NOT_JSON.id, "!!binary value is not standard base64 text")
        canonical = base64.b64encode(raw).decode("ascii")
        if canonical != text:
            self._fail(
                node,
                rc.YAML_NOT_JSON.id,
                f"!!binary value is not canonical base64 (it stands for {canonical!r})",
            )
        return canonical

    def _constructed(self, node: yaml.Node) -> Any:
        try:
            value = self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            self._fail(node, rc.YAML_SYNTAX.id, exc.problem or str(exc))
        if isinstance(value, float) and not math.isfinite(value):
            self._fail(
                node, rc.YAML_NOT_JSON.id, f"{node.value!r} (NaN or infinity) is not valid JSON"
            )
        if isinstance(value, str):
            return self._text(value)
        if value is not None and not isinstance(value, str | int | float | bool):
            self._fail(
                node, rc.YAML_NOT_JSON.id, f"{node.tag} values cannot be represented in JSON"
            )
        return value

    @staticmethod
    def _fail(node: yaml.Node, rule: str, message: str) -> NoReturn:
        mark = node.start_mark
        raise _BuildError(SourceError(rule, message, mark.line + 1, mark.column + 1))
