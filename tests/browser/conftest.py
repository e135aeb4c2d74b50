"""Browser tests: Playwright drives the system Chromium against the test app served on a free
local port. Every test here carries the `browser` marker; without /usr/bin/chromium they are
skipped (and in strict mode, CLAUSEMATCH_STRICT=1, that skip fails the run)."""
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.hookimpl(tryfirst=True)  # before -m "not browser" deselects on the marker
def pytest_collection_modifyitems(config, items):
    missing = pytest.mark.skip(reason=f"Chromium absent ({CHROMIUM}) : tests navigateur ignorés")
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(missing)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """The system Chromium, not a downloaded one; flags keep it quiet and offline."""
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url():
    """Replaces pytest-playwright's fallback fixture, a method that pytest 9 deprecates (and
    warnings are errors here). Tests use the live_server URL instead."""
    return None


@pytest.fixture
def live_server(app):
    """The `app` fixture's application served over HTTP in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


# Chromium reports a CSP refusal on its own log, which Playwright's console event does not
# carry; the page's securitypolicyviolation event does, and this init script (exempt from the
# CSP) echoes it to the console.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`Refused to load (CSP ${event.effectiveDirective}): ${event.blockedURI} ` +
                `${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture(autouse=True)
def no_csp_violation(request):
    """Every browser test fails if Chromium refused anything under the Content-Security-Policy
    (an inline style or script left in a template or a script)."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    refused = []
    page.add_init_script(REPORT_CSP_VIOLATIONS)
    page.on("console", lambda message: refused.append(message.text) if "Refused to" in message.text else None)
    yield
    assert refused == [], "Violations de la Content-Security-Policy :\n" + "\n".join(refused)
