"""Pages as each role sees them: lists with filters and pagination, contract and lot pages
with their figures, forms with French errors; bounded query counts."""
import html as html_lib
import re
from datetime import date

import pytest
import sqlalchemy as sa

from clausematch.contracts.models import ClauseKind
from clausematch.pathways.models import HoursKind, HoursStatus
from clausematch.vocabulary import Sector


def text(response) -> str:
    """The page's text with tags removed and spaces collapsed (French number spaces included)."""
    html = re.sub(r"<style.*?</style>", " ", response.get_data(as_text=True), flags=re.S)
    page = html_lib.unescape(re.sub(r"<[^>]+>", " ", html))
    return re.sub(r"\s+", " ", page.replace("\u202f", " ").replace("\u00a0", " "))


def statement_count(count_queries, client, path: str) -> int:
    """How many SQL statements GET `path` runs."""
    with count_queries() as statements:
        client.get(path)
    return len(statements)


# --- Contracts list -------------------------------------------------------------------------------

def test_the_contracts_list_filters_in_sql_and_keeps_filters_in_the_url(client, login_as, build):
    login_as("facilitator")
    build.contract(reference="2024-EV-001", object="Entretien des espaces verts", sector=Sector.SERVICES,
                   notified_on=date(2024, 3, 1), start_date=date(2024, 4, 1), end_date=date(2025, 3, 31),
                   clause_kind=None)
    build.contract(reference="2025-BAT-014", object="Groupe scolaire", clause_kind=ClauseKind.RESERVED_SIAE)
    page = text(client.get("/marches"))
    assert "2 marchés" in page and "2024-EV-001" in page and "2025-BAT-014" in page
    page = text(client.get("/marches?clause=none"))
    assert "1 marché," in page and "2024-EV-001" in page and "2025-BAT-014" not in page
    page = text(client.get("/marches?secteur=services&annee=2024"))
    assert "2024-EV-001" in page and "2025-BAT-014" not in page
    page = text(client.get("/marches?q=scolaire"))
    assert "2025-BAT-014" in page and "2024-EV-001" not in page
    page = text(client.get("/marches?clause=reserved_siae&annee=2024"))
    assert "Aucun marché ne correspond" in page
    # Nonsense filters are ignored rather than failing.
    assert client.get("/marches?annee=abc&secteur=espace&clause=%25").status_code == 200


def test_the_contracts_list_paginates_with_filters_kept(app, client, login_as, build):
    app.config["PAGE_SIZE"] = 2
    login_as("facilitator")
    for n in range(5):
        build.contract(reference=f"2025-{n:03d}", object="Voirie", sector=Sector.CONSTRUCTION)
    response = client.get("/marches?secteur=construction")
    page = text(response)
    assert "Page 1 sur 3" in page and "5 marchés" in page
    assert "/marches?page=2&amp;secteur=construction" in response.get_data(as_text=True) or \
        "secteur=construction&amp;page=2" in response.get_data(as_text=True)
    assert "Page 3 sur 3" in text(client.get("/marches?secteur=construction&page=3"))


def test_a_buyer_user_sees_only_its_own_contracts_read_only(client, login_as, build):
    login_as("buyer")
    build.contract(reference="MINE-1")
    build.contract(buyer=build.other_buyer(), reference="THEIRS-1")
    page = text(client.get("/marches"))
    assert "MINE-1" in page and "THEIRS-1" not in page
    assert "Ajouter un marché" not in page


def test_the_contracts_list_runs_the_same_queries_for_3_and_30_rows(client, login_as, build, count_queries):
    login_as("facilitator")

    def make(n):
        for i in range(n):
            build.contract(buyer=build.other_buyer(), reference=f"R-{n}-{i}")
        build.db.session.commit()

    make(3)
    few = statement_count(count_queries, client, "/marches")
    make(27)
    many = statement_count(count_queries, client, "/marches")
    assert few == many


# --- Contract page ------------------------------------------------------------------------------

def test_the_contract_page_shows_each_lot_objective_and_realised_hours(client, login_as, build):
    login_as("facilitator")
    contract = build.contract(reference="JO-2024")
    first = build.lot(contract=contract, number=1, title="Terrassement", objective=1000)
    second = build.lot(contract=contract, number=2, title="Charpente", objective=500)
    build.lot(contract=contract, number=3, title="Peinture")  # no clause
    build.hours(build.hire(first), 700)
    build.hours(build.hire(first), 440)
    build.hours(build.hire(second), 100)
    build.hours(build.hire(second), 300, status=HoursStatus.DECLARED)  # not validated: not counted
    build.db.session.commit()
    page = text(client.get(f"/marches/{contract.id}"))
    company = build.company.name
    assert f"Lot 1 — Terrassement {company} 1 000 000 € 1 000 1 140 114 %" in page
    assert f"Lot 2 — Charpente {company} 1 000 000 € 500 100 20 %" in page
    assert "Peinture" in page and "Pas de clause" in page
    # The contract as a whole: 1 240 h on 1 500 h.
    assert "83 % de l'objectif" in page and "1 240 h réalisées et validées sur un objectif de 1 500 h" in page


# --- Lot page -------------------------------------------------------------------------------------

@pytest.fixture
def olympic_lot(build):
    """A lot 14 % over its objective: 1 140 h realised on 1 000 h, over two months."""
    lot = build.lot(objective=1000, title="Village des athlètes")
    first, second = build.hire(lot), build.hire(lot)
    build.hours(first, 600, month=date(2025, 3, 1))
    build.hours(second, 340, month=date(2025, 3, 1))
    build.hours(first, 200, month=date(2025, 4, 1))
    build.hours(first, 50, month=date(2025, 5, 1), status=HoursStatus.REJECTED)
    build.offer(lot, title="Coffreur / Coffreuse")
    build.db.session.commit()
    return lot


