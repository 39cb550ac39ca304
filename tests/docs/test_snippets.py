"""Every code block of README.md and docs/*.md that a reader would run, run as written.

How blocks are found, what each language means and how a block is marked as not meant to run:
``tests/docs/snippets.py``. The blocks run against a copy of the bundled registry in a throw-away
git repository (branch ``main``, with ``origin/main`` pointing at it, as on a CI runner), the
installed ``opa-contracts``, the generated ``opa_events`` package (``tests/golden/python``) and a
real Redis and Tansu broker on loopback ports (``REDIS_URL`` and ``KAFKA_BOOTSTRAP``, the
variables the docs read).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from opa_contracts import __version__
from tests.conftest import CONTRACTS, ROOT, SCRIPT
from tests.diffing.conftest import git
from tests.docs.snippets import (
    Block,
    SnippetError,
    blocks,
    document_blocks,
    load_yaml,
    replace_placeholders,
    yaml_kind,
)
from tests.generate.helpers import GOLDEN
from tests.servers import KafkaBroker, RedisServer

PAGES = ["README.md", *sorted(f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md"))]
ALL = document_blocks(ROOT, PAGES)
BIN = Path(sys.executable).parent
TIMEOUT = 300

# The docs' `# ... text ...` lines, and what the test does in their place (in the project copy)
PLACEHOLDERS = {
    "write contracts/quotes.realtime/1.1.0.yaml as described above": (
        f"{sys.executable} -m tests.docs.scenarios exchange-required ."
    ),
}
# An accepted-changes.yaml example: the change it accepts (a scenario of tests/docs/scenarios.py)
ACCEPTED = {
    "README.md": "exchange-required",
    "docs/compatibility.md": "ticker-widened",
}


def _ids(found: list[Block]) -> list[str]:
    return [b.id for b in found]


def _env(home: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "NO_COLOR": "1",
        "PYTHONPATH": f"{ROOT}:{GOLDEN / 'src'}",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PYTHONDONTWRITEBYTECODE": "1",  # no __pycache__ in tests/golden
        "GIT_AUTHOR_NAME": "docs",
        "GIT_AUTHOR_EMAIL": "docs@example.invalid",
        "GIT_COMMITTER_NAME": "docs",
        "GIT_COMMITTER_EMAIL": "docs@example.invalid",
        **extra,
    }


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def _cli(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return _run([str(SCRIPT), *args], project, _env(project.parent))


def _shell(block: Block, text: str, cwd: Path, env: dict[str, str]) -> str:
    run = _run(["bash", "-eu", "-o", "pipefail", "-c", text], cwd, env)
    assert run.returncode == 0, (
        f"{block.id} failed (exit {run.returncode}):\n{run.stdout}{run.stderr}"
    )
    return run.stdout


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The bundled registry and generator targets, committed on ``main`` (also ``origin/main``)."""
    root = tmp_path / "project"
    shutil.copytree(CONTRACTS, root / "contracts")
    shutil.copytree(ROOT / "generators", root / "generators")
    git(tmp_path, "init", "-q", "-b", "main", str(root))
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "registry")
    git(root, "update-ref", "refs/remotes/origin/main", "HEAD")
    return root


# --------------------------------------------------------------------------- the extractor


def test_blocks_are_found_with_their_language_line_and_marker() -> None:
    text = (
        "# t\n\n```sh\necho hi\n```\n\n<!-- not-run: a synopsis -->\n\n```sh\nx [Y]\n```\n"
        "````markdown\n```json\n{}\n```\n````\n  ```Python title\n  print(1)\n  ```\n"
    )
    found = blocks(text, "t.md")
    assert [(b.line, b.language, b.not_run) for b in found] == [
        (3, "sh", None),
        (9, "sh", "a synopsis"),
        (12, "markdown", None),
        (17, "python", None),
    ]
    assert found[0].text == "echo hi\n"
    assert found[0].runs
    assert not found[1].runs
    assert found[2].text == "```json\n{}\n```\n"
    assert found[2].kind is None
    assert found[3].text == "print(1)\n"
    assert found[3].kind == "python"


