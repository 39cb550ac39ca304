"""The ``typescript`` target: an ESM npm package with a type per channel version and validators
compiled ahead of time.

Layout (the output folder)::

    package.json  tsconfig.json  README.md
    src/index.ts                 decode(), encode(), ContractError, CHANNELS, every type
    src/errors.ts                ContractError
    src/json.ts                  the exact JSON reader: refuses what JSON.parse would change
    src/formats.ts               format checks (RFC 3339 date-time; ajv-formats for the rest)
    src/channels.ts              channel metadata as typed constants
    src/messages.ts              channel -> version -> type, and the latest version's
    src/types/<channel>.ts       one interface per version, the latest as the channel's type
    src/validators/<channel>/<version>.ts   Ajv standalone code (made by Node at generation)
    src/validators/index.ts      the validator of every channel version
    schemas/<channel>/<version>.json        the bundled JSON Schemas
    test/package.test.mjs        the package's own `node --test` suite (runs against dist/)
    src/runtime/index.ts         the Redis runtime (``./runtime``): Publisher, Subscriber
    src/runtime/metrics.ts       its prom-client series: the Python runtime's names and labels

``tsc -p .`` builds ``dist/``. The runtime is a subpath export whose ``redis`` and ``prom-client``
are optional peer dependencies, so importing the models never loads a Redis client.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from opa_contracts import dialects
from opa_contracts.generate import templates
from opa_contracts.generate.contracts import Channel, GenerateError, Sources
from opa_contracts.generate.python import naming
from opa_contracts.generate.python.versioning import package_version
from opa_contracts.generate.targets import Target
from opa_contracts.generate.typescript import standalone
from opa_contracts.generate.typescript.binary import binary_plan, binary_pointers
from opa_contracts.generate.typescript.types import (
    RESERVED,
    TypeWriter,
    comment,
    describe,
    identifier,
)

TEMPLATE_DIR = "typescript"
STATIC = (
    "errors.ts",
    "json.ts",
    "msgpack.ts",
    "msgpack-library.d.ts",
    "formats.ts",
    "index.ts",
    "channels.ts",
    "messages.ts",
)
#: the Redis runtime (the ``./runtime`` export; ``redis`` and ``prom-client``: optional peers)
RUNTIME = ("runtime/index.ts", "runtime/metrics.ts")
# https://github.com/npm/validate-npm-package-name, the rules that matter for a new package
NPM_NAME = re.compile(r"^(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$")
SEMVER = re.compile(
    r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"
)
#: the runtime dependencies the generated package pins (the versions tools/typescript-build
#: compiles with: the standalone code imports their runtime helpers)
RUNTIME_DEPENDENCIES = {"@msgpack/msgpack": "3.1.2", "ajv": "8.17.1", "ajv-formats": "3.0.1"}
TYPESCRIPT = "5.6.3"
#: the runtime's optional peer dependencies (the versions tools/typescript-build pins and tests)
PEER_DEPENDENCIES = {"prom-client": "^15.1.3", "redis": "^4.7.1"}
#: what building the runtime needs besides TypeScript (the pinned versions)
BUILD_DEPENDENCIES = {"@types/node": "20.17.6", "prom-client": "15.1.3", "redis": "4.7.1"}
SAFE_INTEGER = 2**53 - 1
#: channels whose validators one Node process compiles
CHANNEL_BATCH = 256


@dataclass(frozen=True)
class Settings:
    """A typescript target's settings, checked."""

    package_name: str
    version: object
    description: str
    example_channel: str | None


