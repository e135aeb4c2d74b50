"""The README names real routes: every `/path` it quotes in backticks is served by the app
(a path with <id> is matched with an id), apart from the few that are not pages."""
import re
from pathlib import Path

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound

README = Path(__file__).resolve().parents[2] / "README.md"
NOT_ROUTES = {
    "/api/",  # the prefix JSON clients are told about, not a page
    "/offres/2147483648",  # quoted as an id beyond the column's range, which answers 404
    "/proc/<pid>/smaps_rollup", "/usr/bin/chromium",  # files of the machine
}


def quoted_paths() -> list[str]:
    return sorted(set(re.findall(r"`(/[^` ]*)`", README.read_text(encoding="utf-8"))) - NOT_ROUTES)


def test_the_readme_quotes_routes():
    assert len(quoted_paths()) > 30


@pytest.mark.parametrize("path", quoted_paths())
def test_each_route_named_in_the_readme_exists(app, path):
    adapter = app.url_map.bind("localhost")
    concrete = re.sub(r"<[^>]+>", "1", path.split("?")[0])
    try:
        adapter.match(concrete, method="GET")
    except MethodNotAllowed:
        pass  # served, by another method
    except NotFound:
        pytest.fail(f"Le README cite {path}, que l'application ne sert pas.")
