"""Validators compiled ahead of time: Ajv standalone code, made by Node at generation time.

``tools/typescript-build`` (its ``package-lock.json`` pins Ajv and ajv-formats; ``make``
installs it with ``npm ci``) holds ``standalone.mjs``, which reads the bundled schemas on stdin
and writes one ES module per schema. The generated package thus compiles no schema when it
starts; it imports the Ajv runtime helpers the code names (``ajv/dist/runtime/*``) and its own
``formats`` module.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opa_contracts.generate.contracts import GenerateError
from opa_contracts.generate.templates import REPOSITORY

#: where the pinned toolchain lives (the repository's tools/typescript-build), unless overridden
TOOLS_ENV = "OPA_CONTRACTS_TS_TOOLS"
TOOLS = REPOSITORY.parent / "tools" / "typescript-build"
INSTALL = "make tools/typescript-build/node_modules/.installed"


@dataclass(frozen=True)
class Job:
    """One schema to compile: a label for messages, the schema, its dialect's name."""

    label: str
    schema: Any
    dialect: str
    formats: str  # the import path of the package's formats module, from the validator's file


def tools() -> Path:
    """The toolchain folder, checked: node on PATH and its packages installed."""
    folder = Path(os.environ.get(TOOLS_ENV) or TOOLS)
    if shutil.which("node") is None:
        raise GenerateError(["the typescript target needs Node.js (node) on PATH"])
    if not (folder / "node_modules" / "ajv").is_dir():
        raise GenerateError(
            [f"the typescript target needs its toolchain in {folder}: run `{INSTALL}`"]
        )
    return folder


def compile_all(jobs: Sequence[Job]) -> list[str]:
    """The standalone module of each job, in order; every schema Ajv refuses is a problem."""
    if not jobs:
        return []
    folder = tools()
    request = [{"schema": j.schema, "dialect": j.dialect, "formats": j.formats} for j in jobs]
    run = subprocess.run(
        ["node", str(folder / "standalone.mjs")],
        input=json.dumps(request, ensure_ascii=False, allow_nan=False).encode(),
        capture_output=True,
        cwd=folder,
        timeout=600,
        check=False,
    )
    if run.returncode != 0:
        tail = run.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        raise GenerateError([f"the validator compiler (Node, Ajv) failed: {tail[0]}"])
    results = json.loads(run.stdout)
    problems = [
        f"{job.label}: Ajv cannot compile the schema: {result['error']}"
        for job, result in zip(jobs, results, strict=True)
        if "error" in result
    ]
    if problems:
        raise GenerateError(problems)
    return [str(result["code"]) for result in results]
