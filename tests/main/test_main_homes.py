"""Role home pages: figures computed in SQL from factory data, scoped to the user's organisation."""
import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from factories import (
    ApplicationFactory,
    BuyerFactory,
    ClauseFactory,
    CompanyFactory,
    EmploymentContractFactory,
    FollowUpFactory,
    HoursEntryFactory,
    JobRunFactory,
    NotificationFactory,
    OutboxMessageFactory,
    PrescriberFactory,
    TerritoryFactory,
    UserFactory,
)
from factories import CandidateInTerritoryFactory as CandidateFactory
from factories import ContractInTerritoryFactory as ContractFactory
from factories import LotInTerritoryFactory as LotFactory
from factories import OfferInTerritoryFactory as OfferFactory
from main_pages import NBSP, NNBSP, figures, h1, table_rows, tables

from clausematch.accounts.models import Role
from clausematch.applications.models import ApplicationStatus
from clausematch.database import today, utcnow
from clausematch.offers.models import OfferStatus
from clausematch.pathways.models import HoursKind, HoursStatus
from clausematch.reporting import homes as services


def clause_lot(contract, objective, company=None, **kwargs):
    lot = LotFactory(contract=contract, company=company or CompanyFactory(territory=contract.buyer.territory),
                     **kwargs)
    ClauseFactory(lot=lot, hours_objective=Decimal(objective))
    return lot


def hours(lot, amount, status=HoursStatus.VALIDATED, kind=HoursKind.WORK, month=None):
    contract = EmploymentContractFactory(lot=lot)
    return HoursEntryFactory(contract=contract, hours=Decimal(amount), status=status, kind=kind,
                             **({"month": month} if month else {}))


@pytest.fixture
def territory_data(db, territory, personas):
    """A territory with two contracts (one without clause), three clause lots, hours in every
    status, offers, candidates, applications, follow-ups; and a second territory as noise."""
    buyer = BuyerFactory(territory=territory)
    with_clause = ContractFactory(buyer=buyer, reference="2025-CLAUSE")
    lot1 = clause_lot(with_clause, 1000, number=1, title="Gros œuvre")
    lot2 = clause_lot(with_clause, 500, number=2, title="Second œuvre")
    lot3 = clause_lot(with_clause, 200, number=3, title="Espaces verts")
    no_clause = ContractFactory(buyer=buyer, reference="2025-SANS", clause_kind=None)
    LotFactory(contract=no_clause, number=1)
    hours(lot1, 300)
    hours(lot1, 50, kind=HoursKind.TRAINING)
    hours(lot1, 200, status=HoursStatus.DECLARED)
    hours(lot1, 10, status=HoursStatus.REJECTED)
    hours(lot2, 600)  # over-achieved lot: 120 %, no remaining gap

    prescriber = personas["prescriber"].organisation
    kept = CandidateFactory(prescriber=prescriber)
    CandidateFactory(prescriber=prescriber)
    merged = CandidateFactory(prescriber=prescriber)
    merged.merged_into_id = kept.id
    offers = [OfferFactory(lot=lot1), OfferFactory(lot=lot2), OfferFactory(lot=lot3, status=OfferStatus.DRAFT)]
    for offer, status in zip(offers, [ApplicationStatus.SUBMITTED, ApplicationStatus.SUBMITTED,
                                      ApplicationStatus.VALIDATED], strict=True):
        ApplicationFactory(candidate=kept, offer=offer, status=status)

    for due_on, done_on in [(today() - timedelta(days=1), None), (today(), None),
                            (today() + timedelta(days=10), None), (today() - timedelta(days=5), today())]:
        FollowUpFactory(exit__contract__lot=lot1, due_on=due_on, done_on=done_on,
                        in_work=True if done_on else None)

    elsewhere = TerritoryFactory(name="Est Ensemble")
    other_contract = ContractFactory(buyer=BuyerFactory(territory=elsewhere))
    other_lot = clause_lot(other_contract, 999)
    hours(other_lot, 400)
    ApplicationFactory(offer=OfferFactory(lot=other_lot))
    FollowUpFactory(exit__contract__lot=other_lot, due_on=today() - timedelta(days=3))
    db.session.commit()
    return {"lot1": lot1, "lot2": lot2, "lot3": lot3}


def test_facilitator_service_aggregates_the_territory(territory_data, personas):
    dashboard = services.facilitator_dashboard(personas["facilitator"])

    assert dashboard.contracts_with_clause == 1
    assert dashboard.lots_with_clause == 3
    assert dashboard.objective_hours == Decimal("1700")
    assert dashboard.realised_hours == Decimal("950")  # 300 work + 50 training + 600; declared/rejected left out
    assert dashboard.achievement == Decimal("950") / Decimal("1700")
    assert dashboard.published_offers == 2
    assert dashboard.candidates == 2  # the merged duplicate is not counted
    assert dashboard.applications_to_validate == 2
    assert dashboard.follow_ups_due == 2
    assert [(lot.title, lot.gap) for lot in dashboard.largest_gaps] == [("Gros œuvre", 650), ("Espaces verts", 200)]


