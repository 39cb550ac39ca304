"""``--help`` of every command, as a user sees it at 80 columns: committed snapshots, real
metavars, every choice listed, nothing wider than 80 columns, no word cut at a line break.

After a deliberate change of the help, rewrite the snapshots with ``make regen`` (or
``UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_cli_help.py``) and review the diff."""

from __future__ import annotations

import itertools
import os
import re
import subprocess

import pytest

from tests.conftest import ROOT, SCRIPT, run_cli

SNAPSHOTS = ROOT / "tests" / "snapshots" / "help"
COMMANDS = [
    (),
    ("validate",),
    ("diff",),
    ("schema",),
    ("rules",),
    ("readers",),
    ("generate",),
    ("generate", "python"),
    ("generate", "docs"),
    ("generate", "asyncapi"),
    ("generate", "jsonschema"),
    ("generate", "kafka"),
    ("generate", "typescript"),
    ("import",),
    ("import", "asyncapi"),
    ("import", "jsonschema"),
    ("tap",),
    ("doctor",),
    ("doctor", "redis"),
    ("doctor", "kafka"),
]


def test_every_command_has_a_snapshot() -> None:
    """A new command (or subcommand) is added to ``COMMANDS``, so its help is reviewed too."""
    import typer

    from opa_contracts.cli import app

    def walk(command: object, path: tuple[str, ...]) -> list[tuple[str, ...]]:
        found = [path]
        # a group (typer vendors its own click: the attribute, not the class, tells)
        for name, sub in getattr(command, "commands", {}).items():
            found += walk(sub, (*path, name))
        return found

    assert sorted(walk(typer.main.get_command(app), ())) == sorted(COMMANDS)


def help_text(command: tuple[str, ...], columns: int = 80) -> str:
    env = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "LANG": "C.UTF-8", "COLUMNS": str(columns)}
    proc = subprocess.run(
        [str(SCRIPT), *command, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return proc.stdout


def name(command: tuple[str, ...]) -> str:
    return "-".join(("opa-contracts", *command)) + ".txt"


@pytest.mark.parametrize("command", COMMANDS, ids=[name(c) for c in COMMANDS])
def test_help_matches_its_snapshot(command: tuple[str, ...]) -> None:
    text = help_text(command)
    snapshot = SNAPSHOTS / name(command)
    if os.environ.get("UPDATE_SNAPSHOTS"):
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(text, encoding="utf-8")
    assert snapshot.exists(), f"no snapshot {snapshot.name}: run with UPDATE_SNAPSHOTS=1"
    assert text == snapshot.read_text(encoding="utf-8"), (
        f"--help of {' '.join(command) or 'opa-contracts'} changed; if on purpose, rewrite the "
        "snapshots with UPDATE_SNAPSHOTS=1 and review the diff"
    )


@pytest.mark.parametrize("columns", [80, 200])
@pytest.mark.parametrize("command", COMMANDS, ids=[name(c) for c in COMMANDS])
def test_help_fits_80_columns_and_cuts_no_word(command: tuple[str, ...], columns: int) -> None:
    lines = help_text(command, columns).splitlines()
    wide = [line for line in lines if len(line) > 80]
    assert not wide, wide
    # a word broken at a hyphen or in the middle ("YYYY-MM-" then "DD", "g" then "ithub")
    cut = [
        (a, b)
        for a, b in itertools.pairwise(lines)
        if re.search(r"[A-Za-z]-$", a) and re.match(r"\s*[A-Za-z]", b)
    ]
    assert not cut, cut


@pytest.mark.parametrize("command", COMMANDS, ids=[name(c) for c in COMMANDS])
def test_help_has_real_metavars(command: tuple[str, ...]) -> None:
    text = help_text(command)
    # typer's type names (<bool>, <str>, <list[Path]>, <path>, <float range>) say nothing
    assert not re.search(r"<[a-z][a-z_\[\] ]*>", text), text
    assert "│" not in text  # no boxes: plain text a terminal of any width shows as written


def test_every_choice_is_listed() -> None:
    assert "--mode MODE" in help_text(("diff",))
    diff = " ".join(help_text(("diff",)).split())
    for mode in ("NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FULL_TRANSITIVE"):
        assert mode in diff
    assert "--against REF" in diff
    for command in (("validate",), ("diff",), ("generate", "docs")):
        text = " ".join(help_text(command).split())
        assert (
            "-f, --format FORMAT Report format: text, json, markdown, github, junit or sarif."
            in text
        )
        assert "--color WHEN Colour the text report: auto, always or never" in text
    assert "error or warning" in " ".join(help_text(("validate",)).split())


def test_the_mode_list_is_the_engines() -> None:
    from opa_contracts.cli import MODES
    from opa_contracts.compat.model import Mode

    assert set(MODES) == {m.value for m in Mode}


def test_version_is_a_flag() -> None:
    shown = run_cli("--version")
    assert shown.code == 0
    assert re.fullmatch(r"opa-contracts \d+\.\d+\.\d+\S*\n", shown.stdout)
    with_value = run_cli("--version", "true")
    assert with_value.code == 2
    assert "No such command 'true'" in with_value.stderr
    assert with_value.stdout == ""
    with_command = run_cli("--version", "validate")
    assert with_command.code == 2
    assert "--version takes no command" in with_command.stderr


def test_a_wrong_choice_names_the_nearest() -> None:
    result = run_cli("diff", "--mode", "backwrd")
    assert result.code == 2
    assert "'backwrd' is not one of NONE, BACKWARD," in result.stderr
    assert "did you mean 'BACKWARD'?" in result.stderr
    result = run_cli("validate", "--format", "jsn")
    assert result.code == 2
    assert "did you mean 'json'?" in result.stderr
    assert "Traceback" not in result.stderr
    # any case is a mode: the manifests spell them in capitals, users may not
    lower = run_cli("diff", "--mode", "full_transitive", "contracts")
    assert lower.code == 0, lower.stdout + lower.stderr


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "top")
def test_no_two_options_share_a_name(command: tuple[str, ...]) -> None:
    # a short form given to two options silently goes to one of them (once `-o` meant both
    # `--out` and `--output` under `generate KIND`)
    names = re.findall(r"^ {2}((?:-\w, )?--[\w-]+)", help_text(command), flags=re.M)
    flags = [flag for entry in names for flag in entry.split(", ")]
    assert len(flags) == len(set(flags)), sorted(flags)
