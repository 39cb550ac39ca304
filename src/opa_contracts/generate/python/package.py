"""The ``python`` target: a complete, pip-installable client package for every channel.

Layout (``<module>`` is ``opa_events`` by default)::

    pyproject.toml  README.md
    src/<module>/__init__.py        decode(), encode(), schema(), ContractError, CHANNELS
    src/<module>/_base.py           ContractModel: the one pydantic configuration
    src/<module>/_codec.py          the JSON Schema gate, then the model
    src/<module>/channels.py        channel metadata as typed constants
    src/<module>/errors.py          ContractError
    src/<module>/_shared.py         the classes of shared schemas (``_schemas/``), when used
    src/<module>/tracing.py         ReadRecorder: which fields a consumer reads (opt in, for tests)
    src/<module>/schemas/<channel>/<version>.json
    src/<module>/<channel>/__init__.py   the latest version's models (the default import)
    src/<module>/<channel>/v1.py         the latest 1.x version's models
    src/<module>/<channel>/v1_0_0.py     the models of exactly 1.0.0
    src/<module>/runtime/*.py       Redis Pub/Sub and Kafka transports, metrics, health heartbeat
                                    (behind the ``redis`` and ``kafka`` extras; never imported
                                    by ``import <module>``)
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opa_contracts import reads
from opa_contracts.generate import templates
from opa_contracts.generate.contracts import Channel, ContractVersion, GenerateError, Sources
from opa_contracts.generate.docs.views import paragraphs
from opa_contracts.generate.python import naming, safety, shape
from opa_contracts.generate.python import shared as sharing
from opa_contracts.generate.python.formatting import format_sources
from opa_contracts.generate.python.models import ModelCode, ModelJob, generate_models
from opa_contracts.generate.python.versioning import package_version
from opa_contracts.generate.targets import Target

TEMPLATE_DIR = "python"
ALLOWED_IMPORTS = ("__future__", "typing", "pydantic", "datetime", "builtins")
MODULE_NAMES = frozenset({"CHANNEL", "VERSION", "MODEL", "__all__"})
# the runtime subpackage (Redis, Kafka, metrics, health): template-only code, the same for every
# registry (no contract text reaches it), imported only when a service asks for it
RUNTIME_MODULES = (
    "__init__",
    "common",
    "metrics",
    "dead_letters",
    "redis_pub",
    "redis_sub",
    "health",
    "kafka",
    "dual",
)


@dataclass(frozen=True)
class Settings:
    """A python target's settings, checked."""

    package: str
    module: str
    version: object
    description: str
    jobs: int
    templates: Path | None
    example_channel: str | None


@dataclass(frozen=True)
class VersionView:
    """What templates need about one contract version."""

    contract: ContractVersion
    module: str
    qualified: str
    schema_file: str
    code: ModelCode
    exports: tuple[str, ...]

    @property
    def reads(self) -> tuple[tuple[str, tuple[str, ...] | None], ...]:
        """Each subscriber with its declared reads (``None``: declares none, reads everything)."""
        return tuple(
            (s.name, tuple(r.path for r in s.reads) if s.reads is not None else None)
            for s in reads.subscribers(self.contract.manifest)
        )

    def transport(self, name: str, key: str, kind: str) -> Any:
        """``transports.<name>.<key>`` when it is of type ``kind`` (str or int), else None."""
        binding = self.contract.transports.get(name)
        value = binding.get(key) if isinstance(binding, Mapping) else None
        expected = {"str": str, "int": int}[kind]
        return value if isinstance(value, expected) and not isinstance(value, bool) else None

    @property
    def key_schema_json(self) -> str | None:
        """The Kafka key's own schema as compact JSON text (None: no key schema)."""
        key = self.contract.key
        if key.kind != "schema":
            return None
        return json.dumps(key.schema, ensure_ascii=False, separators=(",", ":"), sort_keys=True)

    @property
    def key_encoding(self) -> str | None:
        """How the Kafka key travels when it has a schema: ``string`` or ``json``."""
        return self.contract.key.encoding if self.contract.key.kind == "schema" else None


@dataclass(frozen=True)
class ChannelView:
    """What templates need about one channel."""

    channel: Channel
    module: str
    constant: str
    versions: tuple[VersionView, ...]
    latest: VersionView
    majors: tuple[tuple[str, VersionView], ...]

    @property
    def compatibility(self) -> str:
        """The latest version's compatibility mode (empty when not declared)."""
        value = self.latest.contract.manifest.get("compatibility")
        return value if isinstance(value, str) else ""