def settings_of(target: Target) -> Settings:
    """The target's settings, or a :class:`GenerateError` naming each bad one."""
    options = target.options
    name = options.get("package_name", "@opa/events")
    problems = []
    if not isinstance(name, str) or not NPM_NAME.match(name) or len(name) > 214:
        problems.append(f"options.package_name {name!r} is not a valid npm package name")
    description = options.get("description", "Typed messages of the OPA event channels.")
    if not isinstance(description, str):
        problems.append("options.description must be a string")
    example = options.get("example_channel")
    if example is not None and not isinstance(example, str):
        problems.append("options.example_channel must be a channel name")
    version = options.get("version", "auto")
    if version != "auto" and not (isinstance(version, str) and SEMVER.match(version)):
        problems.append(f"options.version {version!r} is not a semantic version (or auto)")
    if problems:
        raise GenerateError(problems)
    return Settings(str(name), version, str(description), example)


def generate(sources: Sources, target: Target) -> Iterator[tuple[str, bytes]]:
    """Every file of the npm package for ``sources``, channel by channel."""
    config = settings_of(target)
    try:
        version = package_version(sources, config.version)
    except ValueError as exc:
        raise GenerateError([str(exc)]) from None
    names = naming.assign(sources.channels)
    env = templates.environment()
    env.filters.update(ts=ts, tsident=tsident, tsdoc=tsdoc)
    channels: list[dict[str, Any]] = []
    example: dict[str, Any] | None = None
    for start in range(0, len(sources.channels), CHANNEL_BATCH):
        batch = sources.channels[start : start + CHANNEL_BATCH]
        for channel, (view, files) in zip(batch, _channels(batch, names), strict=True):
            yield from files
            channels.append(view)
            json_channel = channel.latest.encoding == "json"  # the example decodes JSON text
            if json_channel and (example is None or channel.name == config.example_channel):
                latest = channel.latest
                payload = latest.examples[0].payload if latest.examples else None
                if isinstance(payload, Mapping) and not inexact(payload):
                    example = {
                        "channel": view,
                        "text": json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                        "field": next(iter(payload), None),
                        "shown": _shown(next(iter(payload.values()), None)),
                    }
    context = {
        "package_name": config.package_name,
        "version": version,
        "description": config.description,
        "digest": sources.digest,
        "channels": channels,
        "example": example,
        "dependencies": RUNTIME_DEPENDENCIES,
        "typescript": TYPESCRIPT,
        "peer_dependencies": PEER_DEPENDENCIES,
        "build_dependencies": BUILD_DEPENDENCIES,
    }
    for name in STATIC + RUNTIME:
        yield f"src/{name}", _render(env, f"src/{name}", context)
    yield "src/validators/index.ts", _render(env, "src/validators.ts", context)
    yield "test/package.test.mjs", _render(env, "test/package.test.mjs", context)
    for name in ("package.json", "tsconfig.json", "README.md"):
        yield name, _render(env, name, context)


def _channels(
    batch: Sequence[Channel], names: Mapping[str, naming.ChannelNames]
) -> list[tuple[dict[str, Any], list[tuple[str, bytes]]]]:
    """The views and files of a batch of channels, their validators compiled by one Node run."""
    try:
        made = [_channel(channel, names[channel.name]) for channel in batch]
    except ValueError as exc:  # a type name TypeScript reserves (types.identifier)
        raise GenerateError([f"{exc}; rename the channel"]) from None
    codes = iter(standalone.compile_all([job for _view, _files, jobs in made for job in jobs]))
    out = []
    for view, files, _jobs in made:
        for v in view["versions"]:
            for what, where in (("", v), (" key", v["key"])):
                if where is None:
                    continue
                header = (
                    "// @ts-nocheck\n"
                    "// Generated by `opa-contracts generate typescript` (Ajv standalone code of "
                    f"{json.dumps(view['name'], ensure_ascii=True)} {v['version']}{what}); "
                    "do not edit.\n"
                )
                files.append((str(where["validator_file"]), (header + next(codes)).encode()))
            del v["schema"]  # written: the package-wide files need names only (memory stays flat)
        out.append((view, files))
    return out


def type_name_of(chosen: naming.ChannelNames) -> str:
    """A channel's TypeScript type: its Python class name, with the suffix ``Message`` when
    TypeScript or the package takes the name (``Record``, ``Messages``...)."""
    return identifier(chosen.model if chosen.model not in RESERVED else chosen.model + "Message")


