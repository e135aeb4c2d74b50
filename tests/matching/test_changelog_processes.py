"""The issue's test: two real server processes on one PostgreSQL database. A candidate created,
then made unavailable, through process A (a prescriber's forms) appears in, then disappears
from, the suggested candidates that process B serves to a facilitator on its next request."""
import http.cookiejar
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from html import unescape
from pathlib import Path

import pytest
from factories import TEST_PASSWORD
from matching_app_support import candidate, offer_of

from clausematch.candidates.services import STANDARD_PURPOSES
from clausematch.database import today

SERVE = Path(__file__).resolve().parent / "serve_app.py"


@pytest.fixture
def servers(app, database_url):
    """Two server processes on the test database; yields their base URLs."""
    processes = [subprocess.Popen([sys.executable, str(SERVE), database_url], stdout=subprocess.PIPE, text=True)
                 for _ in range(2)]
    try:
        yield [f"http://127.0.0.1:{int(process.stdout.readline())}" for process in processes]
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
            process.stdout.close()


class Browser:
    """One person's cookies on one server."""

    def __init__(self, base: str, email: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.post("/connexion", {"email": email, "password": TEST_PASSWORD})

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            return unescape(re.sub(r"\s+", " ", response.read().decode()))

    def post(self, path: str, data: dict) -> str:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        with self.opener.open(self.base + path, data=body, timeout=60) as response:
            return response.geturl()


def candidate_form(**values) -> dict:
    data = {"first_name": "Odile", "last_name": "Changelog", "birth_date": "1990-05-17", "gender": "f",
            "commune": "Saint-Denis (93200)", "commune_insee": "93066", "education_level": "cap_bep",
            "desired_job_1": "Maçon / Maçonne (F1703 Maçonnerie)", "desired_job_code_1": "16250",
            "mobility_km": "25", "available": "y", "criterion_rsa": "y", "evidence_rsa": "Attestation CAF",
            "evidence_date_rsa": "2025-03-01", "consent_given_on": today().isoformat(),
            "consent_purposes": STANDARD_PURPOSES, "consent_given": "y"}
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.postgres
def test_a_change_through_one_process_reaches_the_shortlist_of_the_other(db, personas, territory, servers):
    offer = offer_of(personas["company"].organisation, territory)
    candidate(personas["prescriber"].organisation, first_name="Awa", last_name="Diallo")
    db.session.commit()
    a, b = servers
    facilitator = Browser(b, personas["facilitator"].email)
    suggestions = f"/gestion/offres/{offer.id}/candidats-suggeres"
    page = facilitator.get(suggestions)
    assert "Diallo" in page and "Changelog" not in page  # process B has built its index

    prescriber = Browser(a, personas["prescriber"].email)
    created = prescriber.post("/candidats/nouveau", candidate_form())
    candidate_id = int(re.search(r"/candidats/(\d+)", created).group(1))
    assert "Changelog" in facilitator.get(suggestions)

    prescriber.post(f"/candidats/{candidate_id}/modifier", candidate_form(consent_given=None, available=None))
    page = facilitator.get(suggestions)
    assert "Changelog" not in page and "Diallo" in page