def settings_of(target: Target) -> Settings:
    """The target's settings, or a :class:`GenerateError` naming each bad one."""
    options = target.options
    package = target.settings.get("package", "opa-events")
    module = target.settings.get("module", "opa_events")
    problems = []
    if not isinstance(package, str) or not isinstance(module, str):
        raise GenerateError(["'package' and 'module' must be strings"])
    problems += naming.check_package(package, module)
    jobs = options.get("jobs", 0)
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 0:
        problems.append("options.jobs must be a whole number (0: one per CPU)")
    description = options.get("description", "Typed messages of the OPA event channels.")
    if not isinstance(description, str):
        problems.append("options.description must be a string")
    folder = options.get("templates")
    if folder is not None and not isinstance(folder, str):
        problems.append("options.templates must be a folder path")
    example = options.get("example_channel")
    if example is not None and not isinstance(example, str):
        problems.append("options.example_channel must be a channel name")
    if problems:
        raise GenerateError(problems)
    override = target.path(folder) if isinstance(folder, str) else None
    return Settings(
        package=package,
        module=module,
        version=options.get("version", "auto"),
        description=str(description),
        jobs=int(jobs),
        templates=override,
        example_channel=example if isinstance(example, str) else None,
    )


#: channels whose models are made, formatted and handed over together
CHANNEL_BATCH = 256


def generate(sources: Sources, target: Target) -> Iterator[tuple[str, bytes]]:
    """Every file of the client package for ``sources``, made a batch of channels at a time: their
    models, modules and schema files are handed over and let go, and only what the package-wide
    files (``__init__.py``, ``channels.py``, the README) need of them is kept."""
    config = settings_of(target)
    try:
        version = package_version(sources, config.version)
    except ValueError as exc:
        raise GenerateError([str(exc)]) from None
    env = templates.environment(config.templates)
    env.filters["models"] = _models
    context: dict[str, Any] = {
        "package": config.package,
        "module": config.module,
        "version": version,
        "wheel": f"{re.sub(r'[-_.]+', '_', config.package).lower()}-{version}-py3-none-any.whl",
        "description": config.description,
        "digest": sources.digest,
        "msgpack": any(v.encoding == "msgpack" for c in sources.channels for v in c.versions),
        # what the registry declares: the README speaks of these transports and of no other
        "story": paragraphs(sources.settings.description),
        "redis": _declares(sources, "redis"),
        "kafka": _declares(sources, "kafka"),
        "migration": sources.settings.kafka_migration != "none",
        "runtime_channel": _first_on(sources, "redis", config.example_channel),
        "runtime_pattern": _pattern(sources, _first_on(sources, "redis", config.example_channel)),
        # the runtime's HealthReporter publishes system.health: shown when the registry has it
        "health": any(
            c.name == "system.health" and any("redis" in v.transports for v in c.versions)
            for c in sources.channels
        ),
        "environments": sources.settings.environments,
    }
    src = f"src/{config.module}"
    names = naming.assign(sources.channels)
    common = _shared_module(env, context, src, sources, config)
    if common is not None:
        yield common.file
    channels: list[ChannelView] = []
    failed: list[str] = []  # models that could not be made: nothing else is checked then
    unsafe: list[str] = []
    examples: dict[bool, dict[str, Any]] = {}  # preferred channel or not -> the README's example
    for start in range(0, len(sources.channels), CHANNEL_BATCH):
        batch = sources.channels[start : start + CHANNEL_BATCH]
        views, schemas, problems = _views(batch, names, config, common)
        failed += problems
        if failed:
            continue
        python: dict[str, str] = {}
        for view in views:
            python.update(_modules(env, context, src, view))
            preferred = view.channel.name == config.example_channel
            if preferred not in examples:
                found = _readme_example(view)
                if found is not None:
                    examples[preferred] = found
            channels.append(_light(view))
        formatted = format_sources(python, config.module)
        allowed = (
            *ALLOWED_IMPORTS,
            f"{config.module}._base",
            f"{config.module}.{sharing.MODULE}",
            config.module,
        )
        for view in views:
            for v in view.versions:
                name = f"{src}/{view.module}/{v.module}.py"
                try:
                    safety.check(formatted[name], allowed, name)
                except (safety.UnsafeCode, SyntaxError) as exc:
                    unsafe.append(str(exc))
        if not unsafe:
            yield from ((name, text.encode()) for name, text in formatted.items())
            yield from ((f"{src}/{name}", data) for name, data in schemas.items())
    if failed or unsafe:
        raise GenerateError(failed or unsafe)
    context["channels"] = channels
    context["example"] = examples.get(True) or examples.get(False)
    # README.md goes through the formatter too: ruff formats the Python blocks of Markdown
    python = {"README.md": env.get_template(f"{TEMPLATE_DIR}/README.md.jinja").render(context)}
    for name in (
        "__init__.py",
        "_base.py",
        "_codec.py",
        "channels.py",
        "errors.py",
        "environments.py",
        "tracing.py",
    ):
        python[f"{src}/{name}"] = env.get_template(f"{TEMPLATE_DIR}/{name}.jinja").render(context)
    for name in RUNTIME_MODULES:
        template = env.get_template(f"{TEMPLATE_DIR}/runtime/{name}.py.jinja")
        python[f"{src}/runtime/{name}.py"] = template.render(context)
    formatted = format_sources(python, config.module)
    yield from ((name, text.encode()) for name, text in formatted.items())
    yield f"{src}/py.typed", b""
    yield (
        "pyproject.toml",
        env.get_template(f"{TEMPLATE_DIR}/pyproject.toml.jinja").render(context).encode(),
    )