def test_training_hours_left_out_where_the_territory_does_not_count_them(territory_data, territory, personas, db):
    territory.count_training_hours = False
    db.session.commit()

    dashboard = services.facilitator_dashboard(personas["facilitator"])

    assert dashboard.realised_hours == Decimal("900")
    assert dashboard.largest_gaps[0].gap == 700


def test_facilitator_home_shows_the_figures(territory_data, client, login_as):
    login_as("facilitator")

    html = client.get("/facilitateur").get_data(as_text=True)

    assert h1(html) == "Tableau de bord du facilitateur"
    shown = figures(html)
    assert shown["Marchés avec une clause sociale"] == "1"
    assert shown["Lots avec une clause"] == "3"
    assert shown["Heures d'insertion prévues"] == f"1{NNBSP}700{NBSP}h"
    assert shown["Heures réalisées et validées"] == f"950{NBSP}h"
    assert shown["Taux de réalisation"] == f"56{NBSP}%"
    assert shown["Offres publiées"] == "2"
    assert shown["Candidats"] == "2"
    assert shown["Candidatures en attente de validation d'éligibilité"] == "2"
    assert shown["Suivis à 6 mois à réaliser"] == "2"
    lot1, lot3 = territory_data["lot1"], territory_data["lot3"]
    assert table_rows(html) == [
        ["2025-CLAUSE", "Lot 1 — Gros œuvre", lot1.company.name, f"1{NNBSP}000", "350", "650"],
        ["2025-CLAUSE", "Lot 3 — Espaces verts", lot3.company.name, "200", "0", "200"],
    ]


def test_achievement_is_not_capped_at_100_percent(db, territory, personas, client, login_as):
    contract = ContractFactory(buyer=BuyerFactory(territory=territory))
    lot = clause_lot(contract, 1000)
    hours(lot, 700)
    hours(lot, 440, month=datetime(2025, 4, 1).date())
    db.session.commit()
    login_as("facilitator")

    shown = figures(client.get("/facilitateur").get_data(as_text=True))

    assert shown["Taux de réalisation"] == f"114{NBSP}%"


def test_prescriber_home_counts_its_own_candidates_and_applications(db, personas, client, login_as):
    prescriber = personas["prescriber"].organisation
    mine = [CandidateFactory(prescriber=prescriber) for _ in range(3)]
    mine[2].merged_into_id = mine[0].id
    ApplicationFactory(candidate=mine[0])
    ApplicationFactory(candidate=mine[1])
    ApplicationFactory(candidate=mine[1], status=ApplicationStatus.HIRED)
    ApplicationFactory(candidate=CandidateFactory(prescriber=PrescriberFactory()))  # another structure
    start = utcnow() - timedelta(days=30)
    for n in range(12):
        NotificationFactory(user=personas["prescriber"], message=f"Message {n}", created_at=start + timedelta(days=n))
    NotificationFactory(user=personas["company"], message="Pas pour vous")
    db.session.commit()
    login_as("prescriber")

    html = client.get("/prescripteur").get_data(as_text=True)

    assert h1(html) == "Espace prescripteur"
    assert figures(html) == {"Candidats suivis par votre structure": "2", "Candidatures": "3"}
    counts = dict(table_rows(html))
    assert counts["Proposée"] == "2" and counts["Embauchée"] == "1" and counts["Refusée"] == "0"
    assert len(counts) == len(ApplicationStatus)
    assert "Message 11" in html and "Message 2" in html
    assert "Message 1<" not in html and "Message 0" not in html and "Pas pour vous" not in html
    assert html.index("Message 11") < html.index("Message 10")


