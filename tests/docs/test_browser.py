"""The docs site in a real headless browser (Debian ``chromium``, driven by Playwright).

Pages are loaded from disk (``file://``), as a reader would open them: no console errors, every
channel reachable from the index, the filter box filters, the hostile registry's text shows
literally and runs nothing, and the layout fits a phone. Screenshots go to ``test-artifacts/``.

Playwright only drives the system's browser (``executable_path``); it never downloads one. Set
``CHROMIUM`` to use another binary; ``OPA_CONTRACTS_SKIP_BROWSER=1`` skips these tests where no
browser can be installed (the Makefile installs Debian's ``chromium``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import ROOT
from tests.docs.helpers import IMG_PAYLOAD, PAYLOAD

pytestmark = pytest.mark.slow

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Locator, Page, ViewportSize

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE: ViewportSize = {"width": 390, "height": 844}

if os.environ.get("OPA_CONTRACTS_SKIP_BROWSER") == "1":
    pytest.skip("OPA_CONTRACTS_SKIP_BROWSER=1", allow_module_level=True)


def _chromium() -> str:
    found = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).is_file():
        pytest.fail(
            "no chromium: install Debian's (apt-get install chromium; `make test` does), "
            "or set OPA_CONTRACTS_SKIP_BROWSER=1"
        )
    return found


@dataclass
class Console:
    """Everything a page reported that a clean page would not."""

    errors: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> Page:
        page.on(
            "console",
            lambda m: (
                self.errors.append(f"{m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url}"))
        return page


@pytest.fixture(scope="module")
def browser() -> Iterator[BrowserContext]:
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    with sync_playwright() as p, tempfile.TemporaryDirectory(prefix="opa-chromium-") as profile:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
            java_script_enabled=True,
            offline=True,  # the site must need nothing from the network
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def console() -> Console:
    return Console()


def _open(browser: BrowserContext, console: Console, path: Path) -> Page:
    page = console.watch(browser.new_page())
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_index_loads_and_every_channel_page_is_reachable(
    browser: BrowserContext, console: Console, bundled_docs: Path
) -> None:
    page = _open(browser, console, bundled_docs / "html" / "index.html")
    assert page.title() == "OPA event contracts"
    links = page.locator("#channels a.channel")
    names = links.all_inner_texts()
    assert names == ["capacity.scores", "quotes.realtime", "system.health"]
    _shot(page, "docs-index.png")
    for name in names:
        page.locator("#channels a.channel", has_text=name).click()
        page.wait_for_load_state("load")
        assert page.locator("h1").inner_text() == name
        assert page.title().startswith(f"{name} — ")
        assert page.locator("table.fields tbody tr").count() > 0
        if name == "quotes.realtime":
            _shot(page, "docs-channel-quotes.realtime.png")
        page.go_back()
        page.wait_for_load_state("load")
    # the diagram links too
    page.locator("svg a").first.click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "capacity.scores"
    assert console.errors == []


def test_the_filter_box_filters(
    browser: BrowserContext, console: Console, bundled_docs: Path
) -> None:
    page = _open(browser, console, bundled_docs / "html" / "index.html")
    box = page.locator("#filter")
    assert box.is_visible()
    rows = page.locator("#channels tbody tr")
    assert page.locator("#filter-count").inner_text() == "3 of 3 channels"
    box.type("health")
    assert _visible(rows) == ["system.health"]
    assert page.locator("#filter-count").inner_text() == "1 of 3 channels"
    box.fill("opa-prediction planned")
    assert _visible(rows) == ["capacity.scores", "quotes.realtime"]
    box.fill("no such channel")
    assert page.locator("#filter-empty").is_visible()
    box.fill("")
    assert all(r.is_visible() for r in rows.all())
    # a service in the services table filters the list by its name
    page.locator("a.service-filter", has_text="opa-quotes-streamer").click()
    page.wait_for_function("document.getElementById('filter').value === 'opa-quotes-streamer'")
    assert _visible(rows) == ["quotes.realtime"]
    assert console.errors == []


def _visible(rows: Locator) -> list[str]:
    return [r.locator("a.channel").inner_text() for r in rows.all() if r.is_visible()]


def test_hostile_text_shows_literally_and_runs_nothing(
    browser: BrowserContext, console: Console, hostile_docs: Path
) -> None:
    for path in (
        hostile_docs / "html" / "index.html",
        hostile_docs / "html" / "channels" / "hostile.docs.html",
    ):
        page = _open(browser, console, path)
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.locator("main script, main img, main iframe, main b").count() == 0
        assert PAYLOAD in page.title()
    lead = page.locator("p.lead").inner_text()
    assert lead == "Summary <script>window.__pwned=1</script> | pipe `tick`"
    assert f"Description {IMG_PAYLOAD} and {PAYLOAD}." in page.locator("main").inner_text()
    constraints = page.locator("table.fields ul.constraints").first.inner_text()
    assert PAYLOAD in constraints
    assert IMG_PAYLOAD.replace('"', '\\"') in constraints
    page.locator("details.invalid summary").click()
    assert "</pre><script>" in page.locator("details.invalid pre").inner_text()
    _shot(page, "docs-hostile.png")
    assert console.errors == []


def test_pages_fit_a_phone(browser: BrowserContext, console: Console, bundled_docs: Path) -> None:
    for path, name in (
        (bundled_docs / "html" / "index.html", "docs-index-phone.png"),
        (bundled_docs / "html" / "channels" / "quotes.realtime.html", "docs-channel-phone.png"),
    ):
        page = _open(browser, console, path)
        page.set_viewport_size(PHONE)
        # wide tables and diagrams scroll inside their own boxes; the page itself does not
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path.name} is {overflow}px wider than a phone"
        font = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert font >= 14
        _shot(page, name)
    assert console.errors == []


# every cell of the version-history tables whose content does not fit it (clipped or spilling)
_CLIPPED_CELLS = """() => Array.from(
    document.querySelectorAll("table.changes th, table.changes td"))
  .filter((cell) => cell.offsetParent !== null)
  .filter((cell) => {
    const box = cell.getBoundingClientRect();
    return cell.scrollWidth > cell.clientWidth + 1 || box.left < -0.5
      || box.right > document.documentElement.clientWidth + 0.5;
  })
  .map((cell) => cell.textContent.trim().slice(0, 60))"""
# every scroll box around a history table that hides part of it
_CLIPPED_TABLES = """() => Array.from(document.querySelectorAll("table.changes"))
  .map((table) => table.parentElement)
  .filter((box) => box.scrollWidth > box.clientWidth + 1).length"""


@pytest.mark.parametrize("width", [1280, 390])
def test_version_history_is_not_clipped(
    browser: BrowserContext, console: Console, history_docs: Path, width: int
) -> None:
    page = _open(browser, console, history_docs / "html" / "channels" / "history.docs.html")
    page.set_viewport_size({"width": width, "height": 900})
    page.locator("#history").scroll_into_view_if_needed()
    assert page.locator("table.changes tbody tr").count() == 3
    assert page.evaluate(_CLIPPED_CELLS) == []
    assert page.evaluate(_CLIPPED_TABLES) == 0
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    # the witness, the longest text, is on screen in full
    witness = page.locator("table.changes code", has_text="XLON").first
    box = witness.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= width
    _shot(page, f"docs-history-{width}.png")
    assert console.errors == []


@pytest.mark.parametrize("width", [1280, 390])
def test_a_clipped_map_says_it_scrolls(
    browser: BrowserContext, console: Console, history_docs: Path, width: int
) -> None:
    for path in (
        history_docs / "html" / "index.html",
        history_docs / "html" / "channels" / "history.docs.html",
    ):
        page = _open(browser, console, path)
        page.set_viewport_size({"width": width, "height": 900})
        page.evaluate("window.dispatchEvent(new Event('resize'))")  # docs.js re-measures
        diagram = page.locator(".diagram").first
        clipped = diagram.evaluate("(map) => map.scrollWidth > map.clientWidth + 1")
        hint = page.locator(".diagram + .scroll-hint").first
        if width == 390:
            assert clipped, "the map fits a phone: this test no longer sees the case it is for"
        # the hint is shown exactly when part of the map is hidden
        assert hint.is_visible() == clipped
        _shot(page, f"docs-map-{path.stem}-{width}.png")
        if clipped:
            assert hint.inner_text() == "Scroll sideways to see the whole map →"
            # and the map does scroll: its right edge can be brought into view
            diagram.evaluate("(map) => { map.scrollLeft = map.scrollWidth; }")
            assert diagram.evaluate("(map) => map.scrollLeft") > 0
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert console.errors == []


def test_accepted_changes_are_shown_as_accepted(
    browser: BrowserContext, console: Console, history_docs: Path
) -> None:
    page = _open(browser, console, history_docs / "html" / "channels" / "history.docs.html")
    row = page.locator("table.changes tr", has_text="enum-value-removed")
    assert row.locator(".badge").inner_text() == "accepted"
    text = row.inner_text()
    assert "accepted until 2999-12-31: No publisher ever sent XLON" in text
    color = row.locator(".badge").evaluate("(b) => getComputedStyle(b).color")
    bad = page.locator("table.changes tr", has_text="type-narrowed").locator(".badge")
    assert bad.inner_text() == "breaking"
    assert color != bad.evaluate("(b) => getComputedStyle(b).color")  # not red like a break
    # the version whose only break is accepted is not marked as breaking
    versions = page.locator("article.version")
    accepted_version = versions.filter(has=page.locator("h3", has_text="1.1.0"))
    assert "breaking" not in (accepted_version.get_attribute("class") or "")
    assert console.errors == []
