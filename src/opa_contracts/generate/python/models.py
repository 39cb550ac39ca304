"""Pydantic models from shaped schemas: datamodel-code-generator in-process, then an AST rewrite.

datamodel-code-generator runs in this process (in worker processes for big registries; never a
process per schema), on batches: a folder of schemas is one ``generate()`` call with one module
out per schema, which costs a quarter less than a call per schema and gives the same code. A batch
that fails is retried schema by schema, so the problem names its contract. The rewrite, on the
syntax tree rather than on text:

- ``Field(alias=...)`` becomes ``validation_alias`` + ``serialization_alias``, so type checkers see
  the Python name in ``__init__`` while JSON keeps the contract's name;
- the experimental ``MISSING`` import moves to ``pydantic`` (stable there since 2.14);
- ``from __future__`` and unused imports go (the template writes the module head);
- per-model ``model_config`` goes: one configuration lives in the package's ``ContractModel``;
- ``AwareDatetime`` comes from the package's base module (a datetime that keeps its JSON text,
  so ``encode`` writes back the precision and offset it read);
- ``float`` becomes ``int | float``: a JSON integer in a ``number`` field stays an exact ``int``
  (``1`` is not written back as ``1.0``, ``2**53 + 1`` is not rounded);
- ``bytes`` (binary data of a msgpack channel, see ``shape.py``) becomes the base module's
  ``Binary``: bytes in Python, base64 text in JSON;
- a class whose docstring starts with the job's ``shared_mark`` is a shared schema's
  (``shared.py``): in the shared module the mark goes and the class stays; in a channel's module
  the class (an empty stub) goes and the shared class is imported under its name.

Code leaves through ``ast.unparse``, which writes every string with ``repr()``.
"""

from __future__ import annotations

import ast
import functools
import inspect
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opa_contracts.generate import parallel

BATCH = 200  # schemas per generate() call
MISSING_MODULE = "pydantic.experimental.missing_sentinel"
BASE_TYPES = frozenset({"AwareDatetime"})  # pydantic names the package's base module replaces


@dataclass(frozen=True)
class ModelJob:
    """One contract version to turn into models."""

    label: str
    class_name: str
    schema: dict[str, Any]
    aliases: dict[str, str]
    base_module: str
    shared_module: str = ""
    """Where the shared classes a channel's stubs stand for are imported from."""
    defines_shared: bool = False
    """The shared module's job: its root (``class_name``) is dropped, marked classes stay."""
    shared_mark: str = ""
    """Starts the description of a shared schema's definition (made afresh for each run, so no
    contract's text can pass for one); empty: no class is a shared one."""
    shared_also: tuple[str, ...] = ()
    """Shared classes the stubs' classes use: imported too (for export) where the name is free."""


@dataclass(frozen=True)
class ModelCode:
    """Generated models: import lines, the class definitions, the names they define (shared
    classes imported included)."""

    imports: tuple[str, ...]
    body: str
    classes: tuple[str, ...]
    root: str
    shared: tuple[tuple[str, str], ...] = ()
    """In the shared module: (marked name, class name) of each shared class."""


