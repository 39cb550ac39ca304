"""Proof that a generated model module can do nothing at import but define models.

Contract text reaches generated code as string literals, which cannot run; this check makes that
a property of the output rather than a hope about the code generator. It re-parses the final
module and accepts only: imports of allowed modules, literal constants, class definitions whose
bodies are annotated fields with literal defaults, ``Field(...)`` calls with literal arguments
(in annotations too: pydantic evaluates them), and ``<Model>.model_rebuild()``. Anything else —
another call, an attribute access, a lambda, a decorator, a metaclass — fails generation. In a
type, a string is allowed only inside ``Literal[...]`` or ``Field(...)``: anywhere else it would
be a forward reference, which typing evaluates as code.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

SAFE_FACTORIES = frozenset({"list", "dict"})


class UnsafeCode(ValueError):
    """Generated code that does more than define models."""


def check(source: str, allowed_modules: Iterable[str], label: str) -> None:
    """Raise :class:`UnsafeCode` unless ``source`` only imports and defines models."""
    module = ast.parse(source)
    allowed = frozenset(allowed_modules)
    fields: set[str] = set()
    literals: set[str] = set()
    classes = {s.name for s in module.body if isinstance(s, ast.ClassDef)}
    for statement in module.body:
        if isinstance(statement, ast.ImportFrom):
            if statement.level or statement.module not in allowed:
                _fail(label, statement, f"import from {statement.module!r}")
            if statement.module == "pydantic":
                fields |= {a.asname or a.name for a in statement.names if a.name == "Field"}
            if statement.module == "typing":
                literals |= {a.asname or a.name for a in statement.names if a.name == "Literal"}
    checker = _Checker(label, fields, literals, classes)
    for statement in module.body:
        checker.statement(statement, top=True)


def _fail(label: str, node: ast.AST, what: str) -> None:
    line = getattr(node, "lineno", 0)
    raise UnsafeCode(f"{label}: line {line}: {what} is not allowed in generated models")


class _Checker:
    def __init__(self, label: str, fields: set[str], literals: set[str], classes: set[str]) -> None:
        self.label, self.fields, self.literals, self.classes = label, fields, literals, classes

    def statement(self, node: ast.stmt, top: bool) -> None:
        if isinstance(node, ast.ImportFrom) and top:
            return
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            return  # a docstring
        if isinstance(node, ast.Pass):
            return
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            self.expression(node.annotation, strings=False)
            if node.value is not None:
                self.expression(node.value, strings=True)
            return
        if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
            self.expression(node.value, strings=True)
            return
        if isinstance(node, ast.ClassDef) and top:
            if node.decorator_list or node.keywords:
                _fail(self.label, node, "a class decorator or keyword")
            for base in node.bases:
                self.expression(base, strings=False)
            for inner in node.body:
                self.statement(inner, top=False)
            return
        if top and self._is_rebuild(node):
            return
        _fail(self.label, node, type(node).__name__)

    def _is_rebuild(self, node: ast.stmt) -> bool:
        if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
            return False
        call = node.value
        func = call.func
        return (
            isinstance(func, ast.Attribute)
            and func.attr == "model_rebuild"
            and isinstance(func.value, ast.Name)
            and func.value.id in self.classes
            and not call.args
            and not call.keywords
        )

    def expression(self, node: ast.expr, strings: bool) -> None:
        """Check an expression; ``strings`` is False where a string would be a forward ref."""
        if isinstance(node, ast.Name):
            return
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str | bytes) and not strings:
                _fail(self.label, node, "a string where a type is expected (a forward reference)")
            return
        if isinstance(node, ast.Subscript):
            self.expression(node.value, strings=False)
            literal = isinstance(node.value, ast.Name) and node.value.id in self.literals
            self.expression(node.slice, strings=strings or literal)
        elif isinstance(node, ast.Tuple | ast.List | ast.Set):
            for item in node.elts:
                self.expression(item, strings)
        elif isinstance(node, ast.Dict):
            for key in node.keys:
                if key is not None:  # None: a ** unpacking, whose value is checked below
                    self.expression(key, strings)
            for value in node.values:
                self.expression(value, strings)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            self.expression(node.left, strings)
            self.expression(node.right, strings)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            self.expression(node.operand, strings)
        elif isinstance(node, ast.Call) and self._is_field(node):
            for keyword in node.keywords:
                self.expression(keyword.value, strings=True)
        else:
            _fail(self.label, node, type(node).__name__)

    def _is_field(self, call: ast.Call) -> bool:
        if not (isinstance(call.func, ast.Name) and call.func.id in self.fields) or call.args:
            return False
        for keyword in call.keywords:
            if keyword.arg is None:
                return False  # **kwargs
            if keyword.arg == "default_factory" and not (
                isinstance(keyword.value, ast.Name) and keyword.value.id in SAFE_FACTORIES
            ):
                return False
        return True
