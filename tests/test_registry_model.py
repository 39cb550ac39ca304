"""The registry model's edges, one by one: trees (disk and git), settings values, the resolver.

The verbs that use them are tested through the CLI (tests/test_one_registry.py); these tests reach
the corners the CLI reaches only with contrived registries: sockets, dangling links, submodules,
blobs over the limit, odd settings values, anchors and embedded resources.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from opa_contracts import loader, refs, settings
from opa_contracts.errors import InputError
from opa_contracts.trees import DiskTree, GitTree, missing_ref_message
from opa_contracts.yamlsource import SourceError
from tests.diffing.conftest import git


def test_disk_tree_names_sockets_and_dangling_links(tmp_path: Path) -> None:
    (tmp_path / "ch.one").mkdir()
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(tmp_path / "ch.one" / "1.0.0.yaml"))
        os.symlink("missing.yaml", tmp_path / "ch.one" / "2.0.0.yaml")
        entries = DiskTree(tmp_path).entries()
    assert entries["ch.one/1.0.0.yaml"].problem == "is a socket, not a regular file"
    assert entries["ch.one/2.0.0.yaml"].problem == "is a symlink to nothing"
    error = DiskTree(tmp_path).read("ch.one/2.0.0.yaml", 1024)
    assert isinstance(error, SourceError)
    assert error.rule == "registry-irregular-file"


def test_disk_tree_reads_at_most_the_limit(tmp_path: Path) -> None:
    (tmp_path / "big.yaml").write_bytes(b"a: 1\n" * 1000)
    tree = DiskTree(tmp_path)
    assert tree.exists("big.yaml")
    error = tree.read("big.yaml", 1024)
    assert isinstance(error, SourceError)
    assert error.message == "file is 5,000 bytes, over the 1,024-byte limit for a file"
    assert tree.read("big.yaml", 5000) == b"a: 1\n" * 1000


def test_git_tree_lists_links_submodules_and_sizes_without_reading(repo: Path) -> None:
    contracts = repo / "contracts"
    os.symlink("../../nowhere.yaml", contracts / "quotes.realtime" / "7.0.0.yaml")
    os.symlink("/etc/hostname", contracts / "quotes.realtime" / "8.0.0.yaml")
    os.symlink("1.0.0.yaml", contracts / "quotes.realtime" / "1.0.1.yaml")
    (contracts / "_schemas").mkdir()
    (contracts / "_schemas" / "big.yaml").write_bytes(b"# " + b"x" * 20000 + b"\n")
    git(repo, "add", ".")
    head = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{head},contracts/sub.yaml")
    git(repo, "commit", "-q", "-m", "odd entries")
    tree = GitTree(contracts, "HEAD")
    entries = tree.entries()
    assert entries["quotes.realtime/7.0.0.yaml"].problem == (
        "is a symlink that leaves the registry (to ../../nowhere.yaml)"
    )
    assert entries["quotes.realtime/8.0.0.yaml"].problem == (
        "is a symlink that leaves the registry (to /etc/hostname)"
    )
    assert entries["sub.yaml"].problem == "is a git commit (a submodule), not a file"
    assert entries["_schemas/big.yaml"].size == 20003
    too_big = tree.read("_schemas/big.yaml", 8192)
    assert isinstance(too_big, SourceError)
    assert too_big.rule == "file-too-large"
    linked = tree.read("quotes.realtime/1.0.1.yaml", 8192)
    assert linked == (contracts / "quotes.realtime" / "1.0.0.yaml").read_bytes()
    assert "_schemas/big.yaml" not in tree._blobs  # over the limit: never read
    missing = tree.read("nope.yaml", 4096)
    assert isinstance(missing, SourceError)
    assert missing.rule == "file-unreadable"
    registry = loader.at_ref(contracts, "HEAD")
    assert {p for _, p in registry.irregular()} >= {"is a git commit (a submodule), not a file"}


def test_a_git_link_to_a_folder_is_a_link_to_nothing_readable(repo: Path) -> None:
    os.symlink("../..", repo / "contracts" / "quotes.realtime" / "9.0.0.yaml")
    os.symlink("_schemas", repo / "contracts" / "quotes.realtime" / "9.1.0.yaml")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "links")
    entries = GitTree(repo / "contracts", "HEAD").entries()
    assert "leaves the registry" in str(entries["quotes.realtime/9.0.0.yaml"].problem)
    assert "to nothing readable" in str(entries["quotes.realtime/9.1.0.yaml"].problem)


def test_missing_refs_say_what_to_fetch(repo: Path) -> None:
    with pytest.raises(InputError, match="git fetch origin 0123456789abcdef"):
        GitTree(repo / "contracts", "0123456789abcdef")
    with pytest.raises(InputError, match="git fetch origin release"):
        GitTree(repo / "contracts", "origin/release")
    assert "does not have that many ancestors" in missing_ref_message("HEAD~9", shallow=False)
    assert "git fetch --deepen=50" in missing_ref_message("HEAD~9", shallow=True)
    assert "--unshallow" in missing_ref_message("topic", shallow=True)
    with pytest.raises(InputError, match="not inside a git repository"):
        GitTree(Path("/"), "HEAD")


@pytest.mark.parametrize(
    ("data", "expected", "problem"),
    [
        (None, settings.DEFAULT_MAX_FILE_BYTES, None),
        ({"limits": {"max_file_bytes": True}}, settings.DEFAULT_MAX_FILE_BYTES, None),
        ({"limits": {"max_file_bytes": 10}}, settings.MIN_FILE_BYTES, None),
        ({"limits": {"max_file_bytes": 10**9}}, settings.MAX_FILE_BYTES_CEILING, "ceiling"),
        ({"rules": {"enum-value-removed": 3}}, settings.DEFAULT_MAX_FILE_BYTES, None),
        ({"rules": {"no-such-rule": "off"}}, settings.DEFAULT_MAX_FILE_BYTES, "unknown rule"),
        ({"naming": {"service": "(["}}, settings.DEFAULT_MAX_FILE_BYTES, "not a valid regex"),
    ],
)
def test_settings_values_that_cannot_be_used(
    data: object, expected: int, problem: str | None
) -> None:
    parsed, problems = settings.from_data(data)
    assert parsed.max_file_bytes == expected
    assert parsed.severities == {}
    assert [m for _, m in problems if problem and problem in m] or not problem
    assert bool(problems) == bool(problem)


def test_the_resolver_on_anchors_ids_and_refused_addresses(tmp_path: Path) -> None:
    (tmp_path / "ch.one").mkdir()
    (tmp_path / "ch.one" / "1.0.0.yaml").write_text("a: 1\n", encoding="utf-8")
    registry = loader.load(tmp_path)
    here = tmp_path / "ch.one" / "1.0.0.yaml"
    schema = {
        "$defs": {"t": {"$anchor": "tick", "type": "string"}, "e": {"$id": "#emb"}},
        "properties": {
            "a": {"$ref": "#tick"},
            "b": {"$ref": "#nope"},
            "c": {"$ref": "file:///etc/passwd"},
            "d": {"$ref": "https://example.invalid/s.json"},
            "e": {"$ref": "#/no/such"},
            "f": {"$ref": "#emb"},
        },
    }
    found = refs.resolve(registry, here, schema, "#tick")
    assert isinstance(found, refs.Target)
    assert found.pointer == "/$defs/t"
    problems = {p: f.rule for p, f in refs.check(registry, here, schema)}
    assert problems == {
        "/properties/b/$ref": "ref-unresolvable",
        "/properties/c/$ref": "ref-outside-registry",
        "/properties/d/$ref": "ref-remote",
        "/properties/e/$ref": "ref-unresolvable",
    }


def test_naming_patterns_behave_like_compiled_regexes() -> None:
    import pickle

    pattern = settings.NamingPattern(r"^opa-[a-z-]+$")
    assert pattern.search("opa-quotes") is not None
    assert pattern.match("opa-quotes") is not None
    assert pattern.fullmatch("opa-quotes\n") is None  # RE2: no match before a final newline
    assert pattern == settings.NamingPattern(r"^opa-[a-z-]+$")
    assert len({pattern, settings.NamingPattern(r"^opa-[a-z-]+$")}) == 1
    assert repr(pattern) == "NamingPattern('^opa-[a-z-]+$')"
    assert pickle.loads(pickle.dumps(pattern)) == pattern  # forked validate workers get it


def test_entries_that_are_not_files_are_named_by_kind() -> None:
    import stat

    from opa_contracts.trees import _kind

    assert _kind(stat.S_IFCHR) == "a device"
    assert _kind(stat.S_IFBLK) == "a device"
    assert _kind(stat.S_IFDIR) == "a folder"
    assert _kind(stat.S_IFIFO) == "a FIFO"
    assert _kind(0) == "a special file"


def test_git_tree_skips_dot_folders_and_names_a_missing_git(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hidden = repo / "contracts" / ".cache" / "x.yaml"
    hidden.parent.mkdir()
    hidden.write_text("a: 1\n", encoding="utf-8")
    git(repo, "add", "-f", ".")
    git(repo, "commit", "-q", "-m", "a dot folder")
    assert not any(".cache" in rel for rel in GitTree(repo / "contracts", "HEAD").entries())
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(InputError, match="git is not installed"):
        GitTree(repo / "contracts", "HEAD")