def test_an_empty_reason_or_an_unclosed_fence_is_refused() -> None:
    with pytest.raises(SnippetError, match=r"t\.md:1: .* needs a reason"):
        blocks("<!-- not-run: -->\n```sh\nls\n```\n", "t.md")
    with pytest.raises(SnippetError, match=r"t\.md:2: the fence opened here is never closed"):
        blocks("x\n```sh\nls\n", "t.md")


def test_placeholders_prints_and_untagged_commands_are_recognised() -> None:
    (block,) = blocks("```sh\ncd x\n  # ... do it by hand ...\nls  # ... not one\n```\n", "t.md")
    assert block.placeholders() == ["do it by hand"]
    assert (
        replace_placeholders(block.text, {"do it by hand": "true"})
        == "cd x\ntrue\nls  # ... not one\n"
    )
    with pytest.raises(SnippetError, match="unknown placeholder 'do it by hand'"):
        replace_placeholders(block.text, {})
    (python,) = blocks("```python\nprint(1)  # → 1\n```\n", "t.md")
    assert python.prints() == ["1"]
    untagged = blocks("```\nopa-contracts validate\n```\n```\ncontracts/\n```\n", "t.md")
    assert [b.looks_like_a_command() for b in untagged] == [True, False]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("# yaml-language-server: $schema=x.json\n", "schema-comment"),
        ("# a comment\n", None),
        ("- run: ls\n- uses: actions/checkout@v4\n", "actions-steps"),
        ("- ls\n", None),
        ("apiVersion: opa-contracts/v1\naccepted: []\n", "accepted-changes"),
        ("channel: a.b\nschema: {}\n", "manifest"),
        ("target: docs\n", "generator"),
        ("repos: []\n", "pre-commit"),
        ("lint: {}\n", "manifest-fragment"),
        ("apiVersion: opa-contracts/v1\nname: x\n", "registry"),
        ("name: x\n", None),
        ("3\n", None),
    ],
)
def test_yaml_blocks_are_told_apart_by_content(text: str, kind: str | None) -> None:
    assert yaml_kind(load_yaml(text), text) == kind


# --------------------------------------------------------------------------- the pages


def test_every_block_that_could_run_runs_or_says_why_not() -> None:
    untagged = [b.id for b in ALL if b.looks_like_a_command()]
    assert untagged == [], "tag these blocks (```sh) or mark them <!-- not-run: why -->"
    unknown = [
        b.id
        for b in ALL
        if b.runs and b.kind == "yaml" and not yaml_kind(load_yaml(b.text), b.text)
    ]
    assert unknown == [], "a YAML block of a kind the snippet tests cannot check"
    placeholders = {p for b in ALL if b.runs for p in b.placeholders()}
    assert placeholders == set(PLACEHOLDERS)
    # the tests below cover every block that runs, each exactly once
    covered = SHELL + PYTHON_PAGES_BLOCKS + YAML + INSTALL
    assert sorted(_ids(covered)) == sorted(b.id for b in ALL if b.runs)


SHELL = [b for b in ALL if b.runs and b.kind == "shell" and "pip install" not in b.text]
INSTALL = [b for b in ALL if b.runs and b.kind == "shell" and "pip install" in b.text]
PYTHON_PAGES = sorted({b.path for b in ALL if b.runs and b.kind == "python"})
PYTHON_PAGES_BLOCKS = [b for b in ALL if b.runs and b.kind == "python"]
YAML = [b for b in ALL if b.runs and b.kind == "yaml"]


@pytest.mark.slow
@pytest.mark.parametrize("block", SHELL, ids=_ids(SHELL))
def test_shell_block(block: Block, project: Path, request: pytest.FixtureRequest) -> None:
    # a block that talks to a server (docs/tap.md) gets the page's private Redis and Tansu
    wants_servers = "$REDIS_URL" in block.text or "$KAFKA_BOOTSTRAP" in block.text
    servers = request.getfixturevalue("servers") if wants_servers else {}
    env = _env(project.parent, **servers)
    _shell(block, replace_placeholders(block.text, PLACEHOLDERS), project, env)


