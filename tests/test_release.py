"""The release path users pin: ``make release VERSION=x.y.z`` and the pre-commit hooks.

Both run on a clone of this repository holding the working tree's state (committed there when it
differs), never on the repository itself: no tag is ever created here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from opa_contracts import __version__
from tests.conftest import CONTRACTS, ROOT
from tests.diffing.conftest import git

BIN = Path(sys.executable).parent
HOOKS = [h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())]


def _env(home: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        **extra,
    }


def clone_working_state(dest: Path) -> Path:
    """A clone of this repository with the working tree's files (uncommitted edits, new files,
    deletions) committed on top, so that the clone's HEAD is what the tests run on."""
    subprocess.run(["git", "clone", "-q", str(ROOT), str(dest)], check=True, env=_env(dest.parent))
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source, target = ROOT / name, dest / name
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        elif target.is_file():  # deleted in the working tree
            target.unlink()
    git(dest, "add", "-A")
    if git(dest, "status", "--porcelain").strip():
        git(dest, "commit", "-q", "-m", "the working tree under test")
    return dest


def _release(clone: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "release", *args, f"PYTHON={sys.executable}"],
        cwd=clone,
        capture_output=True,
        text=True,
        env=_env(clone.parent),
        timeout=120,
        check=False,
    )


def test_release_writes_the_version_commits_and_tags(tmp_path: Path) -> None:
    clone = clone_working_state(tmp_path / "repo")
    before = git(clone, "rev-parse", "HEAD").strip()
    run = _release(clone, "VERSION=0.2.0")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "tagged v0.2.0 at " in run.stdout
    assert "git push origin HEAD v0.2.0" in run.stdout
    assert git(clone, "log", "-1", "--format=%s").strip() == "Release 0.2.0"
    assert git(clone, "rev-parse", "HEAD~1").strip() == before
    assert git(clone, "rev-parse", "v0.2.0^{commit}") == git(clone, "rev-parse", "HEAD")
    assert git(clone, "cat-file", "-t", "v0.2.0").strip() == "tag"  # annotated
    assert git(clone, "status", "--porcelain") == ""
    assert 'version = "0.2.0"\n' in (clone / "pyproject.toml").read_text()
    assert '__version__ = "0.2.0"\n' in (clone / "src/opa_contracts/__init__.py").read_text()
    readme = (clone / "README.md").read_text()
    assert "rev: v0.2.0" in readme
    assert "opa-contracts@v0.2.0" in readme
    assert f"v{__version__}" not in readme.replace("v0.2.0", "")
    # the same version again: the tag exists
    again = _release(clone, "VERSION=0.2.0")
    assert again.returncode == 2, again.stderr
    assert "make release: tag v0.2.0 exists already" in again.stderr


def test_release_refuses_a_dirty_tree_and_a_bad_version(tmp_path: Path) -> None:
    clone = clone_working_state(tmp_path / "repo")
    head = git(clone, "rev-parse", "HEAD")
    bad = _release(clone, "VERSION=1.0")
    assert "make release: VERSION='1.0': give the new version as x.y.z" in bad.stderr
    missing = _release(clone)
    assert "make release: VERSION='': give the new version as x.y.z" in missing.stderr
    (clone / "README.md").write_text("edited\n", encoding="utf-8")
    dirty = _release(clone, "VERSION=0.2.0")
    assert dirty.returncode != 0
    assert "make release: the working tree has uncommitted changes" in dirty.stderr
    for run in (bad, missing, dirty):
        assert run.returncode != 0
    assert git(clone, "tag", "--list") == ""
    assert git(clone, "rev-parse", "HEAD") == head
    assert 'version = "0.2.0"' not in (clone / "pyproject.toml").read_text()


def test_the_pins_in_the_readme_are_what_make_release_tags_for_this_version() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"rev: v{__version__} " in readme
    assert f'opa-contracts@v{__version__}"' in readme
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'\nversion = "{__version__}"\n' in pyproject


@pytest.mark.slow
def test_pre_commit_try_repo_runs_every_hook_on_a_registry(tmp_path: Path) -> None:
    """``pre-commit try-repo`` installs each hook from a clone of this repository (pip, in
    pre-commit's own environment, as for a user pinning a tag) and runs it on a repository that
    holds a copy of the bundled registry: it passes; a broken manifest makes it fail."""
    clone = clone_working_state(tmp_path / "opa-contracts")
    user = tmp_path / "user"
    shutil.copytree(CONTRACTS, user / "contracts")
    git(tmp_path, "init", "-q", "-b", "main", str(user))
    git(user, "add", ".")
    git(user, "commit", "-q", "-m", "registry")
    env = _env(tmp_path, PRE_COMMIT_HOME=str(tmp_path / "cache"))
    for name in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_CERT"):
        if name in os.environ:  # the machine's package sources, as pip has them
            env[name] = os.environ[name]

    def try_repo(hook: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN / "pre-commit"), "try-repo", str(clone), hook, "--all-files"],
            cwd=user,
            capture_output=True,
            text=True,
            env=env,
            timeout=900,
            check=False,
        )

    assert HOOKS == ["opa-contracts-validate"]
    for hook in HOOKS:
        run = try_repo(hook)
        assert run.returncode == 0, run.stdout + run.stderr
        assert "opa-contracts validate" in run.stdout
        assert "Passed" in run.stdout
    broken = user / "contracts" / "quotes.realtime" / "1.0.0.yaml"
    broken.write_text(broken.read_text().replace("version: 1.0.0", "version: 1.0"), "utf-8")
    git(user, "add", ".")
    failed = try_repo(HOOKS[0])
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Failed" in failed.stdout
    assert "contracts/quotes.realtime/1.0.0.yaml" in failed.stdout