def _channel(
    channel: Channel, chosen: naming.ChannelNames
) -> tuple[dict[str, Any], list[tuple[str, bytes]], list[standalone.Job]]:
    """One channel's view for the templates, its files but the validators, and their jobs."""
    module = chosen.module
    type_name = type_name_of(chosen)
    problems: list[str] = []
    versions = []
    jobs = []
    declarations = []
    for contract in channel.versions:
        schema = contract.schema
        label = f"{contract.source}: {channel.name} {contract.version}"
        problems += [f"{label}: {p}" for p in _unsupported(schema)]
        vmodule = naming.version_module(contract.version)
        vtype = identifier(type_name + vmodule[:1].upper() + vmodule[1:])
        msgpack = contract.encoding == "msgpack"
        declarations.append(TypeWriter(schema, vtype, binary=msgpack).declarations())
        jobs.append(standalone.Job(label, schema, contract.dialect.name, "../../formats.js"))
        key = contract.key
        key_view = None
        if key.kind == "schema":
            ktype = identifier(vtype + "Key")
            declarations.append(TypeWriter(key.schema, ktype).declarations())
            own = isinstance(key.schema, Mapping) and "$schema" in key.schema
            found = dialects.identify(key.schema) if own else contract.dialect
            kdialect = found if isinstance(found, dialects.Dialect) else contract.dialect
            key_job = standalone.Job(label + " key", key.schema, kdialect.name, "../../formats.js")
            jobs.append(key_job)
            key_view = {
                "type": ktype,
                "encoding": key.encoding,
                "validator": f"./{module}/{vmodule}_key.js",
                "validator_file": f"src/validators/{module}/{vmodule}_key.ts",
                "examples": [_text_of(e.key) for e in contract.examples if e.key is not None],
                # each invalid example's key (null: none): its only fault may be its key
                "invalid": [
                    None if e.key is None else _text_of(e.key) for e in contract.invalid_examples
                ],
            }
        plan = binary_plan(schema) if msgpack else None
        versions.append(
            {
                "version": contract.version,
                "encoding": contract.encoding,
                "binary": plan,
                "key": key_view,
                "key_kind": key.kind,
                "status": contract.status,
                "type": vtype,
                "module": vmodule,
                "schema": schema,
                "schema_file": f"schemas/{module}/{contract.version}.json",
                "validator": f"./{module}/{vmodule}.js",
                "validator_file": f"src/validators/{module}/{vmodule}.ts",
                "examples": [
                    _text_of(e.payload)
                    for e in contract.examples
                    if not (packed_inexact(e.payload) if msgpack else inexact(e.payload))
                ],
                # valid under the schema, but holding a value a JavaScript number cannot carry
                "refused": [
                    _text_of(e.payload)
                    for e in contract.examples
                    if (packed_inexact(e.payload) if msgpack else inexact(e.payload))
                ],
                "invalid": [_text_of(e.payload) for e in contract.invalid_examples],
                # on a msgpack channel, where each example holds binary data (its base64 text)
                "bins": [binary_pointers(schema, e.payload) for e in contract.examples]
                if msgpack
                else [],
                "invalid_bins": [
                    binary_pointers(schema, e.payload) for e in contract.invalid_examples
                ]
                if msgpack
                else [],
            }
        )
    if problems:
        raise GenerateError(problems)
    latest = next(v for v in versions if v["version"] == channel.latest.version)
    contract = channel.latest
    redis = contract.transports.get("redis")
    kafka = contract.transports.get("kafka")
    view = {
        "name": channel.name,
        "module": module,
        "type": type_name,
        "versions": versions,
        "latest": latest,
        "summary": contract.summary,
        "redis_channel": _text(redis, "channel"),
        "kafka_topic": _text(kafka, "topic"),
        "kafka_key": _text(kafka, "key"),
        "key_kind": contract.key.kind,
        "key_encoding": contract.key.encoding if contract.key.kind == "schema" else None,
        "encoding": contract.encoding,
    }
    head = comment(
        [
            f"{channel.name}: {contract.summary}".strip(),
            *describe({"description": contract.description}),
        ],
        "",
    )
    alias = comment([f"{channel.name}: its latest version, {contract.version}."], "")
    types = (
        "// Generated by `opa-contracts generate typescript`; do not edit.\n"
        + head
        + "\n".join(declarations)
        + f"\n{alias}export type {type_name} = {latest['type']};\n"
    )
    files: list[tuple[str, bytes]] = [(f"src/types/{module}.ts", types.encode())]
    files += [(str(v["schema_file"]), _json(v["schema"])) for v in versions]
    return view, files, jobs


