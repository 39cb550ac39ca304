"""``generate docs``: content of the bundled registry's pages, escaping, determinism, --check."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape

from opa_contracts import loader
from opa_contracts.generate import output
from opa_contracts.generate.contracts import GenerateError, collect
from opa_contracts.generate.run import build
from tests.conftest import CONTRACTS, FIXTURES, benchmark_module, run_cli
from tests.docs.helpers import (
    GOLDEN,
    HISTORY,
    HOSTILE,
    IMG_PAYLOAD,
    PAYLOAD,
    REGEN,
    docs_target,
    generate_docs,
)

CHANNELS = sorted(p.name for p in CONTRACTS.iterdir() if p.is_dir())


def _properties(schema: Any, prefix: str = "") -> list[str]:
    """Dotted names of every property, nested objects included (an independent walk)."""
    names: list[str] = []
    if not isinstance(schema, dict):
        return names
    for name, sub in (schema.get("properties") or {}).items():
        names.append(prefix + name)
        names += _properties(sub, f"{prefix}{name}.")
    return names


def _e(text: str) -> str:
    return str(escape(text))


def _manifests() -> list[dict[str, Any]]:
    registry = loader.load(CONTRACTS)
    sources = collect(registry)
    # the whole manifest as written (ContractVersion.manifest leaves out schema and examples)
    return [dict(registry.file(c.latest.path).data) for c in sources.channels]


def test_the_golden_docs_are_up_to_date() -> None:
    tree = build(docs_target(GOLDEN), CONTRACTS)
    drift = output.compare(tree, GOLDEN)
    assert drift.clean, f"tests/golden/docs is stale; run `{REGEN}`:\n" + "\n".join(drift.lines())


def test_every_channel_has_a_page_in_both_formats(bundled_docs: Path) -> None:
    assert CHANNELS == ["capacity.scores", "quotes.realtime", "system.health"]
    index_html = (bundled_docs / "html" / "index.html").read_text()
    index_md = (bundled_docs / "markdown" / "README.md").read_text()
    for channel in CHANNELS:
        page = (bundled_docs / "html" / "channels" / f"{channel}.html").read_text()
        assert f'<h1 class="channel-title">{channel}</h1>' in page
        assert f'href="channels/{channel}.html"' in index_html
        assert f"(channels/{channel}.md)" in index_md
        assert (bundled_docs / "markdown" / "channels" / f"{channel}.md").is_file()
        assert (bundled_docs / "markdown" / "diagrams" / f"{channel}.svg").is_file()


@pytest.mark.parametrize("manifest", _manifests(), ids=lambda m: str(m["channel"]))
def test_every_field_and_example_is_documented(
    manifest: dict[str, Any], bundled_docs: Path
) -> None:
    channel = manifest["channel"]
    page = (bundled_docs / "html" / "channels" / f"{channel}.html").read_text()
    markdown = (bundled_docs / "markdown" / "channels" / f"{channel}.md").read_text()
    names = _properties(manifest["schema"])
    assert names
    for name in names:
        assert f'<code class="field">{_e(name)}</code>' in page, name
        assert f"| `{name}` |" in markdown, name
    for example in manifest["examples"]:
        text = json.dumps(example["payload"], ensure_ascii=False, indent=2)
        assert _e(text) in page
        assert text in markdown
        assert _e(example["name"]) in page
    for bad in manifest.get("invalid_examples", []):
        assert _e(bad["reason"]) in page
    for key in ("summary", "description"):
        assert _e(manifest[key]) in page
    kafka = manifest["transports"]["kafka"]
    assert f"<td>{kafka['topic']}</td>" in page
    assert f"| topic | `{kafka['topic']}` |" in markdown


def test_policies_are_in_words(bundled_docs: Path) -> None:
    quotes = (bundled_docs / "markdown" / "channels" / "quotes.realtime.md").read_text()
    assert "| throughput | 100–300 msg/s (Fase 2) |" in quotes
    assert "| latency target | under 50 ms, publish to receive |" in quotes
    scores = (bundled_docs / "markdown" / "channels" / "capacity.scores.md").read_text()
    assert "| schedule | cron 0 8 \\* \\* \\* UTC — Diaria (08:00 UTC) |" in scores
    health = (bundled_docs / "markdown" / "channels" / "system.health.md").read_text()
    assert "| heartbeat | every 30 s |" in health


def test_field_table_shows_constraints_and_nesting(bundled_docs: Path) -> None:
    health = (bundled_docs / "markdown" / "channels" / "system.health.md").read_text()
    assert (
        '| `status` | `string` | yes | `one of: "healthy", "degraded", "unhealthy"` '
        "| Estado del servicio |" in health
    )
    assert "| `details.uptime_seconds` | `integer` | no |" in health
    quotes = (bundled_docs / "markdown" / "channels" / "quotes.realtime.md").read_text()
    assert "| `ticker` | `string` | yes | `pattern: ^[A-Z]{1,5}$` |" in quotes
    assert "| `price` | `number` | yes | `≥ 0` |" in quotes


def _outside_code(markdown: str) -> str:
    """The Markdown text outside fenced blocks and code spans (where escaping matters)."""
    text = re.sub(r"^(`{3,})json\n.*?^\1$", "", markdown, flags=re.S | re.M)
    return re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", text)


def test_markdown_escapes_contract_text(hostile_docs: Path) -> None:
    markdown = (hostile_docs / "markdown" / "channels" / "hostile.docs.md").read_text()
    prose = _outside_code(markdown)
    prose = prose.replace("<details><summary>", "").replace("</summary>", "")
    prose = prose.replace("</details>", "")
    assert re.findall(r"(?<!\\)[<>]", prose) == []
    assert "Summary \\<script\\>window.\\_\\_pwned=1\\</script\\> \\| pipe \\`tick\\`" in markdown
    for line in markdown.splitlines():
        if line.startswith("| `kind` |"):
            # five cells, whatever pipes the enum values hold
            assert len(re.findall(r"(?<!\\)\|", line)) == 6, line


def test_markdown_filters() -> None:
    from opa_contracts.generate.docs import render

    assert render.md("a | b <x> `c` & d") == "a \\| b \\<x\\> \\`c\\` \\& d"
    assert render.mdcode("a`b") == "``a`b``"
    assert render.mdcode("`a|b`") == "`` `a\\|b` ``"
    assert render.mdcode("a|b", table=False) == "`a|b`"
    assert render.fence('"````"') == "`````"
    with pytest.raises(ValueError, match="not a generated file name"):
        render.slug("../x")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


ALLOWED_TAGS = {
    "html", "head", "meta", "title", "link", "script", "body", "header", "a", "main", "nav",
    "h1", "h2", "h3", "p", "span", "section", "ul", "li", "div", "svg", "defs", "marker",
    "path", "rect", "text", "g", "table", "thead", "tbody", "tr", "th", "td", "code",
    "figure", "figcaption", "strong", "pre", "details", "summary", "article", "br", "footer",
    "input", "label", "ol", "dl", "dt", "dd",
}  # fmt: skip


@pytest.mark.parametrize("page", ["index.html", "channels/hostile.docs.html"])
def test_html_escapes_contract_text(page: str, hostile_docs: Path) -> None:
    text = (hostile_docs / "html" / page).read_text()
    parser = _Tags()
    parser.feed(text)
    tags = {tag for tag, _ in parser.tags}
    assert tags <= ALLOWED_TAGS, tags - ALLOWED_TAGS
    for tag, attrs in parser.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        if tag == "script":
            assert attrs["src"] in ("assets/docs.js", "../assets/docs.js")
        for value in attrs.values():
            assert not (value or "").strip().lower().startswith("javascript:")
    if page != "index.html":
        assert _e(PAYLOAD) in text
        assert _e(IMG_PAYLOAD) in text


def test_every_page_forbids_inline_script(bundled_docs: Path) -> None:
    csp = "default-src 'none'; script-src 'self'; style-src 'self'"
    pages = sorted((bundled_docs / "html").rglob("*.html"))
    assert len(pages) == 1 + len(CHANNELS)
    for page in pages:
        assert f'content="{csp}' in page.read_text(), page
        parser = _Tags()
        parser.feed(page.read_text())
        # nothing from the network: every link and resource is relative (or data:)
        for _tag, attrs in parser.tags:
            for key in ("href", "src"):
                value = attrs.get(key) or ""
                assert not re.match(r"^([a-z]+:)?//", value, re.I), (page, value)
    css = (bundled_docs / "html" / "assets" / "style.css").read_text()
    assert "@import" not in css
    assert "url(" not in css


def test_output_is_deterministic(tmp_path: Path) -> None:
    first = build(docs_target(tmp_path / "a"), HOSTILE)
    second = build(docs_target(tmp_path / "b"), HOSTILE)
    assert first == second
    assert not any(re.search(rb"20\d\d-\d\d-\d\dT\d\d:\d\d", v) for v in first.values())


@pytest.mark.slow
def test_worker_processes_change_nothing(tmp_path: Path) -> None:
    synthetic = benchmark_module("synthetic")
    registry = tmp_path / "contracts"
    synthetic.write_registry(registry, 210, 2, seed=3)
    serial = build(docs_target(tmp_path / "o", jobs=1), registry)
    parallel = build(docs_target(tmp_path / "o", jobs=2), registry)
    assert serial == parallel
    assert len([n for n in serial if n.startswith("html/overview-")]) == 6  # 210 / 40 per page


def test_changelog_judges_each_version_under_its_mode(hostile_docs: Path) -> None:
    markdown = (hostile_docs / "markdown" / "channels" / "hostile.docs.md").read_text()
    assert "1 change since 1.0.0; compatible under BACKWARD" in markdown
    assert "| **allowed** | `enum-value-added` | `/properties/kind/enum` |" in markdown
    assert "3 changes since 1.1.0; 1 break BACKWARD (major version bump)" in markdown
    breaking = next(line for line in markdown.splitlines() if "`enum-value-removed`" in line)
    assert breaking.startswith("| **breaking** |")
    assert "witness: `" in breaking
    assert "(written under 1.1.0, rejected by 2.0.0)" in breaking


def test_templates_can_be_overridden(tmp_path: Path) -> None:
    folder = tmp_path / "mine" / "docs"
    folder.mkdir(parents=True)
    (folder / "style.css").write_text("body { color: teal; }\n")
    out = generate_docs(CONTRACTS, tmp_path / "out", templates=str(tmp_path / "mine"), title="T")
    assert (out / "html" / "assets" / "style.css").read_text() == "body { color: teal; }\n"
    assert "<title>T</title>" in (out / "html" / "index.html").read_text()


def test_a_broken_override_template_is_an_input_error(tmp_path: Path) -> None:
    folder = tmp_path / "mine" / "docs"
    folder.mkdir(parents=True)
    (folder / "index.md.jinja").write_text("# {{ title }}\n")  # unfiltered: refused
    target = docs_target(tmp_path / "out", templates=str(tmp_path / "mine"))
    with pytest.raises(GenerateError, match="unfiltered value"):
        build(target, CONTRACTS)


@pytest.mark.slow
def test_check_exit_codes(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    written = run_cli("generate", "docs", "--out", out)
    assert written.code == 0, written.stderr
    assert "wrote" in written.stdout
    assert run_cli("generate", "docs", "--out", out, "--check").code == 0
    page = out / "html" / "channels" / "quotes.realtime.html"
    page.write_text(page.read_text() + "edited\n")
    stale = run_cli("generate", "docs", "--out", out, "--check")
    assert stale.code == 1
    assert "quotes.realtime.html: error generate-stale: changed:" in stale.stdout
    other = tmp_path / "not-ours"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    assert run_cli("generate", "docs", "--out", other).code == 2
    broken = run_cli("generate", "docs", "--out", tmp_path / "b", "-r", FIXTURES / "broken")
    assert broken.code == 3, broken.stderr
    shutil.rmtree(out)
    assert run_cli("generate", "docs", "--out", out, "--check").code == 1


def test_accepted_changes_are_accepted_in_the_changelog(history_docs: Path) -> None:
    markdown = (history_docs / "markdown" / "channels" / "history.docs.md").read_text()
    accepted = next(line for line in markdown.splitlines() if "`enum-value-removed`" in line)
    assert accepted.startswith("| **accepted** |")
    assert (
        "accepted until 2999-12-31: No publisher ever sent XLON; the desk confirmed it in OPA-999."
    ) in accepted
    assert "1 change since 1.0.0; 1 accepted break of BACKWARD, compatible otherwise" in markdown
    breaking = next(line for line in markdown.splitlines() if "`type-narrowed`" in line)
    assert breaking.startswith("| **breaking** |")


def test_an_expired_acceptance_accepts_nothing() -> None:
    import datetime as dt

    from opa_contracts import loader
    from opa_contracts.generate.contracts import collect
    from opa_contracts.generate.docs import changelog

    sources = collect(loader.load(HISTORY))
    (channel,) = sources.channels
    assert [a.rule for a in sources.acceptances] == ["enum-value-removed"]

    def verdict(today: dt.date) -> changelog.Entry:
        steps = changelog.history(channel, sources.settings, sources.acceptances, today)
        return next(e for s in steps for e in s.entries if e.rule == "enum-value-removed")

    before = verdict(dt.date(2999, 12, 31))
    assert (before.verdict, before.expires) == ("accepted", "2999-12-31")
    after = verdict(dt.date(3000, 1, 1))
    assert after.verdict == "breaking"
    assert after.accepted == ""
    assert after.detail.endswith("; its acceptance expired on 2999-12-31")


def test_channel_pages_show_the_python_and_typescript_imports(tmp_path: Path) -> None:
    """Each channel page names its type in both client packages, with the module and npm
    package of the project's own target files (here renamed), and the imports really import."""
    shutil.copytree(CONTRACTS, tmp_path / "contracts")
    (tmp_path / "generators").mkdir()
    (tmp_path / "generators" / "python.yaml").write_text(
        "target: python\nout: build/py\npackage: acme-events\nmodule: acme_events\n"
    )
    (tmp_path / "generators" / "typescript.yaml").write_text(
        "target: typescript\nout: build/ts\noptions: {package_name: '@acme/events'}\n"
    )
    (tmp_path / "generators" / "docs.yaml").write_text("target: docs\nout: build/docs\n")
    result = run_cli("generate", "docs", cwd=tmp_path)
    assert result.code == 0, result.stdout + result.stderr
    page = (tmp_path / "build/docs/markdown/channels/quotes.realtime.md").read_text()
    assert (
        "- Python (`acme-events`): `from acme_events.quotes_realtime import QuotesRealtime`" in page
    )
    typescript = 'import { decode, type QuotesRealtime } from "@acme/events";'
    assert f"- TypeScript (`@acme/events`): `{typescript}`" in page
    html = (tmp_path / "build/docs/html/channels/capacity.scores.html").read_text()
    assert "<code>from acme_events.capacity_scores import CapacityScores</code>" in html
    # the names are the generators' own: the golden packages export them
    golden = Path(__file__).resolve().parents[1] / "golden"
    assert (
        "class QuotesRealtime("
        in (golden / "python/src/opa_events/quotes_realtime/v1_0_0.py").read_text()
    )
    assert (
        "export type QuotesRealtime ="
        in (golden / "typescript/src/types/quotes_realtime.ts").read_text()
    )