def test_the_lot_page_shows_hours_above_the_objective_without_capping(client, login_as, olympic_lot):
    login_as("facilitator")
    response = client.get(f"/lots/{olympic_lot.id}")
    html, page = response.get_data(as_text=True), text(response)
    assert "114 % de l'objectif" in page
    assert "1 140 h réalisées et validées sur un objectif de 1 000 h" in page
    assert 'aria-valuetext="114\u00a0% de l\'objectif"' in html.replace("&#39;", "'")
    assert "mars 2025 940" in page and "avril 2025 200" in page and "mai 2025" not in page
    assert "Total 1 140" in page
    assert "Coffreur / Coffreuse" in page


def test_training_hours_count_only_when_the_territory_says_so(client, login_as, build, territory):
    lot = build.lot(objective=100)
    hire = build.hire(lot)
    build.hours(hire, 60)
    build.hours(hire, 40, kind=HoursKind.TRAINING)
    build.db.session.commit()
    login_as("facilitator")
    assert "100 % de l'objectif" in text(client.get(f"/lots/{lot.id}"))
    territory.count_training_hours = False
    build.db.session.commit()
    assert "60 % de l'objectif" in text(client.get(f"/lots/{lot.id}"))


def test_the_titulaire_sees_names_and_the_buyer_only_counts(client, login_as, olympic_lot):
    names = people_names(olympic_lot)
    login_as("company")
    page = text(client.get(f"/lots/{olympic_lot.id}"))
    assert all(name in page for name in names)
    assert "Personnes recrutées sur le lot 2" in page
    client.get("/deconnexion")
    login_as("buyer")
    page = text(client.get(f"/lots/{olympic_lot.id}"))
    # 2 people: fewer than 5, so the buyer reads "< 5" (reporting/masking.py)
    assert "Personnes recrutées sur le lot < 5" in page and "Contrats de travail (embauches) < 5" in page
    assert not any(name in page for name in names)
    assert "Coffreur / Coffreuse" not in page and "1 offre sur ce lot" in page


def people_names(lot) -> list[str]:
    from clausematch.candidates.models import Candidate
    from clausematch.extensions import db
    from clausematch.pathways.models import EmploymentContract

    rows = db.session.execute(sa.select(Candidate.first_name, Candidate.last_name)
                              .join(EmploymentContract, EmploymentContract.candidate_id == Candidate.id)
                              .where(EmploymentContract.lot_id == lot.id))
    names = [f"{first} {last}" for first, last in rows]
    assert len(names) == 2
    return names


def test_the_lot_page_runs_the_same_queries_for_3_and_30_rows(client, login_as, build, count_queries):
    login_as("facilitator")
    lot = build.lot(objective=5000)

    def add(n):
        for i in range(n):
            build.hours(build.hire(lot), 10, month=date(2025, 1 + i % 12, 1))
            build.offer(lot, title=f"Offre {i}")
        build.db.session.commit()

    add(3)
    few = statement_count(count_queries, client, f"/lots/{lot.id}")
    add(27)
    many = statement_count(count_queries, client, f"/lots/{lot.id}")
    assert few == many


# --- Navigation and other lists ---------------------------------------------------------------------

@pytest.mark.parametrize(("role", "links"), [
    ("facilitator", {"/marches", "/entreprises", "/acheteurs", "/parametres"}),
    ("buyer", {"/marches"}),
    ("company", set()),
    ("prescriber", set()),
])
def test_the_navigation_offers_these_pages_to_the_right_roles(client, login_as, role, links):
    login_as(role)
    html = client.get("/accueil", follow_redirects=True).get_data(as_text=True)
    nav = re.search(r'<nav id="navigation".*?</nav>', html, re.S).group(0)
    shown = {path for path in ("/marches", "/entreprises", "/acheteurs", "/parametres") if f'href="{path}"' in nav}
    assert shown == links


def test_the_current_page_is_marked_in_the_navigation(client, login_as):
    login_as("facilitator")
    html = client.get("/entreprises").get_data(as_text=True)
    assert '<a href="/entreprises" aria-current="page">Entreprises</a>' in html


def test_the_companies_and_buyers_lists_paginate_in_sql(app, client, login_as, build, count_queries):
    app.config["PAGE_SIZE"] = 10
    login_as("facilitator")
    for n in range(3):
        build.other_company(name=f"Société {n:02d}")
        build.other_buyer(name=f"Commune {n:02d}")
    build.db.session.commit()
    few = [statement_count(count_queries, client, path) for path in ("/entreprises", "/acheteurs")]
    for n in range(3, 30):
        build.other_company(name=f"Société {n:02d}")
        build.other_buyer(name=f"Commune {n:02d}")
    build.db.session.commit()
    many = [statement_count(count_queries, client, path) for path in ("/entreprises", "/acheteurs")]
    assert few == many
    # 31 companies by name (the persona's "Entreprise …" first): page 3 holds Société 19 to 28.
    page = text(client.get("/entreprises?page=3"))
    assert "Page 3 sur 4" in page and "31 entreprises" in page
    assert "Société 19" in page and "Société 28" in page and "Société 18" not in page and "Société 29" not in page
    assert "Page 4 sur 4" in text(client.get("/acheteurs?page=9"))  # beyond the end: the last page