DRIVER = r"""
import contextlib, io, json, sys, traceback
namespace = {"__name__": "__main__"}
for block in json.load(open(sys.argv[1], encoding="utf-8")):
    out = io.StringIO()
    code = "\n" * (block["line"]) + block["text"]  # line numbers are the page's
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, block["path"], "exec"), namespace)
    except BaseException:
        print(out.getvalue())
        traceback.print_exc()
        sys.exit(f"SNIPPET FAILED: {block['id']}")
    sys.stdout.write(out.getvalue())
    for want in block["prints"]:
        if want not in out.getvalue():
            sys.exit(f"SNIPPET {block['id']} should print {want!r}; it printed {out.getvalue()!r}")
"""


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A private Redis and Tansu for one page (the quotes topic created), as the docs' variables."""
    redis_server = RedisServer(workdir=tmp_path / "redis").start()
    broker = KafkaBroker(workdir=tmp_path / "tansu").start()
    try:
        broker.create_topic("opa.quotes.realtime", partitions=3)
        yield {
            "REDIS_URL": redis_server.url,
            "KAFKA_BOOTSTRAP": broker.bootstrap,
            "METRICS_PORT": "0",
        }
    finally:
        broker.close()
        redis_server.close()


@pytest.mark.slow
@pytest.mark.parametrize("page", PYTHON_PAGES)
def test_python_blocks_of_a_page_run_in_order(
    page: str, project: Path, servers: dict[str, str]
) -> None:
    page_blocks = [b for b in PYTHON_PAGES_BLOCKS if b.path == page]
    cases = [
        {"id": b.id, "path": b.path, "line": b.line, "text": b.text, "prints": b.prints()}
        for b in page_blocks
    ]
    (project.parent / "blocks.json").write_text(json.dumps(cases), encoding="utf-8")
    (project.parent / "driver.py").write_text(DRIVER, encoding="utf-8")
    env = _env(project.parent, **servers)
    run = _run([sys.executable, str(project.parent / "driver.py"), "../blocks.json"], project, env)
    assert run.returncode == 0, run.stdout + run.stderr


# --------------------------------------------------------------------------- YAML, by kind


# kinds that run several commands (a diff before and after, a generator, CI steps) are slow
SLOW_KINDS = {"accepted-changes", "generator", "actions-steps", "manifest-fragment"}


def _yaml_param(block: Block) -> Any:
    kind = yaml_kind(load_yaml(block.text), block.text)
    marks = [pytest.mark.slow] if kind in SLOW_KINDS else []
    return pytest.param(block, id=block.id, marks=marks)


@pytest.mark.parametrize("block", [_yaml_param(b) for b in YAML])
def test_yaml_block(block: Block, project: Path) -> None:
    data = load_yaml(block.text)
    kind = yaml_kind(data, block.text)
    CHECKS[str(kind)](block, data, project)


def _schema_comment(block: Block, data: Any, project: Path) -> None:
    del data, project
    (path,) = re.findall(r"\$schema=(\S+)", block.text)
    # relative to a manifest (contracts/<channel>/) or to registry.yaml (contracts/)
    base = CONTRACTS / "quotes.realtime" if "manifest" in path else CONTRACTS
    assert (base / path).resolve().is_file(), f"{block.id}: {path} does not exist from {base}"


def _clean(project: Path, *args: str) -> None:
    run = _cli(project, "validate", "contracts", "--fail-on", "warning", *args)
    assert run.returncode == 0, run.stdout + run.stderr


def _manifest(block: Block, data: Any, project: Path) -> None:
    target = project / "contracts" / data["channel"] / f"{data['version']}.yaml"
    if target.is_file():  # a bundled manifest, annotated: it must say what the file says
        assert data == yaml.safe_load(target.read_text(encoding="utf-8")), block.id
    target.parent.mkdir(exist_ok=True)  # a new channel: its folder
    target.write_text(block.text, encoding="utf-8")
    _clean(project)


