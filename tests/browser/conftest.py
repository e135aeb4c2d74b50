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
