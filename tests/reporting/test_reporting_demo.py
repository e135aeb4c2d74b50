"""The demo's story figures, as the reports show them: the asbestos track 102 → 40 → 26 → 22 → 15,
the Olympic-works contract at 114 %, Saint-Denis's clause share 8 % → 17 % → 57 % → 29 %.
The demo is seeded once for this module (no per-test `app`: it would empty the tables)."""
import io
import json
import re
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa

from clausematch.accounts.models import Buyer, BuyerKind, Territory
from clausematch.contracts.models import Contract
from clausematch.extensions import db
from clausematch.offers.models import Programme
from clausematch.reporting.filters import Scope
from clausematch.reporting.queries.clause_share import clause_share
from clausematch.reporting.queries.funnel import funnel
from clausematch.reporting.queries.hours import hours_report


@pytest.fixture(scope="module")
def demo(seeded):
    territory = db.session.scalars(sa.select(Territory)).one()
    programme = db.session.scalars(sa.select(Programme).where(Programme.name == "Parcours désamiantage")).one()
    olympic = db.session.scalars(sa.select(Contract).join(Buyer, Buyer.id == Contract.buyer_id)
                                 .where(Buyer.buyer_kind == BuyerKind.OLYMPIC)).one()
    saint_denis = db.session.scalars(sa.select(Buyer).where(Buyer.name == "Ville de Saint-Denis")).one()
    return {"app": seeded.app, "territory": territory, "programme": programme.id, "olympic": olympic.id,
            "saint_denis": saint_denis.id}


@pytest.fixture(scope="module")
def facilitator(demo):
    client = demo["app"].test_client()
    response = client.post("/connexion", data={"email": "facilitateur@demo.clausematch.fr",
                                               "password": "clausematch-demo"})
    assert response.status_code == 302
    return client


def test_asbestos_funnel_is_the_seed_story(demo):
    result = funnel(Scope(territory_id=demo["territory"].id, programme_id=demo["programme"]))
    assert [step.count for step in result.main_steps] == [102, 40, 26, 22, 15]
    shortlisted, interviewed = result.count("shortlisted"), result.count("interviewed")
    assert 40 >= shortlisted >= interviewed >= 26


def test_asbestos_funnel_page_cli_and_xlsx_agree(demo, facilitator):
    page = facilitator.get(f"/rapports/entonnoir?programme={demo['programme']}").get_data(as_text=True)
    assert "102 → 40 → 26 → 22 → 15" in page
    cli = demo["app"].test_cli_runner().invoke(
        args=["report", "funnel", "--programme", str(demo["programme"]), "--format", "json"])
    lines = json.loads(cli.output)["tableaux"][0]["lignes"]
    assert [line["personnes"] for line in lines if line["etape_principale"] == "oui"] == [102, 40, 26, 22, 15]
    book = openpyxl.load_workbook(io.BytesIO(
        facilitator.get(f"/rapports/entonnoir/export.xlsx?programme={demo['programme']}").get_data()))
    rows = list(book["Rapport"].iter_rows(values_only=True))[1:]
    assert [row[2] for row in rows if row[1] == "oui"] == [102, 40, 26, 22, 15]


def test_olympic_contract_at_114_percent(demo, facilitator):
    report = hours_report(Scope(territory_id=demo["territory"].id, contract_id=demo["olympic"]), demo["territory"],
                          "marche")
    (line,) = report.lines
    assert line.rate == Decimal("1.14")
    page = facilitator.get(f"/rapports/heures?par=marche&marche={demo['olympic']}").get_data(as_text=True)
    assert re.search(r"<td class=\"nombre\">114\u00a0%</td>", page)


def test_saint_denis_clause_share(demo, facilitator):
    lines = clause_share(Scope(territory_id=demo["territory"].id, buyer_id=demo["saint_denis"]))
    shares = {line.year: round(line.share * 100) for line in lines}
    assert [shares[year] for year in (2021, 2022, 2023, 2024)] == [8, 17, 57, 29]
    page = facilitator.get(f"/rapports/clauses?acheteur={demo['saint_denis']}").get_data(as_text=True)
    assert "8\u00a0% → 17\u00a0% → 57\u00a0% → 29\u00a0%" in page


def test_demo_buyer_reads_saint_denis_bilan(demo):
    client = demo["app"].test_client()
    client.post("/connexion", data={"email": "acheteur@demo.clausematch.fr", "password": "clausematch-demo"})
    page = client.get(f"/rapports/bilan/acheteur/{demo['saint_denis']}?annee=2023").get_data(as_text=True)
    assert "Bilan 2023 de Ville de Saint-Denis" in page
    assert re.search(r"2023</th>\s*<td class=\"nombre\">21</td>\s*<td class=\"nombre\">12</td>\s*"
                     r"<td class=\"nombre\">57\u00a0%</td>", page)
    assert client.get(f"/rapports/bilan/marche/{demo['olympic']}").status_code == 403
