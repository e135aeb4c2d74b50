"""The demo's story figures, as the reports show them: the asbestos programme's funnel
102 → 40 → 26 → 22 → 15, the Olympic works at 1 821 447 h for 1 597 761 h (114 %),
Saint-Denis's clause share 8 % → 17 % → 57 % → 29 %, 54 % of the 2024 participants living
in the territory.
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
from clausematch.reporting.queries.publics import publics_report


@pytest.fixture(scope="module")
def demo(seeded):
    territory = db.session.scalars(sa.select(Territory)).one()
    programme = db.session.scalars(sa.select(Programme).where(Programme.name == "Parcours désamiantage")).one()
    olympic_works = db.session.scalars(sa.select(Programme).where(Programme.name == "Chantiers olympiques")).one()
    solideo = db.session.scalars(sa.select(Buyer).where(Buyer.buyer_kind == BuyerKind.OLYMPIC)).one()
    olympic = db.session.scalars(sa.select(Contract).where(Contract.reference == "SOLIDEO-2021-VDA-D")).one()
    saint_denis = db.session.scalars(sa.select(Buyer).where(Buyer.name == "Ville de Saint-Denis")).one()
    return {"app": seeded.app, "territory": territory, "programme": programme.id, "olympic": olympic.id,
            "olympic_works": olympic_works.id, "solideo": solideo.id, "saint_denis": saint_denis.id}


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


def _raw_olympic_figures(solideo_id: int) -> tuple[Decimal, Decimal]:
    """Objective and validated work hours of SOLIDEO's lots, summed from the raw rows."""
    lots = sa.text("SELECT l.id FROM lots l JOIN contracts c ON c.id = l.contract_id WHERE c.buyer_id = :b")
    objective = db.session.execute(sa.text(f"SELECT SUM(hours_objective) FROM clauses WHERE lot_id IN ({lots})"),
                                   {"b": solideo_id}).scalar_one()
    hours = db.session.execute(sa.text(f"SELECT hours FROM hours_entries WHERE lot_id IN ({lots}) "
                                       "AND status = 'validated' AND kind = 'work'"), {"b": solideo_id}).scalars()
    return Decimal(str(objective)), sum(Decimal(str(h)).quantize(Decimal("0.01")) for h in hours)


def test_olympic_works_at_114_percent_by_buyer_and_by_programme(demo, facilitator):
    objective, realised = _raw_olympic_figures(demo["solideo"])
    assert (objective, realised) == (1597761, 1821447)
    territory = demo["territory"]
    programme = Scope(territory_id=territory.id, programme_id=demo["olympic_works"])
    for scope in (Scope(territory_id=territory.id), programme):
        report = hours_report(scope, territory, "acheteur")
        (line,) = [line for line in report.lines if line.key == demo["solideo"]]
        assert (line.objective, line.realised) == (objective, realised)
        assert round(line.rate * 100, 1) == Decimal("114.0")
    assert [line.key for line in hours_report(programme, territory, "acheteur").lines] == [demo["solideo"]]
    page = facilitator.get(f"/rapports/heures?par=acheteur&programme={demo['olympic_works']}").get_data(as_text=True)
    row = re.search(r"SOLIDEO – ouvrages olympiques</a></th>(.*?)</tr>", page, re.S).group(1)
    assert re.search(r"1\u202f597\u202f761", row) and re.search(r"1\u202f821\u202f447", row)
    assert "114\u00a0%" in row


def test_the_village_des_athletes_contract_over_achieves_too(demo, facilitator):
    report = hours_report(Scope(territory_id=demo["territory"].id, contract_id=demo["olympic"]), demo["territory"],
                          "marche")
    (line,) = report.lines
    assert line.rate > 1
    page = facilitator.get(f"/rapports/heures?par=marche&marche={demo['olympic']}").get_data(as_text=True)
    assert f"{round(line.rate * 100)}\u00a0%" in page


def test_2024_participants_54_percent_from_the_territory(demo, facilitator):
    territory = demo["territory"]
    year = sa.text("""SELECT DISTINCT ec.candidate_id, p.commune_insee IN (
                          SELECT commune_insee FROM territory_communes WHERE territory_id = :t)
                      FROM employment_contracts ec JOIN lots l ON l.id = ec.lot_id
                      JOIN contracts c ON c.id = l.contract_id JOIN candidates p ON p.id = ec.candidate_id
                      WHERE c.territory_id = :t AND ec.start_date <= '2024-12-31'
                      AND (ec.end_date IS NULL OR ec.end_date >= '2024-01-01')""")
    people = db.session.execute(year, {"t": territory.id}).all()
    local = sum(bool(flag) for _, flag in people)
    report = publics_report(Scope(territory_id=territory.id, year=2024), territory)
    line = report.line("local")
    assert (report.participants, line.people) == (len(people), local)
    assert round(line.share * 100) == 54
    page = facilitator.get("/rapports/publics?annee=2024").get_data(as_text=True)
    row = re.search(r"<th[^>]*>Résidents du territoire</th>(.*?)</tr>", page, re.S).group(1)
    assert f">{local}<" in row and "54\u00a0%" in row


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
