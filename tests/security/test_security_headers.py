"""Security headers on every response (Flask-Talisman + no-store), and nothing inline that the
Content-Security-Policy would refuse."""
import re
from pathlib import Path

import pytest

from clausematch.reporting import charts

ROOT = Path(__file__).resolve().parents[2]

# A sample of each role's pages, and downloads holding personal data.
PAGES = {
    None: ["/", "/connexion", "/offres", "/mot-de-passe-oublie", "/page-qui-n-existe-pas"],
    "facilitator": ["/facilitateur", "/marches", "/orientations", "/invitations", "/rapports/entonnoir",
                    "/rapports/entonnoir/export.csv", "/rapports/entonnoir/export.xlsx", "/candidats/doublons"],
    "prescriber": ["/prescripteur", "/candidats", "/notifications"],
    "company": ["/entreprise", "/entreprise/offres", "/entreprise/candidatures"],
    "buyer": ["/acheteur", "/marches", "/rapports/heures"],
    "admin": ["/admin", "/admin/taches"],
}
SAMPLE = [(role, path) for role, paths in PAGES.items() for path in paths]


def assert_security_headers(response):
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin")


@pytest.mark.parametrize("role, path", SAMPLE)
def test_every_page_and_download_carries_the_headers_and_no_store(client, login_as, personas, role, path):
    if role:
        login_as(role)
    response = client.get(path)
    assert response.status_code in (200, 404), f"{path}: {response.status_code}"
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"
    if response.mimetype == "text/html":
        page = response.get_data(as_text=True)
        assert [what for what, pattern in INLINE.items() if pattern.search(page)] == []


def test_downloads_are_really_downloads(client, login_as, personas):
    login_as("facilitator")
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/rapports/entonnoir/export.{fmt}")
        assert response.status_code == 200
        assert "attachment" in response.headers["Content-Disposition"]
        assert response.headers["Cache-Control"] == "no-store"


def test_errors_redirects_and_refusals_carry_them_too(client, login_as, personas):
    assert_security_headers(client.get("/facilitateur"))  # a redirect to the login page
    login_as("company")
    refused = client.get("/invitations")
    assert refused.status_code == 403
    assert_security_headers(refused)
    assert refused.headers["Cache-Control"] == "no-store"


def test_static_files_may_be_cached_but_keep_the_headers(client):
    response = client.get("/static/css/clausematch.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


INLINE = {
    "a <style> element": re.compile(r"<style[\s>]", re.I),
    "a style attribute": re.compile(r"\sstyle\s*=", re.I),
    "an inline event handler": re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I),
    "an inline script": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
}


def test_no_template_holds_inline_style_or_script():
    found = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        text = template.read_text()
        found += [f"{template.relative_to(ROOT)}: {what}" for what, pattern in INLINE.items() if pattern.search(text)]
    assert found == []


def test_scripts_inject_no_style_element():
    for script in (ROOT / "static" / "js").glob("*.js"):
        text = script.read_text()
        assert 'createElement("style")' not in text and "setAttribute(\"style\"" not in text, script.name


def test_charts_use_presentation_attributes_not_style():
    """SVG style attributes count as inline style under the CSP; fill= and the like do not."""
    svg = str(charts.bar_chart("essai", "Essai", "Deux barres", [
        charts.Bar(label="Orientés", value=10, text="10"), charts.Bar(label="Embauchés", value=4, text="4")]))
    assert "<svg" in svg and "fill=" in svg
    assert not INLINE["a style attribute"].search(svg) and "<style" not in svg
