"""Several publishers per channel (``publishers``), through the installed CLI: validate accepts
the list and names a manifest with both keys, neither, a service listed twice or an empty list;
the docs list and draw every publisher; AsyncAPI has one ``send`` operation per publisher (the
document passes the official parser: tests/generate/test_asyncapi.py runs it on this registry);
``import asyncapi`` gives them back as ``publishers``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from opa_contracts import loader, publishers
from opa_contracts.exitcodes import EXIT_FINDINGS, EXIT_OK
from opa_contracts.generate.contracts import collect
from opa_contracts.generate.docs import views
from opa_contracts.settings import Settings
from tests.conftest import FIXTURES, run_cli

REGISTRY = FIXTURES / "publishers"
SETTLED = "outcomes.settled/1.0.0.yaml"
BACKFILL = "Rewrites outcomes after a correction (nightly)"


def validate(root: Path) -> tuple[int, list[dict[str, Any]]]:
    run = run_cli("validate", ".", "--format", "json", cwd=root)
    assert run.stderr == "", run.stderr
    found: list[dict[str, Any]] = json.loads(run.stdout)["findings"]
    return run.code, found


def copy(tmp_path: Path) -> Path:
    root = tmp_path / "registry"
    shutil.copytree(REGISTRY, root)
    return root


def rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_one_reader_gives_a_tuple_whichever_key_the_manifest_uses() -> None:
    assert publishers.publishers_at({"publisher": "opa-a"}) == (("/publisher", "opa-a"),)
    several = {"publishers": ["opa-a", {"name": "opa-b", "description": "b"}]}
    assert publishers.publishers_at(several) == (
        ("/publishers/0", "opa-a"),
        ("/publishers/1", {"name": "opa-b", "description": "b"}),
    )
    assert publishers.publishers({}) == ()
    assert [publishers.name_of(p) for p in publishers.publishers(several)] == ["opa-a", "opa-b"]


def test_a_registry_with_a_two_publisher_channel_validates_clean() -> None:
    code, found = validate(REGISTRY)
    assert found == []
    assert code == EXIT_OK


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        (
            "publishers:\n",
            "publisher: opa-outcomes-writer\npublishers:\n",
            7,
            "/: 'publisher' and 'publishers' are both given; "
            "write exactly one of 'publisher' or 'publishers'",
        ),
        (
            "publishers:\n  - opa-outcomes-writer\n  - name: opa-outcomes-backfill\n"
            f"    description: {BACKFILL}\n",
            "",
            1,
            "/: missing 'publisher' or 'publishers'; write exactly one of them",
        ),
        (
            "  - name: opa-outcomes-backfill\n",
            "  - name: opa-outcomes-writer\n",
            8,
            "/publishers/1: publisher 'opa-outcomes-writer' is listed twice (also at "
            "/publishers/0); name each publisher once",
        ),
    ],
    ids=["both", "neither", "twice"],
)
def test_a_bad_publishers_declaration_is_one_finding_with_its_line(
    tmp_path: Path, old: str, new: str, line: int, words: str
) -> None:
    root = copy(tmp_path)
    rewrite(root / SETTLED, old, new)
    code, found = validate(root)
    assert code == EXIT_FINDINGS
    assert [(f["rule"], f["file"], f["line"], f["message"]) for f in found] == [
        ("manifest-schema", SETTLED, line, words)
    ]


def test_an_empty_list_and_a_badly_named_publisher_are_findings(tmp_path: Path) -> None:
    root = copy(tmp_path)
    path = root / SETTLED
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump({**data, "publishers": []}), encoding="utf-8")
    code, found = validate(root)
    assert code == EXIT_FINDINGS
    assert [(f["rule"], f["pointer"]) for f in found] == [("manifest-schema", "/publishers")]
    path.write_text(yaml.safe_dump({**data, "publishers": ["opa-ok", "Bad_Name"]}), "utf-8")
    code, found = validate(root)
    assert [(f["rule"], f["pointer"]) for f in found] == [("service-name", "/publishers/1")]


@pytest.mark.slow  # generates the docs site
def test_the_docs_list_draw_and_count_every_publisher(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    run = run_cli("generate", "docs", "-r", REGISTRY, "--out", out)
    assert run.code == EXIT_OK, run.stdout + run.stderr
    page = (out / "markdown" / "channels" / "outcomes.settled.md").read_text(encoding="utf-8")
    assert "## Publishers and subscribers" in page
    assert "- publishes: **opa-outcomes-writer**\n" in page
    assert f"- publishes: **opa-outcomes-backfill** — {BACKFILL}\n" in page
    one = (out / "markdown" / "channels" / "outcomes.corrections.md").read_text(encoding="utf-8")
    assert "## Publisher and subscribers" in one
    index = (out / "markdown" / "README.md").read_text(encoding="utf-8")
    assert "| opa-outcomes-writer, opa-outcomes-backfill | opa-scoring |" in index
    # the services table: the writer publishes both channels, the backfill one and reads one
    assert "| opa-outcomes-writer | 2 | 0 |" in index
    assert "| opa-outcomes-backfill | 1 | 1 |" in index
    html = (out / "html" / "channels" / "outcomes.settled.html").read_text(encoding="utf-8")
    assert html.count('<span class="role">publishes</span>') == 2
    assert BACKFILL in html
    # the channel's diagram: both publishers on the left, each with an arrow to the channel
    svg = (out / "markdown" / "diagrams" / "outcomes.settled.svg").read_text(encoding="utf-8")
    assert ">opa-outcomes-writer<" in svg
    assert ">opa-outcomes-backfill<" in svg
    assert svg.count("marker-end=") == 3  # two publishers in, one subscriber out
    # the map: the writer feeds both channels, the backfill one; two arrows go to subscribers
    overview = (out / "markdown" / "diagrams" / "overview-1.svg").read_text(encoding="utf-8")
    assert overview.count("marker-end=") == 5


@pytest.mark.slow  # generates, imports, generates
def test_asyncapi_has_a_send_operation_per_publisher_and_imports_them_back(
    tmp_path: Path,
) -> None:
    first, second, imported = tmp_path / "first", tmp_path / "second", tmp_path / "imported"
    assert run_cli("generate", "asyncapi", "-r", REGISTRY, "--out", first).code == EXIT_OK
    document = json.loads((first / "asyncapi.json").read_text(encoding="utf-8"))
    sends = sorted(
        (op["channel"]["$ref"], op_id, op.get("description"))
        for op_id, op in document["operations"].items()
        if op["action"] == "send"
    )
    assert sends == [
        ("#/channels/outcomes.corrections", "opa-outcomes-writer_send_outcomes.corrections", None),
        ("#/channels/outcomes.settled", "opa-outcomes-backfill_send_outcomes.settled", BACKFILL),
        ("#/channels/outcomes.settled", "opa-outcomes-writer_send_outcomes.settled", None),
    ]
    run = run_cli("import", "asyncapi", first / "asyncapi.yaml", "--out", imported)
    assert run.code == EXIT_OK, run.stdout + run.stderr
    back = yaml.safe_load((imported / SETTLED).read_text(encoding="utf-8"))
    assert "publisher" not in back
    names = sorted(publishers.name_of(p) or "" for p in back["publishers"])
    assert names == ["opa-outcomes-backfill", "opa-outcomes-writer"]
    assert validate(imported) == (EXIT_OK, [])
    assert run_cli("generate", "asyncapi", "-r", imported, "--out", second).code == EXIT_OK
    again = json.loads((second / "asyncapi.json").read_text(encoding="utf-8"))
    assert again["operations"] == document["operations"]


def test_a_mapping_entry_with_publishers_replaces_the_defaults_publisher(tmp_path: Path) -> None:
    folder = tmp_path / "schemas"
    folder.mkdir()
    (folder / "outcome.json").write_text(
        '{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",'
        ' "properties": {"id": {"type": "string", "description": "Outcome id"}}}',
        encoding="utf-8",
    )
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "defaults: {publisher: opa-shop}\n"
        "channels:\n"
        "  - {schema: outcome.json, channel: shop.outcomes,\n"
        "     publishers: [opa-shop, {name: opa-backfill, description: Nightly}]}\n"
        "  - {schema: outcome.json, channel: shop.copies}\n",
        encoding="utf-8",
    )
    out = tmp_path / "registry"
    run = run_cli("import", "jsonschema", folder, "--mapping", mapping, "--out", out)
    assert run.code == EXIT_OK, run.stdout + run.stderr
    several = yaml.safe_load((out / "shop.outcomes" / "1.0.0.yaml").read_text(encoding="utf-8"))
    assert "publisher" not in several
    assert several["publishers"] == ["opa-shop", {"name": "opa-backfill", "description": "Nightly"}]
    one = yaml.safe_load((out / "shop.copies" / "1.0.0.yaml").read_text(encoding="utf-8"))
    assert one["publisher"] == "opa-shop"
    assert "publishers" not in one


def test_a_page_keeps_publisher_for_override_templates_as_the_first_publisher() -> None:
    channels = {c.name: c for c in collect(loader.load(REGISTRY)).channels}
    page = views.summary(channels["outcomes.settled"], "outcomes.settled", Settings())
    assert [p.name for p in page.publishers] == ["opa-outcomes-writer", "opa-outcomes-backfill"]
    assert page.publisher == page.publishers[0]
    assert [p.description for p in page.publishers] == ["", BACKFILL]
