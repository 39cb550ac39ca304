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
- per-model ``model_config`` goes: one configuration lives in the package's ``ContractModel``.

Code leaves through ``ast.unparse``, which writes every string with ``repr()``.
"""

from __future__ import annotations

import ast
import functools
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opa_contracts.generate import parallel

BATCH = 200  # schemas per generate() call
MISSING_MODULE = "pydantic.experimental.missing_sentinel"


@dataclass(frozen=True)
class ModelJob:
    """One contract version to turn into models."""

    label: str
    class_name: str
    schema: dict[str, Any]
    aliases: dict[str, str]
    base_module: str


@dataclass(frozen=True)
class ModelCode:
    """Generated models: import lines, the class definitions, the names they define."""

    imports: tuple[str, ...]
    body: str
    classes: tuple[str, ...]
    root: str


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
    for statement in body:
        if isinstance(statement, ast.ClassDef):
            statement.body = [s for s in statement.body if not _is_model_config(s)] or [ast.Pass()]
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if isinstance(node, ast.Call) and _named(node.func, field_names):
            node.keywords = _split_alias(node.keywords)
    body = [_EmptyField(field_names).visit(statement) for statement in body]
    used = {
        n.id for n in ast.walk(ast.Module(body=body, type_ignores=[])) if isinstance(n, ast.Name)
    }
    lines = set()
    for statement in imports:
        kept = [a for a in statement.names if (a.asname or a.name) in used]
        for alias in kept:
            line = ast.ImportFrom(module=statement.module, names=[alias], level=0)
            lines.add(ast.unparse(line))
    classes = tuple(s.name for s in body if isinstance(s, ast.ClassDef))
    if job.class_name not in classes:
        raise ValueError(f"no root model {job.class_name!r} among {', '.join(classes)}")
    code = ast.unparse(ast.Module(body=body, type_ignores=[]))
    return ModelCode(tuple(sorted(lines)), code, classes, job.class_name)


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