def generate_models(jobs: Sequence[ModelJob], workers: int = 0) -> list[ModelCode | str]:
    """Models for every job, in order; a ``str`` in place of a job that failed says why."""
    workers = workers or parallel.default_workers()
    size = max(1, min(BATCH, -(-len(jobs) // (workers * 2))))
    batches = [list(jobs[i : i + size]) for i in range(0, len(jobs), size)]
    done = parallel.map_items(_batch, None, batches, workers, threshold=2)
    return [result for batch in done for result in batch]


def _batch(state: None, jobs: list[ModelJob]) -> list[ModelCode | str]:
    del state  # nothing shared: each job carries its schema
    try:
        sources = _datamodel(jobs)
    except Exception:  # one bad schema fails the batch: retry each to name the culprit
        if len(jobs) == 1:
            return [_failure(jobs[0])]
        return [r for job in jobs for r in _batch(None, [job])]
    results: list[ModelCode | str] = []
    for job, source in zip(jobs, sources, strict=True):
        try:
            results.append(_rewrite(source, job))
        except (SyntaxError, ValueError) as exc:
            results.append(f"{job.label}: generated models unusable: {exc}")
    return results


def _failure(job: ModelJob) -> str:
    try:
        _datamodel([job])
    except Exception as exc:  # any failure of the code generator becomes a listed problem
        return f"{job.label}: model generation failed: {type(exc).__name__}: {exc}"
    return f"{job.label}: model generation failed"  # pragma: no cover - it failed a moment ago


@functools.cache
def _config(base_module: str) -> Any:
    from datamodel_code_generator import GenerateConfig
    from datamodel_code_generator.enums import DataModelType, InputFileType
    from datamodel_code_generator.format import DatetimeClassType, PythonVersion
    from datamodel_code_generator.parser import LiteralType

    return GenerateConfig(
        input_file_type=InputFileType.JsonSchema,
        output_model_type=DataModelType.PydanticV2BaseModel,
        target_python_version=PythonVersion.PY_311,
        base_class=f"{base_module}.ContractModel",
        enum_field_as_literal=LiteralType.All,
        use_annotated=True,
        field_constraints=True,
        use_missing_sentinel=True,
        strict_nullable=True,
        collapse_root_models=True,
        use_schema_description=True,
        use_single_line_docstring=True,
        output_datetime_class=DatetimeClassType.Awaredatetime,
        disable_timestamp=True,
        formatters=[],  # the package is formatted once, as a whole, afterwards
    )


def _datamodel(jobs: list[ModelJob]) -> list[str]:
    """One ``generate()`` over a folder of schemas; each root class is named by its ``title``."""
    from datamodel_code_generator import generate

    aliases = {name: python for job in jobs for name, python in job.aliases.items()}
    config = _config(jobs[0].base_module).model_copy(update={"aliases": aliases or None})
    with tempfile.TemporaryDirectory(prefix="opa-models-") as temp:
        given, made = Path(temp, "in"), Path(temp, "out")
        given.mkdir()
        for i, job in enumerate(jobs):
            schema = {**job.schema, "title": job.class_name}
            (given / f"m{i:05d}.json").write_text(json.dumps(schema), encoding="utf-8")
        generate(given, config=config.model_copy(update={"output": made}))
        return [(made / f"m{i:05d}.py").read_text(encoding="utf-8") for i in range(len(jobs))]


def _rewrite(source: str, job: ModelJob) -> ModelCode:
    module = ast.parse(source)
    imports: list[ast.ImportFrom] = []
    body: list[ast.stmt] = []
    field_names: set[str] = set()
    for statement in module.body:
        if isinstance(statement, ast.ImportFrom):
            if statement.module == "__future__":
                continue
            if statement.module == MISSING_MODULE:
                statement.module = "pydantic"
            if statement.module == "pydantic":
                field_names |= {a.asname or a.name for a in statement.names if a.name == "Field"}
            imports.append(statement)
        else:
            body.append(statement)
    body, shared = _shared(body, imports, job)
    for statement in body:
        if isinstance(statement, ast.ClassDef):
            statement.body = [s for s in statement.body if not _is_model_config(s)] or [ast.Pass()]
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if isinstance(node, ast.Call) and _named(node.func, field_names):
            node.keywords = _split_alias(node.keywords)
    body = [_EmptyField(field_names).visit(statement) for statement in body]
    builtin = {a.name: a.asname or a.name for s in _from(imports, "builtins") for a in s.names}
    integer = builtin.get("int") or _fresh("int", _bound(body, imports))
    if integer != "int" and "int" not in builtin:
        imports.append(ast.ImportFrom("builtins", [ast.alias("int", integer)], 0))
    floats = {"float", builtin.get("float", "float")}
    body = [_Numbers(floats, integer).visit(statement) for statement in body]
    binary = _binary(body, imports, job.base_module)
    used = {
        n.id for n in ast.walk(ast.Module(body=body, type_ignores=[])) if isinstance(n, ast.Name)
    }
    lines = set()
    for statement in imports:
        kept = [a for a in statement.names if (a.asname or a.name) in used]
        for alias in kept:
            module_name = statement.module
            if module_name == "pydantic" and alias.name in BASE_TYPES:
                module_name = job.base_module
            line = ast.ImportFrom(module=module_name, names=[alias], level=0)
            lines.add(ast.unparse(line))
    if binary is not None:
        lines.add(binary)
    classes = tuple(s.name for s in body if isinstance(s, ast.ClassDef))
    if not job.defines_shared and job.class_name not in classes:
        raise ValueError(f"no root model {job.class_name!r} among {', '.join(classes)}")
    imported = tuple(
        a.asname or a.name
        for s in imports
        if s.module == job.shared_module
        for a in s.names
        if (a.asname or a.name) in used
    )
    bound = _bound(body, imports)
    also = tuple(n for n in job.shared_also if n not in bound and n not in imported)
    lines |= {ast.unparse(ast.ImportFrom(job.shared_module, [ast.alias(n)], 0)) for n in also}
    imported += also
    code = ast.unparse(ast.Module(body=body, type_ignores=[]))
    return ModelCode(tuple(sorted(lines)), code, classes + imported, job.class_name, shared)


def _shared(
    body: list[ast.stmt], imports: list[ast.ImportFrom], job: ModelJob
) -> tuple[list[ast.stmt], tuple[tuple[str, str], ...]]:
    """``body`` with the shared classes' marks handled (see the module's note): in the shared
    module, the marks go (and the root); in a channel's, stubs become imports (added to
    ``imports``). Also (marked name, class name) of each shared class defined."""
    kept: list[ast.stmt] = []
    defined: list[tuple[str, str]] = []
    for statement in body:
        mark = _mark(statement, job.shared_mark) if job.shared_mark else None
        if job.defines_shared and isinstance(statement, ast.ClassDef):
            if statement.name == job.class_name:
                continue  # the empty root that holds the definitions
            if mark is not None:
                defined.append((mark, statement.name))
        elif mark is not None and isinstance(statement, ast.ClassDef):
            asname = None if mark == statement.name else statement.name
            imports.append(ast.ImportFrom(job.shared_module, [ast.alias(mark, asname)], 0))
            continue
        kept.append(statement)
    return kept, tuple(defined)


def _mark(statement: ast.stmt, marker: str) -> str | None:
    """The shared name a class's docstring is marked with (the mark removed), else None."""
    if not isinstance(statement, ast.ClassDef) or not statement.body:
        return None
    first = statement.body[0]
    if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)):
        return None
    text = first.value.value
    if not isinstance(text, str) or not inspect.cleandoc(text).startswith(marker):
        return None
    name, _, rest = inspect.cleandoc(text)[len(marker) :].partition("\n")
    if rest.strip():
        first.value.value = rest.strip()
    else:
        statement.body = statement.body[1:] or [ast.Pass()]
    return name.strip()


def _binary(body: list[ast.stmt], imports: list[ast.ImportFrom], base_module: str) -> str | None:
    """Replace ``bytes`` in ``body`` by the base module's ``Binary``; its import line, if used."""
    names = [
        node
        for node in ast.walk(ast.Module(body=body, type_ignores=[]))
        if isinstance(node, ast.Name) and node.id == "bytes" and isinstance(node.ctx, ast.Load)
    ]
    if not names:
        return None
    name = _fresh("Binary", _bound(body, imports))
    for node in names:
        node.id = name
    alias = ast.alias("Binary", None if name == "Binary" else name)
    return ast.unparse(ast.ImportFrom(module=base_module, names=[alias], level=0))


class _EmptyField(ast.NodeTransformer):
    """``Annotated[T, Field()]`` (left when the only keyword was a title) becomes ``T``."""

    def __init__(self, field_names: set[str]) -> None:
        self.field_names = field_names

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        self.generic_visit(node)
        parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else []
        if len(parts) == 2 and isinstance(parts[1], ast.Call):
            call = parts[1]
            empty = _named(call.func, self.field_names) and not call.args and not call.keywords
            if empty and isinstance(node.value, ast.Name) and node.value.id.startswith("Annotated"):
                return parts[0]
        return node


class _Numbers(ast.NodeTransformer):
    """``float`` becomes ``int | float`` (once in each union): JSON integers stay ints."""

    def __init__(self, floats: set[str], integer: str) -> None:
        self.floats, self.integer = floats, integer

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        if not isinstance(node.op, ast.BitOr):
            self.generic_visit(node)
            return node
        members: list[ast.expr] = []
        for member in _union(node):
            if isinstance(member, ast.Name) and member.id in self.floats:
                members += [ast.Name(self.integer, ast.Load()), member]
            else:
                members.append(self.visit(member))
        unique = list({ast.dump(m): m for m in members}.values())
        return functools.reduce(lambda a, b: ast.BinOp(a, ast.BitOr(), b), unique)

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id in self.floats and isinstance(node.ctx, ast.Load):
            return ast.BinOp(ast.Name(self.integer, ast.Load()), ast.BitOr(), node)
        return node


def _from(imports: list[ast.ImportFrom], module: str) -> list[ast.ImportFrom]:
    return [statement for statement in imports if statement.module == module]


def _union(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return [*_union(node.left), *_union(node.right)]
    return [node]


def _bound(body: list[ast.stmt], imports: list[ast.ImportFrom]) -> set[str]:
    """Names a module binds: imports, classes, and fields (pydantic resolves types among them)."""
    names = {a.asname or a.name for s in imports for a in s.names}
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if isinstance(node, ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _fresh(name: str, taken: set[str]) -> str:
    """``name`` if nothing else is called that, else ``name_aliased`` (numbered if need be)."""
    if name not in taken:
        return name
    candidates = (f"{name}_aliased{'' if i == 0 else i}" for i in range(len(taken) + 1))
    return next(c for c in candidates if c not in taken)


def _named(node: ast.expr, names: set[str]) -> bool:
    return isinstance(node, ast.Name) and node.id in names


def _is_model_config(statement: ast.stmt) -> bool:
    targets = (
        statement.targets
        if isinstance(statement, ast.Assign)
        else [statement.target]
        if isinstance(statement, ast.AnnAssign)
        else []
    )
    return any(isinstance(t, ast.Name) and t.id == "model_config" for t in targets)


def _split_alias(keywords: list[ast.keyword]) -> list[ast.keyword]:
    out: list[ast.keyword] = []
    for keyword in keywords:
        if keyword.arg == "title":
            continue  # only the batch's root-naming title gets here (shaping drops the rest)
        if keyword.arg == "alias":
            out.append(ast.keyword("validation_alias", keyword.value))
            out.append(ast.keyword("serialization_alias", keyword.value))
        else:
            out.append(keyword)
    return out
