"""The dashboard in a real browser: Playwright driving Debian's chromium against a live server.

Every page opens (at 1,400 px and at a phone's 390 px, without horizontal scrolling), a reader can
click overview -> actor -> article and land on the evidence, highlighted; an article whose title,
text, outlet and URL hold script renders inert. Screenshots of each page go to $PARLEY_SCREENSHOTS
(a temporary folder by default; ``make screenshots`` writes docs/img/ from the demo database)."""
from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from parley.api import create_app

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("PARLEY_REQUIRE_BROWSER"):
            pytest.fail(f"PARLEY_REQUIRE_BROWSER is set but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking"])
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def site(live_server, ledger_url, tmp_path):
    db = os.environ.get("PARLEY_SCREENSHOT_DB") or ledger_url
    base = live_server.start(create_app(db, token="web-test-token"))
    return base


def _shrink(path: Path) -> None:
    """A screenshot for the docs in 256 colours (a third of the bytes, the same to the eye)."""
    from PIL import Image

    with Image.open(path) as im:
        im.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def _pages(base: str) -> dict[str, str]:
    """One URL of every page, found through the API (so any ledger will do)."""
    api = httpx.Client(base_url=base, timeout=30)
    actors = api.get("/api/v1/actors", params={"limit": 50}).json()["items"]
    person = next(a for a in actors if a["kind"] == "person")
    sides = ([a["name"] for a in actors if a["side"] == a["name"] and a["kind"] == "state"]
             + [a["name"] for a in actors if a["side"] == a["name"] and a["kind"] != "state"])[:2]
    arts = api.get("/api/v1/articles", params={"limit": 50}).json()["items"]
    art = max(arts, key=lambda a: a["positions"])
    issue = api.get("/api/v1/issues").json()["items"][0]["issue"]
    word = issue.split()[0]
    return {"overview": "/", "actors": "/actors", "actor": f"/actors/{person['id']}", "issues": "/issues",
            "issue": f"/issues/{issue}", "compare": f"/compare?a={sides[0]}&b={sides[1]}", "articles": "/articles",
            "article": f"/articles/{art['id']}", "search": f"/search?q={word}", "ingest": "/ingest", "login": "/login"}


def test_every_page_opens_at_desktop_and_phone_width(browser, site, tmp_path):
    out = Path(os.environ.get("PARLEY_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    pages = _pages(site)
    for width, height in ((1400, 900), (390, 844)):
        page = browser.new_page(viewport={"width": width, "height": height})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)  # noqa: B023
        page.on("pageerror", lambda e: errors.append(str(e)))  # noqa: B023  (this page's list)
        for name, path in pages.items():
            resp = page.goto(site + path)
            assert resp is not None and resp.status == 200, (path, resp and resp.status)
            assert page.locator("h1").count() == 1 and page.locator("header.top nav a").count() == 6
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} scrolls sideways by {overflow}px at {width}px"
            shot = out / f"{name}-{width}.png"
            page.screenshot(path=str(shot), full_page=True)
            if os.environ.get("PARLEY_SCREENSHOTS"):
                _shrink(shot)
        assert errors == [], errors
        page.close()
    assert len(list(out.glob("*.png"))) == 2 * len(pages)


def test_overview_to_actor_to_article_lands_on_the_evidence_highlighted(browser, site):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(site + "/")
    page.locator("table.actors a").first.click()
    page.wait_for_url("**/actors/*")
    name = page.locator("h1").inner_text()
    assert page.locator("svg.chart.timeline a").count() >= 1          # the chart's marks link to their sentence
    link = page.locator("section.card ul.positions blockquote a").first
    quote = link.inner_text().strip("“”")
    link.click()
    page.wait_for_url("**/articles/*#ev-*")
    target = page.evaluate("""() => { const t = document.querySelector(':target');
        return t && {tag: t.tagName, text: t.textContent, outline: getComputedStyle(t).outlineStyle,
                     bg: getComputedStyle(t).backgroundColor}; }""")
    assert target is not None and target["tag"] == "MARK", target
    assert quote[:40] in target["text"] and target["outline"] != "none"
    assert page.locator("mark.ev").count() >= 1
    # and back: the evidence's number leads to the position in the list, which names the actor
    pid = page.evaluate("location.hash").removeprefix("#ev-")
    page.locator(f"mark#ev-{pid} sup a").first.click()
    item = page.locator(f"li#pos-{pid}")
    assert page.evaluate("location.hash") == f"#pos-{pid}" and name.split(" ")[0] in item.inner_text()
    page.close()


def test_script_in_an_article_renders_inert(browser, site):
    import ledger_data

    if os.environ.get("PARLEY_SCREENSHOT_DB"):
        pytest.skip("the invented ledger holds the hostile article")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    api = httpx.Client(base_url=site, timeout=30)
    hit = api.get("/api/v1/articles", params={"q": "harbour"}).json()["items"][0]
    marsh = api.get("/api/v1/actors", params={"q": "Lena Marsh"}).json()["items"][0]["id"]
    for path in (f"/articles/{hit['id']}", "/articles", f"/actors/{marsh}", "/search?q=harbour", "/issues/trade",
                 "/"):
        page.goto(site + path)
        state = page.evaluate("""() => ({xss: window.__xss, scripts: document.querySelectorAll('script').length,
            handlers: document.querySelectorAll('[onerror],[onload],[onclick]').length,
            js: document.querySelectorAll('a[href^="javascript:" i]').length,
            imgs: document.querySelectorAll('main img').length})""")
        assert state == {"xss": None, "scripts": 0, "handlers": 0, "js": 0, "imgs": 0}, (path, state)
    page.goto(site + f"/articles/{hit['id']}")
    body = page.locator("article.doc .body").inner_text()
    assert "<script>window.__xss=4</script>" in body and '<img src=x onerror="window.__xss=2">' in body
    assert page.locator("article.doc h1").inner_text() == ledger_data.XSS_TITLE
    assert ledger_data.XSS_URL in page.locator("article.doc p.meta").inner_text()     # shown, not a link
    assert page.locator("mark.ev").inner_text().startswith("Lena Marsh said")
    assert dialogs == []
    page.close()
