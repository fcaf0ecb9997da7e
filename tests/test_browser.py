"""The HTML view in a real browser: headless Chromium (Debian's package) driven by Playwright.

No browser is downloaded: the test uses /usr/bin/chromium and is skipped, saying
why, only when that browser (or the playwright package) is not installed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from xling.data import Bead, CorpusInfo, Record
from xling.view.html import render_document

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-quic"]

PAIRS = [
    ("Reżimy upamiętnią wspólną walkę z Ukraińcami", "The regimes will commemorate the joint fight"),
    ("Porozumienie zawarto we wtorek 17 czerwca.", "The agreement was concluded on Tuesday, 17 June."),
    ("<script>window.__pwned = 1</script> to nie skrypt.", "<script>window.__pwned = 1</script> is not a script."),
    ('"><img src=x onerror="window.__pwned = 2">', '"><img src=x onerror="window.__pwned = 2">'),
    ("Szojgu przyleciał do Korei Północnej.", "Shoigu flew to North Korea."),
]


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    if not Path(CHROMIUM).exists():
        pytest.skip("no Chromium at /usr/bin/chromium (apt-get install chromium); no browser is downloaded")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page_file(tmp_path) -> Path:
    records = [Record("x.txt", i, Bead((i,), (i,), s, t, ((0, len(s)),), -0.4, ("split",) if i == 4 else (),
                                       paragraph=0 if i == 0 else 1 + i // 3))
               for i, (s, t) in enumerate(PAIRS)]
    path = tmp_path / "page.html"
    path.write_text(render_document(records, CorpusInfo("pl", "en", "xling:test"), title="x.txt"), encoding="utf-8")
    return path


def test_hover_and_focus_highlight_exactly_the_counterpart(browser, page_file):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
    page.goto(page_file.as_uri())
    page.hover("#s1")
    assert page.eval_on_selector_all(".hl", "els => els.map(e => e.id)") == ["s1", "t1"]
    page.hover("#t4")
    assert page.eval_on_selector_all(".hl", "els => els.map(e => e.id)") == ["s4", "t4"]
    page.mouse.move(0, 0)
    page.focus("#s3")  # keyboard users get the same
    assert page.eval_on_selector_all(".hl", "els => els.map(e => e.id)") == ["s3", "t3"]
    # the injected markup is text: nothing ran, no image element exists
    assert page.evaluate("window.__pwned") is None
    assert page.query_selector_all("img") == []
    assert "<script>window.__pwned = 1</script>" in page.inner_text("#s2")
    assert errors == []
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / "view-desktop.png"), full_page=True)
    page.close()


def test_phone_width_stacks_the_columns(browser, page_file):
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(page_file.as_uri())
    source = page.eval_on_selector("#s1", "e => e.getBoundingClientRect().toJSON()")
    target = page.eval_on_selector("#t1", "e => e.getBoundingClientRect().toJSON()")
    assert target["top"] >= source["bottom"] - 1  # the translation sits under its original
    page.screenshot(path=str(ROOT / "test-artifacts" / "view-phone.png"), full_page=True)
    page.close()
