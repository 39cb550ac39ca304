"""Units of the generation framework: targets, output trees, templates, names, versions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import pytest

from opa_contracts.generate import kinds, output, templates
from opa_contracts.generate.contracts import Channel, GenerateError, Sources
from opa_contracts.generate.python import naming, versioning
from opa_contracts.generate.targets import TargetError, load, resolve
from opa_contracts.semver import Version


def test_target_file_is_read_and_typos_are_usage_errors(tmp_path: Path) -> None:
    folder = tmp_path / "generators"
    folder.mkdir()
    good = folder / "python.yaml"
    good.write_text("target: python\nout: build/x\npackage: x-events\nmodule: x_events\n")
    target = load(good, kinds.allowed_keys())
    assert (target.kind, target.out) == ("python", tmp_path / "build" / "x")
    bad = folder / "typo.yaml"
    bad.write_text("target: python\nout: build/x\npackge: oops\n")
    with pytest.raises(TargetError, match="packge"):
        load(bad, kinds.allowed_keys())
    unknown = folder / "unknown.yaml"
    unknown.write_text("target: cobol\nout: x\n")
    with pytest.raises(TargetError, match="must be one of"):
        load(unknown, kinds.allowed_keys())


def test_resolve_falls_back_to_the_kind_defaults(tmp_path: Path) -> None:
    defaults = kinds.KINDS["python"].defaults
    target = resolve(None, "python", kinds.allowed_keys(), defaults, tmp_path)
    assert target.out == tmp_path / "build" / "opa-events"
    assert target.source is None


def test_write_replaces_exactly_the_tree_and_keeps_caches(tmp_path: Path) -> None:
    tree = {output.MARKER: b"m", "a/b.txt": b"1", "c.txt": b"2"}
    assert output.write(tree, tmp_path / "o").missing == tuple(sorted(tree))
    (tmp_path / "o" / "a" / "__pycache__").mkdir()
    (tmp_path / "o" / "a" / "__pycache__" / "b.pyc").write_bytes(b"")
    drift = output.write({output.MARKER: b"m", "c.txt": b"3"}, tmp_path / "o")
    assert (drift.extra, drift.changed) == (("a/b.txt",), ("c.txt",))
    assert (tmp_path / "o" / "a" / "__pycache__" / "b.pyc").exists()
    assert output.compare({output.MARKER: b"m", "c.txt": b"3"}, tmp_path / "o").clean


def test_a_stream_that_fails_half_way_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "o"
    output.write({output.MARKER: b"m", "a.txt": b"1", "b.txt": b"2"}, out)

    def files() -> Iterator[tuple[str, output.Content]]:
        yield output.MARKER, b"m"
        yield "a.txt", b"changed"
        yield "c.txt", iter([b"new ", b"file"])  # chunks, staged as they come
        raise GenerateError(["late problem"])

    with pytest.raises(GenerateError, match="late problem"):
        output.write(files(), out)
    assert sorted(p.name for p in out.iterdir()) == [output.MARKER, "a.txt", "b.txt"]
    assert (out / "a.txt").read_bytes() == b"1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]  # no staging folder left


def test_chunked_content_is_compared_and_written_like_bytes(tmp_path: Path) -> None:
    out = tmp_path / "o"
    stream: list[tuple[str, output.Content]] = [(output.MARKER, b"m")]
    stream.append(("big.txt", iter([b"ab", b"", b"cd"])))
    drift = output.write(stream, out)
    assert drift.missing == (output.MARKER, "big.txt")
    assert drift.files == 2
    assert (out / "big.txt").read_bytes() == b"abcd"
    same: list[tuple[str, output.Content]] = [(output.MARKER, b"m"), ("big.txt", [b"a", b"bcd"])]
    assert output.compare(same, out).clean
    longer: list[tuple[str, output.Content]] = [(output.MARKER, b"m"), ("big.txt", [b"abcd", b"e"])]
    assert output.compare(longer, out).changed == ("big.txt",)
    shorter: list[tuple[str, output.Content]] = [(output.MARKER, b"m"), ("big.txt", [b"abc"])]
    assert output.compare(shorter, out).changed == ("big.txt",)


def test_a_path_generated_twice_is_refused(tmp_path: Path) -> None:
    with pytest.raises(output.OutputError, match="generated twice"):
        output.write([("a", b"1"), ("a", b"2")], tmp_path / "o")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("name", ["../x", "/etc/passwd", "a/../b", "", "a//b"])
def test_paths_that_leave_the_folder_are_refused(name: str, tmp_path: Path) -> None:
    with pytest.raises(output.OutputError):
        output.write({name: b""}, tmp_path)


def test_templates_refuse_unfiltered_values() -> None:
    env = templates.environment()
    env.loader = jinja2.DictLoader({"t": "x = {{ value }}", "u": "x = {{ value|py }}"})
    with pytest.raises(jinja2.TemplateError, match="unfiltered"):
        env.get_template("t").render(value='"; import os #')
    assert env.get_template("u").render(value='"""\\') == 'x = \'"""\\\\\''