def _declares(sources: Sources, transport: str) -> bool:
    """Whether some version of some channel declares ``transports.<transport>``."""
    return any(transport in v.transports for c in sources.channels for v in c.versions)


def _first_on(sources: Sources, transport: str, preferred: str | None) -> str:
    """The channel the runtime examples subscribe to: ``preferred`` if it declares
    ``transport``, else the first that does."""
    found = [c.name for c in sources.channels if any(transport in v.transports for v in c.versions)]
    return preferred if preferred in found else next(iter(found), "")


def _pattern(sources: Sources, shown: str) -> str:
    """A Redis pattern for the runtime example: the first segment of another channel on Redis
    (``capacity.*``), or ``""`` when no other channel declares Redis."""
    others = [
        c.name
        for c in sources.channels
        if c.name != shown and any("redis" in v.transports for v in c.versions)
    ]
    return f"{others[0].split('.')[0]}.*" if others else ""


@dataclass(frozen=True)
class SharedModule:
    """The module of shared classes: its file, and what channel modules need to import them."""

    file: tuple[str, bytes]
    plan: sharing.SharedPlan
    classes: Mapping[str, str]  # marked name -> class name


def _shared_module(
    env: Any, context: dict[str, Any], src: str, sources: Sources, config: Settings
) -> SharedModule | None:
    """``<module>/_shared.py`` when channels use classes of ``_schemas/`` files, else None."""
    plan = sharing.plan(sources, f"{config.module}._base")
    if plan is None:
        return None
    [code] = generate_models([plan.job], 1)
    if isinstance(code, str):
        raise GenerateError([code])
    name = f"{src}/{sharing.MODULE}.py"
    template = env.get_template(f"{TEMPLATE_DIR}/shared.py.jinja")
    text = template.render(context, code=code, names=sorted(code.classes))
    formatted = format_sources({name: text}, config.module)[name]
    try:
        safety.check(formatted, (*ALLOWED_IMPORTS, f"{config.module}._base"), name)
    except (safety.UnsafeCode, SyntaxError) as exc:
        raise GenerateError([str(exc)]) from None
    return SharedModule((name, formatted.encode()), plan, dict(code.shared))


def _modules(env: Any, context: dict[str, Any], src: str, view: ChannelView) -> dict[str, str]:
    """One channel's modules: the default import, one per major version, one per version."""
    folder = f"{src}/{view.module}"
    latest = view.latest.contract
    doc = (
        f"{view.channel.name}: {latest.summary} — the models of its latest version, "
        f"{latest.version} (the default import)."
    )
    python = {f"{folder}/__init__.py": _render(env, "alias", context, view.latest, doc)}
    for major, alias in view.majors:
        doc = (
            f"{view.channel.name} {major}: the models of {alias.contract.version}, the latest "
            f"{alias.contract.semver.major}.x version."
        )
        python[f"{folder}/{major}.py"] = _render(env, "alias", context, alias, doc)
    for v in view.versions:
        python[f"{folder}/{v.module}.py"] = _render(env, "version", context, v, "")
    return python


def _light(view: ChannelView) -> ChannelView:
    """``view`` without its model code (the package-wide files read names only)."""
    light = {
        id(v): dataclasses.replace(v, code=ModelCode((), "", v.code.classes, v.code.root))
        for v in view.versions
    }
    return dataclasses.replace(
        view,
        versions=tuple(light[id(v)] for v in view.versions),
        latest=light[id(view.latest)],
        majors=tuple((major, light[id(v)]) for major, v in view.majors),
    )


def _render(env: Any, name: str, context: dict[str, Any], version: VersionView, doc: str) -> str:
    template = env.get_template(f"{TEMPLATE_DIR}/{name}.py.jinja")
    text: str = template.render(context, v=version, doc=doc)
    return text


