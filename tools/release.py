"""``make release VERSION=x.y.z``: write the version, commit, tag ``vx.y.z`` (stdlib only).

Refuses (exit 1, one line, nothing changed) a version that is not ``x.y.z``, a working tree with
uncommitted changes, and a tag that exists already. Writes the version into ``pyproject.toml``
and ``src/opa_contracts/__init__.py``, moves the README's pins (the pre-commit ``rev:`` and the CI
recipe's ``@v...``) to the new tag, commits "Release x.y.z" when anything changed, and creates the
annotated tag. Pushing is left to the maintainer: ``git push origin HEAD vx.y.z``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parent.parent
FILES = {
    "pyproject.toml": re.compile(r'^(version = ")(\d+\.\d+\.\d+)(")$', re.M),
    "src/opa_contracts/__init__.py": re.compile(r'^(__version__ = ")(\d+\.\d+\.\d+)(")$', re.M),
}
PINS = ("README.md", ".pre-commit-hooks.yaml")


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        stop(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def stop(message: str) -> NoReturn:
    sys.exit(f"make release: {message}")


def main(version: str) -> None:
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        stop(f"VERSION={version!r}: give the new version as x.y.z, e.g. make release VERSION=0.2.0")
    tag = f"v{version}"
    if git("status", "--porcelain", "--untracked-files=normal").strip():
        stop("the working tree has uncommitted changes; commit or stash them first (git status)")
    if git("tag", "--list", tag).strip():
        stop(f"tag {tag} exists already")
    old = FILES["pyproject.toml"].search((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    if old is None:
        stop('pyproject.toml has no `version = "x.y.z"` line')
    previous = old.group(2)
    for name, pattern in FILES.items():
        path = ROOT / name
        text, count = pattern.subn(rf"\g<1>{version}\g<3>", path.read_text(encoding="utf-8"))
        if count != 1:
            stop(f"{name}: expected one version line, found {count}")
        path.write_text(text, encoding="utf-8")
    pin = re.compile(rf"(rev: |opa-contracts@)v{re.escape(previous)}\b")
    for name in PINS:
        path = ROOT / name
        path.write_text(pin.sub(rf"\g<1>{tag}", path.read_text(encoding="utf-8")), "utf-8")
    if git("status", "--porcelain").strip():
        git("commit", "--quiet", "-m", f"Release {version}", "--", *FILES, *PINS)
    git("tag", "--annotate", tag, "--message", f"opa-contracts {version}")
    print(
        f"tagged {tag} at {git('rev-parse', '--short', 'HEAD').strip()}; "
        f"publish it with: git push origin HEAD {tag}"
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