@pytest.mark.parametrize("bad", ["import", "a-b", "ﬁeld", "1x", "a.b c"])
def test_ident_refuses_what_is_not_a_plain_name(bad: str) -> None:
    with pytest.raises(ValueError, match="not a safe Python name"):
        templates.ident(bad)


def test_markdown_text_cannot_break_a_table() -> None:
    assert templates.md("a | b\n<script>") == "a \\| b \\<script\\>"


def test_channel_names_map_to_modules_and_collisions_are_errors() -> None:
    assert naming.module_name("quotes.realtime") == "quotes_realtime"
    assert naming.module_name("import.class") == "import_class"
    assert naming.class_name("quotes.realtime") == "QuotesRealtime"
    assert naming.module_name("1.año") == "c_1_ano"
    clash = (Channel("a.b_c", ()), Channel("a_b.c", ()))
    with pytest.raises(Exception, match="would all be module 'a_b_c'"):
        naming.assign(clash)


def _sources(*newest: str) -> Sources:
    channels = []
    for i, text in enumerate(newest):
        semver = Version.parse(text)
        assert semver is not None
        version: Any = type("V", (), {"semver": semver, "status": "active"})()
        channels.append(Channel(f"c.{i}", (version,)))
    return Sources(Path("."), tuple(channels), "0" * 64)


def test_package_version_moves_forward_with_every_contract_change() -> None:
    assert versioning.package_version(_sources("1.0.0", "1.0.0", "1.0.0")) == "1.3.0"
    assert versioning.package_version(_sources("1.1.0", "1.0.0", "1.0.0")) == "1.4.0"
    assert versioning.package_version(_sources("2.0.0", "1.0.0", "1.0.0")) == "2.3.0"
    assert versioning.package_version(_sources("1.0.1", "1.0.0", "1.0.0")) == "1.3.1"
    assert versioning.package_version(_sources("1.0.0"), "4.2") == "4.2"
    with pytest.raises(ValueError, match="PEP 440"):
        versioning.package_version(_sources("1.0.0"), "not a version")


def test_semver_orders_pre_releases_first() -> None:
    parsed = [Version.parse(v) for v in ("2.0.0", "2.0.0-rc.1", "1.10.0", "1.9.0")]
    assert all(parsed)
    ordered = sorted(p for p in parsed if p is not None)
    assert [str(p) for p in ordered] == ["1.9.0", "1.10.0", "2.0.0-rc.1", "2.0.0"]


def test_bundle_leaves_references_to_embedded_ids_alone(tmp_path: Path) -> None:
    from opa_contracts import loader
    from opa_contracts.generate.bundle import bundle

    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {"item": {"$ref": "item.json"}},
        "definitions": {"item": {"$id": "item.json", "type": "string"}},
    }
    (tmp_path / "a.b").mkdir()
    (tmp_path / "a.b" / "1.0.0.yaml").write_text("x: 1\n")
    registry = loader.load(tmp_path)
    assert bundle(registry, tmp_path / "a.b" / "1.0.0.yaml", schema, "definitions") is schema