def _unsupported(schema: Any) -> Iterator[str]:
    """What Ajv would silently get wrong: it ignores a ``properties`` entry named ``__proto__``."""
    if isinstance(schema, Mapping):
        properties = schema.get("properties")
        if isinstance(properties, Mapping):
            sub = properties.get("__proto__")
            if "__proto__" in properties and sub is not True and sub != {}:
                yield (
                    "a property named __proto__ with a schema: Ajv, the validator compiler, "
                    "ignores it (allowed only as true or {})"
                )
        for value in schema.values():
            yield from _unsupported(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _unsupported(value)


def _text(binding: Any, key: str) -> str | None:
    value = binding.get(key) if isinstance(binding, Mapping) else None
    return value if isinstance(value, str) else None


def inexact(value: Any) -> bool:
    """Whether ``value`` holds a number the package's reader refuses (``src/json.ts``): an
    integer beyond ±(2^53 - 1), negative zero, or a number that is not finite."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) > SAFE_INTEGER
    if isinstance(value, float):
        if not math.isfinite(value) or (value == 0 and math.copysign(1, value) < 0):
            return True
        return value.is_integer() and abs(value) > SAFE_INTEGER
    if isinstance(value, Mapping):
        return any(inexact(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(inexact(v) for v in value)
    return False


def packed_inexact(value: Any) -> bool:
    """Whether ``value`` holds a number the package's msgpack reader refuses: an integer beyond
    ±(2^53 - 1), negative zero, or a number that is not finite (a float with an integral value
    beyond 2^53 is a msgpack float64, which a JavaScript number carries exactly)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) > SAFE_INTEGER
    if isinstance(value, float):
        return not math.isfinite(value) or (value == 0 and math.copysign(1, value) < 0)
    if isinstance(value, Mapping):
        return any(packed_inexact(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(packed_inexact(v) for v in value)
    return False


def _shown(value: Any) -> str:
    """What ``console.log`` prints for a JSON value (the README's example says it)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _text_of(payload: Any) -> str:
    """A manifest's example as the JSON text the package's tests decode."""
    return json.dumps(payload, ensure_ascii=False, allow_nan=True)


def _render(env: Any, name: str, context: Mapping[str, Any]) -> bytes:
    text: str = env.get_template(f"{TEMPLATE_DIR}/{name}.jinja").render(context)
    return text.encode()


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode()


def ts(value: Any, indent: int | None = None) -> templates.Safe:
    """A TypeScript/JavaScript literal for JSON data (JSON is valid JS; ``\\u2028`` and ``<``
    escaped, so it is safe in any string context)."""
    text = json.dumps(value, ensure_ascii=True, allow_nan=False, indent=indent)
    return templates.Safe(text.replace("<", "\\u003c"))


def tsident(value: Any) -> templates.Safe:
    """A checked TypeScript identifier."""
    return templates.Safe(identifier(str(value)))


def tsdoc(value: Any) -> templates.Safe:
    """One line of text for inside a comment (``*/`` broken up, line breaks folded)."""
    return templates.Safe(" ".join(str(value).split()).replace("*/", "*\\/"))