def _fragment(block: Block, data: Any, project: Path) -> None:
    """A manifest's ``lint`` section: clean in at least one bundled manifest it fits."""
    outcomes = []
    for path in sorted((project / "contracts").glob("*/*.yaml")):
        original = path.read_text(encoding="utf-8")
        whole = yaml.safe_load(original)
        path.write_text(yaml.safe_dump({**whole, **data}, sort_keys=False), encoding="utf-8")
        run = _cli(project, "validate", str(path), "--fail-on", "warning")
        outcomes.append(run.stdout)
        path.write_text(original, encoding="utf-8")
        if run.returncode == 0:
            return
    pytest.fail(f"{block.id} fits no bundled manifest:\n" + "\n".join(outcomes))


def _registry(block: Block, data: Any, project: Path) -> None:
    del data
    (project / "contracts" / "registry.yaml").write_text(block.text, encoding="utf-8")
    _clean(project)


def _generator(block: Block, data: Any, project: Path) -> None:
    del block
    templates = data.get("options", {}).get("templates")
    if templates:  # the docs: "a folder whose docs/* files replace the shipped ones"
        (project / templates / "docs").mkdir(parents=True)
    (project / "generators" / f"{data['target']}.yaml").write_text(
        yaml.safe_dump(data), encoding="utf-8"
    )
    run = _cli(project, "generate", data["target"])
    assert run.returncode == 0, run.stdout + run.stderr
    assert (project / data["out"]).is_dir()


def _pre_commit(block: Block, data: Any, project: Path) -> None:
    (project / ".pre-commit-config.yaml").write_text(block.text, encoding="utf-8")
    run = _run([str(BIN / "pre-commit"), "validate-config"], project, _env(project.parent))
    assert run.returncode == 0, run.stdout + run.stderr
    hooks = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    for repo in data["repos"]:
        # the tag `make release VERSION=<this version>` creates
        assert repo["rev"] == f"v{__version__}", f"{block.id}: pin v{__version__}"
        assert {h["id"] for h in repo["hooks"]} <= hooks


PIN = re.compile(r"git\+https://github\.com/opa-platform/opa-contracts@(?P<rev>\S+?)[\"']")


def _actions(block: Block, data: Any, project: Path) -> None:
    """GitHub Actions steps: each ``run`` as the runner runs it (``bash -e``), on a checkout whose
    base branch is ``origin/main``. Installing the tool from its repository is not repeated
    here (the suite runs on the installed tool); the pin must name this version's tag."""
    checkout = [s for s in data if str(s.get("uses", "")).startswith("actions/checkout@")]
    for step in data:
        command = str(step.get("run", ""))
        if "--against" in command:
            depth = checkout[0].get("with", {}).get("fetch-depth") if checkout else None
            assert depth == 0, f"{block.id}: diff --against needs a checkout with fetch-depth: 0"
        if not command:
            continue
        if command.startswith("pip install"):
            pinned = PIN.search(command)
            assert pinned is not None, block.id
            assert pinned.group("rev") == f"v{__version__}", block.id
            continue
        if "generate --check" in command:  # the recipe's premise: generated files committed
            made = _cli(project, "generate")
            assert made.returncode == 0, made.stdout + made.stderr
        command = command.replace("${{ github.base_ref }}", "main")
        assert "${{" not in command, f"{block.id}: an expression the test does not know"
        _shell(block, command, project, _env(project.parent))


def _accepted(block: Block, data: Any, project: Path) -> None:
    """The change the page describes is breaking, and this file, as written, accepts it."""
    from tests.docs import scenarios

    (channel,) = {a["channel"] for a in data["accepted"]}
    scenarios.SCENARIOS[ACCEPTED[block.path]](project)
    expiry = [a["expires"] for a in data["accepted"] if "expires" in a]
    today = min(expiry) if expiry else dt.date.today()  # the example's dates are examples
    args = ("diff", "--against", "main", "--today", today.isoformat())
    before = _cli(project, *args)
    assert before.returncode == 1, f"the scenario does not break {channel}:\n{before.stdout}"
    (project / "contracts" / "accepted-changes.yaml").write_text(block.text, encoding="utf-8")
    after = _cli(project, *args)
    assert after.returncode == 0, f"{block.id} does not unblock the change:\n{after.stdout}"
    assert "accepted-change-unused" not in after.stdout, after.stdout
    assert " — accepted: " in after.stdout