def test_company_home_lists_its_lots_paginated_and_its_offers(app, db, territory, personas, client, login_as):
    company = personas["company"].organisation
    contract = ContractFactory(buyer=BuyerFactory(territory=territory), reference="2025-ENT")
    lots = [clause_lot(contract, 100 * (n + 1), company=company, number=n + 1, title=f"Lot métier {n + 1}")
            for n in range(3)]
    hours(lots[0], 150)
    hours(lots[0], 30, status=HoursStatus.DECLARED)
    clause_lot(contract, 5000, number=9, title="Lot d'un autre titulaire")
    OfferFactory(lot=lots[0], company=company)
    OfferFactory(lot=lots[1], company=company)
    OfferFactory(lot=lots[1], company=company, status=OfferStatus.DRAFT)
    db.session.commit()
    app.config["PAGE_SIZE"] = 2
    login_as("company")

    first = client.get("/entreprise").get_data(as_text=True)
    second = client.get("/entreprise?page=2").get_data(as_text=True)

    assert h1(first) == "Espace entreprise"
    lot_rows, offer_rows = tables(first)
    assert [row[1:] for row in lot_rows] == [["Lot 1 — Lot métier 1", "100", "150", f"150{NBSP}%"],
                                             ["Lot 2 — Lot métier 2", "200", "0", f"0{NBSP}%"]]
    assert "Page 1 sur 2" in first and 'href="/entreprise?page=2"' in first
    offers = dict(offer_rows)
    assert offers["Publiée"] == "2" and offers["Brouillon"] == "1" and offers["Pourvue"] == "0"
    assert [row[1] for row in table_rows(second)[:1]] == ["Lot 3 — Lot métier 3"]
    assert "Page 2 sur 2" in second
    assert "autre titulaire" not in first + second


def test_buyer_home_lists_its_contracts_with_lots_and_hours(db, territory, personas, client, login_as):
    buyer = personas["buyer"].organisation
    contract = ContractFactory(buyer=buyer, reference="2025-ACH", object="Rénovation d'un gymnase")
    lot1 = clause_lot(contract, 1000, number=1)
    clause_lot(contract, 500, number=2)
    LotFactory(contract=contract, number=3)  # a lot without clause still counts as a lot
    hours(lot1, 300)
    hours(lot1, 100, status=HoursStatus.DECLARED)
    ContractFactory(buyer=buyer, reference="2025-VIDE", clause_kind=None)
    ContractFactory(buyer=BuyerFactory(territory=territory), reference="2025-AUTRE")
    db.session.commit()
    login_as("buyer")

    html = client.get("/acheteur").get_data(as_text=True)

    assert h1(html) == "Espace acheteur public"
    rows = {row[0]: row for row in table_rows(html)}
    assert set(rows) == {"2025-ACH", "2025-VIDE"}
    assert rows["2025-ACH"][4:] == ["3", f"1{NNBSP}500", "300", f"20{NBSP}%"]
    assert rows["2025-VIDE"][3:] == ["Aucune", "0", "0", "0", "—"]
    assert "<form" not in html.split('<main id="contenu"')[1]  # read-only


def test_admin_home_counts_accounts_organisations_jobs_and_outbox(db, personas, client, login_as):
    UserFactory(role=Role.PRESCRIBER)
    UserFactory(role=Role.PRESCRIBER)
    start = utcnow() - timedelta(hours=30)
    for n in range(25):
        JobRunFactory(job_name=f"tache_{n:02d}", started_at=start + timedelta(hours=n), succeeded=n != 24)
    for _ in range(3):
        OutboxMessageFactory()
    OutboxMessageFactory(sent_at=utcnow())
    db.session.commit()
    login_as("admin")

    html = client.get("/admin").get_data(as_text=True)

    assert h1(html) == "Administration"
    by_role, by_kind, runs = (dict(table) if n < 2 else table for n, table in enumerate(tables(html)))
    assert by_role == {"Facilitateur": "1", "Prescripteur": "3", "Entreprise": "1", "Acheteur public": "1",
                       "Administrateur": "1"}
    assert by_kind == {"Équipe de facilitation": "1", "Prescripteur": "1", "Entreprise": "1",
                       "Acheteur public": "1"}
    assert len(runs) == 20
    assert runs[0][0] == "tache_24" and runs[0][3] == "Échec" and runs[-1][0] == "tache_05"
    assert figures(html) == {"Courriels en attente d'envoi": "3"}


def test_facilitator_figures_link_to_the_lists_they_count(territory_data, client, login_as):
    login_as("facilitator")
    html = client.get("/facilitateur").get_data(as_text=True)
    links = re.findall(r'<dd class="chiffre__valeur"><a href="([^"]+)" class="chiffre__lien" '
                       r'aria-label="([^"]+)"', html)
    targets = {label.split(" : ")[0].replace("&#39;", "'"): href for href, label in links}
    assert len(targets) == 9  # every figure of the page
    assert targets["Candidats"] == "/candidats"
    assert targets["Candidatures en attente de validation d'éligibilité"] == "/orientations?etat=submitted"
    assert targets["Offres publiées"] == "/facilitateur/offres?statut=published"
    assert targets["Suivis à 6 mois à réaliser"] == "/suivis?etat=a_faire"
    assert targets["Heures réalisées et validées"] == "/rapports/heures"
    for href in set(targets.values()):
        assert client.get(href).status_code == 200, href
