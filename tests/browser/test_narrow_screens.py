"""Every main page of every role on a 375 px wide phone (the demo territory, pages found by
following links from each role's home, tests/role_pages.py): nothing scrolls sideways (a wide
table scrolls inside its own container), no text of a chart is cut by its edges, and axe-core
finds no serious or critical violation."""
import threading

import pytest
import role_pages
from axe_playwright_python.sync_playwright import Axe
from browser_support import log_in
from playwright.sync_api import Page
from werkzeug.serving import make_server

pytestmark = pytest.mark.browser

WIDTH = 375
# The elements sticking out of the viewport, to name the culprit when the page scrolls sideways.
WIDE_ELEMENTS = """(width) => Array.from(document.querySelectorAll("body *"))
  .filter((el) => el.getBoundingClientRect().right > width + 0.5 && !el.closest(".tableau"))
  .slice(0, 5)
  .map((el) => `${el.tagName.toLowerCase()}.${el.className} (${Math.round(el.getBoundingClientRect().right)} px)`)"""
# The texts of the SVG charts that stick out of their chart's viewBox (as Chromium lays them out).
CLIPPED_CHART_TEXTS = """() => Array.from(document.querySelectorAll("svg.graphique")).flatMap((svg) => {
  const box = svg.viewBox.baseVal;
  return Array.from(svg.querySelectorAll("text")).filter((text) => {
    const b = text.getBBox();
    return b.x < box.x - 0.5 || b.y < box.y - 0.5 || b.x + b.width > box.x + box.width + 0.5
      || b.y + b.height > box.y + box.height + 0.5;
  }).map((text) => `${svg.id} : « ${text.textContent} »`);
})"""


@pytest.fixture(scope="module")
def demo(database_url, referential_index):
    yield from role_pages.seeded_demo(database_url, referential_index)


@pytest.fixture(scope="module")
def demo_server(demo):
    server = make_server("127.0.0.1", 0, demo.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="demo-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


def log_in_as(page: Page, base: str, role: str) -> None:
    if role != "anonymous":
        log_in(page, base, role_pages.ACCOUNTS[role], role_pages.DEMO_PASSWORD)


def serious(results) -> list[str]:
    return [f"{violation['id']} ({violation['impact']}) : "
            + ", ".join(node["target"][0] if isinstance(node["target"][0], str) else str(node["target"][0])
                        for node in violation["nodes"][:3])
            for violation in results.response["violations"] if violation["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("role", role_pages.ROLES)
def test_no_sideways_scroll_and_no_serious_axe_violation_at_375_px(demo, demo_server, page: Page, role):
    paths = sorted(role_pages.crawl(demo.app, role))
    assert len(paths) >= (3 if role == "anonymous" else 8)
    page.set_viewport_size({"width": WIDTH, "height": 800})
    log_in_as(page, demo_server, role)
    axe = Axe()
    too_wide, clipped, violations, charts = {}, {}, {}, 0
    for path in paths:
        page.goto(demo_server + path)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        if width > WIDTH:
            too_wide[path] = f"{width} px : " + "; ".join(page.evaluate(WIDE_ELEMENTS, WIDTH))
        charts += page.locator("svg.graphique").count()
        if cut := page.evaluate(CLIPPED_CHART_TEXTS):
            clipped[path] = cut
        found = serious(axe.run(page))
        if found:
            violations[path] = found
    assert too_wide == {}, "Défilement horizontal à 375 px :\n" + "\n".join(f"{p} {w}" for p, w in too_wide.items())
    assert clipped == {}, "Textes coupés par le bord d'un graphique :\n" + "\n".join(
        f"{p} {t}" for p, t in clipped.items())
    assert charts or role not in ("facilitator", "buyer")  # their report pages were visited
    assert violations == {}, "axe-core :\n" + "\n".join(f"{p} {v}" for p, v in violations.items())


def test_the_axe_check_finds_what_it_must(page: Page):
    """The check above can fail: on a page without title nor labels, axe-core reports them."""
    page.set_content("<html><body><input><img src='/logo.png'></body></html>")
    assert {"document-title", "label", "image-alt"} <= {line.split(" ")[0] for line in serious(Axe().run(page))}