CHECKS = {
    "schema-comment": _schema_comment,
    "manifest": _manifest,
    "manifest-fragment": _fragment,
    "registry": _registry,
    "generator": _generator,
    "pre-commit": _pre_commit,
    "actions-steps": _actions,
    "accepted-changes": _accepted,
}


# --------------------------------------------------------------------------- installing the wheel


@pytest.mark.slow
@pytest.mark.parametrize("block", INSTALL, ids=_ids(INSTALL))
def test_install_block_in_a_fresh_virtualenv(block: Block, project: Path) -> None:
    """The wheel ``make demo`` builds, installed as the page says, offline: the fresh virtualenv
    sees this suite's packages (a ``.pth`` file), so pip has every dependency at hand and
    ``PIP_NO_INDEX`` proves it never asks an index."""
    env = _env(project.parent)
    for command in (
        [str(SCRIPT), "generate", "python"],  # what `make demo` runs
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            "build/dist",
            "build/opa-events",
        ],
    ):
        made = _run(command, project, env)
        assert made.returncode == 0, made.stdout + made.stderr
    fresh = project.parent / "service-venv"
    venv.create(fresh, with_pip=True)
    site = next(fresh.glob("lib/python*/site-packages"))
    ours = [p for p in sys.path if p.endswith("site-packages")]
    (site / "suite.pth").write_text("\n".join(ours) + "\n", encoding="utf-8")
    env = {**env, "PATH": f"{fresh / 'bin'}:/usr/bin:/bin", "PIP_NO_INDEX": "1"}
    env.pop("PYTHONPATH")
    _shell(block, block.text, project, env)
    check = (
        "import opa_events, opa_events.runtime as r; from opa_events.runtime import Publisher, "
        "KafkaPublisher; print(opa_events.__file__)"
    )
    run = _run([str(fresh / "bin" / "python"), "-c", check], project, env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(str(site)), run.stdout


def test_environment_variables_the_docs_read_are_the_ones_the_tests_set() -> None:
    python = "".join(b.text for b in PYTHON_PAGES_BLOCKS)
    read = set(re.findall(r"os\.environ(?:\.get)?\(\s*\"(\w+)\"", python))
    assert read == {"REDIS_URL", "KAFKA_BOOTSTRAP", "METRICS_PORT"}, read


@pytest.mark.slow
def test_the_worked_example_prints_the_comment_the_page_shows(project: Path) -> None:
    """docs/compatibility.md, section 5: the shell block's output is the Markdown block after it
    (the commit id aside)."""
    page = [b for b in ALL if b.path == "docs/compatibility.md"]
    index = next(i for i, b in enumerate(page) if b.placeholders())
    command, shown = page[index], page[index + 1]
    assert shown.language == "markdown"
    out = _shell(
        command, replace_placeholders(command.text, PLACEHOLDERS), project, _env(project.parent)
    )
    commit = re.compile(r"main \([0-9a-f]{12}\)")
    assert commit.sub("main (…)", out) == commit.sub("main (…)", shown.text) + "exit=1\n"


@pytest.mark.slow
def test_why_the_ci_recipe_runs_both_validate_and_diff(project: Path) -> None:
    """README, *In CI and pre-commit*: a new minor version that drops an enum value passes plain
    `validate`; `validate --history` and `diff --against` the base branch catch it."""
    from tests.docs.scenarios import enum_value_removed

    enum_value_removed(project)
    plain = _cli(project, "validate", "contracts")
    assert plain.returncode == 0, plain.stdout
    history = _cli(project, "validate", "contracts", "--history")
    against = _cli(project, "diff", "--against", "origin/main")
    for run in (history, against):
        assert run.returncode == 1, run.stdout
        assert "error enum-value-removed: " in run.stdout, run.stdout
        assert "publish it as 2.0.0" in run.stdout
