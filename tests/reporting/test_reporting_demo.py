"""The demo's story figures, as the reports show them: the asbestos programme's funnel 102 → 40 → 26 → 22 → 15,
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
from clausematch.reporting.queries.programme_funnel import programme_funnel


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


def test_asbestos_programme_funnel_is_the_seed_story(demo):
    programme = db.session.get(Programme, demo["programme"])
    result = programme_funnel(programme)
    assert [stage.key for stage in result.stages] == ["attended_info_session", "training_validated",
                                                      "training_completed", "cdi", "in_post_after_trial"]
    assert result.counts == [102, 40, 26, 22, 15]
    assert result.people == 114  # 12 invited people never came


def test_asbestos_programme_page_csv_and_cli_agree(demo, facilitator):
    page = facilitator.get(f"/programmes/{demo['programme']}").get_data(as_text=True)
    assert "102 → 40 → 26 → 22 → 15" in page
    assert "En poste 6 mois après la fin de la période d&#39;essai" in page
    csv_lines = facilitator.get(f"/programmes/{demo['programme']}/entonnoir.csv").get_data(as_text=True).splitlines()
    assert [line.split(";")[1] for line in csv_lines[1:]] == ["102", "40", "26", "22", "15"]
    cli = demo["app"].test_cli_runner().invoke(
        args=["report", "programme-funnel", "--programme", str(demo["programme"]), "--format", "json"])
    lines = json.loads(cli.output)["tableaux"][0]["lignes"]
    assert [line["personnes"] for line in lines] == [102, 40, 26, 22, 15]


def test_asbestos_orientation_funnel_counts_the_trainees_and_links_to_the_programme(demo, facilitator):
    """The orientation funnel of the programme starts with the 26 trainees oriented to its offers."""
    result = funnel(Scope(territory_id=demo["territory"].id, programme_id=demo["programme"]))
    assert [step.count for step in result.main_steps][:4] == [26, 26, 22, 22]
    page = facilitator.get(f"/rapports/entonnoir?programme={demo['programme']}").get_data(as_text=True)
    assert f'href="/programmes/{demo["programme"]}"' in page
    book = openpyxl.load_workbook(io.BytesIO(
        facilitator.get(f"/rapports/entonnoir/export.xlsx?programme={demo['programme']}").get_data()))
    rows = list(book["Rapport"].iter_rows(values_only=True))[1:]
    assert [row[2] for row in rows if row[1] == "oui"][:4] == [26, 26, 22, 22]


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