def _models(code: ModelCode) -> templates.Safe:
    """Generated model code for a template (it is re-parsed and safety-checked afterwards)."""
    if not isinstance(code, ModelCode):
        raise TypeError("|models takes generated model code only")
    return templates.Safe("\n".join(code.imports) + "\n\n\n" + code.body)


def _views(
    channels: Sequence[Channel],
    names: Mapping[str, naming.ChannelNames],
    config: Settings,
    common: SharedModule | None = None,
) -> tuple[list[ChannelView], dict[str, bytes], list[str]]:
    """The views of ``channels`` with their models, their schema files (path under the
    package -> bytes), and the models that could not be made. With ``common``, the shared
    classes are imported, not made again."""
    jobs = []
    schemas: dict[str, bytes] = {}
    for c in channels:
        for v in c.versions:  # each channel's schemas are read once, for its models and files
            schema = v.schema
            binary = v.encoding == "msgpack"
            shaped = shape.shape(schema, v.dialect.name, binary=binary)
            also: tuple[str, ...] = ()
            if common is not None:
                keyword = v.dialect.defs_keyword
                shaped, also = sharing.stub(
                    shaped, v.origins, keyword, common.plan, common.classes, binary
                )
            jobs.append(
                ModelJob(
                    label=f"{c.name} {v.version}",
                    class_name=names[c.name].model,
                    schema=shaped,
                    aliases=shape.odd_names(schema),
                    base_module=f"{config.module}._base",
                    shared_module=f"{config.module}.{sharing.MODULE}",
                    shared_mark=common.plan.mark if common is not None else "",
                    shared_also=also,
                )
            )
            schemas[_schema_file(names[c.name].module, v.version)] = _json(schema)
    results = iter(generate_models(jobs, config.jobs))
    problems: list[str] = []
    views: list[ChannelView] = []
    for channel in channels:
        chosen = names[channel.name]
        versions = []
        for contract in channel.versions:
            code = next(results)
            if isinstance(code, str):
                problems.append(code)
                continue
            clash = MODULE_NAMES.intersection(code.classes)
            if clash:
                problems.append(f"{channel.name} {contract.version}: a model is named {clash}")
            module = naming.version_module(contract.version)
            versions.append(
                VersionView(
                    contract=contract,
                    module=module,
                    qualified=f"{config.module}.{chosen.module}.{module}",
                    schema_file=_schema_file(chosen.module, contract.version),
                    code=code,
                    exports=tuple(sorted({*code.classes, "CHANNEL", "VERSION", "MODEL"})),
                )
            )
        if problems:
            continue
        by_version = {v.contract.version: v for v in versions}
        views.append(
            ChannelView(
                channel=channel,
                module=chosen.module,
                constant=chosen.module.upper(),
                versions=tuple(versions),
                latest=by_version[channel.latest.version],
                majors=_majors(channel, by_version),
            )
        )
    return views, schemas, problems


def _schema_file(module: str, version: str) -> str:
    return f"schemas/{module}/{version}.json"


def _majors(
    channel: Channel, by_version: dict[str, VersionView]
) -> tuple[tuple[str, VersionView], ...]:
    """``v<N>`` -> the highest released N.x version (the highest draft if none is released)."""
    chosen: dict[int, ContractVersion] = {}
    for contract in channel.versions:  # oldest first: later ones win
        current = chosen.get(contract.semver.major)
        released = contract.status != "draft"
        if current is None or released or current.status == "draft":
            chosen[contract.semver.major] = contract
    return tuple(
        (naming.major_module(c.semver), by_version[c.version])
        for _major, c in sorted(chosen.items())
    )


def _readme_example(view: ChannelView) -> dict[str, Any] | None:
    """The README's example from ``view`` (its model code still there), if its latest version's
    first example is an object with fields spelled as in the JSON; the README takes the
    preferred channel's, else the first channel's that has one."""
    contract = view.latest.contract
    payload = contract.examples[0].payload if contract.examples else None
    if not isinstance(payload, dict):
        return None
    names = _field_names(view.latest.code)
    fields = [key for key in payload if key in names][:2]
    if not fields:
        return None
    light = _light(view)
    return {"channel": light, "payload": payload, "version": light.latest, "fields": fields}


def _field_names(code: ModelCode) -> set[str]:
    """Names of the root model's fields that are spelled as in the JSON."""
    for node in ast.parse(code.body).body:
        if isinstance(node, ast.ClassDef) and node.name == code.root:
            return {
                s.target.id
                for s in node.body
                if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
            }
    return set()


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode()
