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
