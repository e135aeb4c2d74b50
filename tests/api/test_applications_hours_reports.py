"""Applications, a company's hours and the reports through the API: the services' rules and the
pages' predicates and masking."""
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from factories import (
    CandidateInTerritoryFactory,
    ClauseFactory,
    CompanyFactory,
    ContractInTerritoryFactory,
    EmploymentContractFactory,
    HoursEntryFactory,
    LotFactory,
    OfferInTerritoryFactory,
    PrescriberFactory,
)

from clausematch.applications.models import Application
from clausematch.pathways.models import HoursEntry, HoursStatus


def _offer(territory, personas):
    lot = LotFactory(contract=ContractInTerritoryFactory(buyer__territory=territory),
                     company=personas["company"].organisation)
    return OfferInTerritoryFactory(lot=lot, territory_id=territory.id, company=lot.company)


def test_prescriber_proposes_own_candidate_reads_events_and_lists(db, api, personas, territory):
    candidate = CandidateInTerritoryFactory(prescriber=personas["prescriber"].organisation)
    offer = _offer(territory, personas)
    db.session.commit()
    prescriber = api("prescriber")
    created = prescriber.post("/api/v1/orientations", json={"candidat": candidate.id, "offre": offer.id,
                                                           "message": "Motivée"})
    assert created.status_code == 201, created.json
    assert created.json["etat"] == "submitted" and created.json["evenements"][0]["vers"] == "submitted"
    again = prescriber.post("/api/v1/orientations", json={"candidat": candidate.id, "offre": offer.id})
    assert again.status_code == 409 and "déjà été proposé" in again.json["erreur"]["message"]
    got = prescriber.get(f"/api/v1/orientations/{created.json['id']}")
    assert got.status_code == 200 and got.json["candidat"] == candidate.id
    listed = prescriber.get("/api/v1/orientations").json
    assert [line["id"] for line in listed["elements"]] == [created.json["id"]]
    # The facilitator of the territory reads it too; the company token has no application scope.
    assert api("facilitator").get(f"/api/v1/orientations/{created.json['id']}").status_code == 200
    assert api("company").get(f"/api/v1/orientations/{created.json['id']}").status_code == 403
    assert api("prescriber").get("/api/v1/orientations/999999").status_code == 404


def test_proposing_another_organisation_candidate_is_403_and_nothing_saved(db, api, personas, territory):
    other = CandidateInTerritoryFactory(prescriber=PrescriberFactory(territory=territory))
    offer = _offer(territory, personas)
    db.session.commit()
    refused = api("prescriber").post("/api/v1/orientations", json={"candidat": other.id, "offre": offer.id})
    assert refused.status_code == 403 and refused.json["erreur"]["code"] == "interdit"
    missing = api("prescriber").post("/api/v1/orientations", json={"candidat": 999999, "offre": offer.id})
    assert missing.status_code == 422 and "candidat" in missing.json["erreur"]["champs"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 0


def test_company_declares_and_reads_hours_all_or_nothing(db, api, personas, territory):
    lot = LotFactory(contract=ContractInTerritoryFactory(buyer__territory=territory),
                     company=personas["company"].organisation)
    ClauseFactory(lot=lot)
    contract = EmploymentContractFactory(lot=lot, candidate=CandidateInTerritoryFactory(
        prescriber=personas["prescriber"].organisation))
    foreign = EmploymentContractFactory(lot=LotFactory(contract=lot.contract, company=CompanyFactory(
        territory=territory)), candidate=CandidateInTerritoryFactory(prescriber=personas["prescriber"].organisation))
    db.session.commit()
    company = api("company")
    refused = company.post("/api/v1/heures", json={"mois": "2025-04", "lignes": [
        {"contrat": contract.id, "heures": 120}, {"contrat": foreign.id, "heures": 10}]})
    assert refused.status_code == 422
    assert "lignes.1" in refused.json["erreur"]["champs"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HoursEntry)) == 0
    saved = company.post("/api/v1/heures", json={"mois": "2025-04", "lignes": [{"contrat": contract.id,
                                                                                "heures": "120.5"}]})
    assert saved.status_code == 200 and saved.json["creees"] == 1
    entry = db.session.scalar(sa.select(HoursEntry))
    assert entry.hours == Decimal("120.50") and entry.status == HoursStatus.DECLARED
    read = company.get("/api/v1/heures?mois=2025-04").json
    assert [(line["contrat"], line["heures"]) for line in read["elements"]] == [(contract.id, 120.5)]
    assert company.get("/api/v1/heures?mois=avril").status_code == 422
    future = company.post("/api/v1/heures", json={"mois": "2099-01", "lignes": [{"contrat": contract.id,
                                                                                "heures": 1}]})
    assert future.status_code == 422
    # A prescriber's token has no hours scope; a facilitator's neither.
    assert api("prescriber").get("/api/v1/heures?mois=2025-04").status_code == 403


def test_reports_same_figures_as_the_pages_buyer_sees_masked_counts(db, api, personas, territory):
    lot = LotFactory(contract=ContractInTerritoryFactory(buyer=personas["buyer"].organisation),
                     company=personas["company"].organisation)
    ClauseFactory(lot=lot)
    for _ in range(2):
        HoursEntryFactory(contract=EmploymentContractFactory(lot=lot, candidate=CandidateInTerritoryFactory(
            prescriber=personas["prescriber"].organisation)))
    db.session.commit()
    facilitator = api("facilitator").get("/api/v1/rapports/publics")
    buyer = api("buyer").get("/api/v1/rapports/publics")
    assert facilitator.status_code == buyer.status_code == 200
    assert buyer.json["perimetre"]["acheteur"] == str(personas["buyer"].organisation.id)
    facilitator_cells = {str(v) for table in facilitator.json["tableaux"] for row in table["lignes"]
                         for v in row.values()}
    buyer_cells = {str(v) for table in buyer.json["tableaux"] for row in table["lignes"] for v in row.values()}
    assert "< 5" in buyer_cells and "< 5" not in facilitator_cells
    hours = api("facilitator").get("/api/v1/rapports/heures?par=lot")
    assert hours.status_code == 200 and hours.json["tableaux"][0]["lignes"]
    assert api("facilitator").get("/api/v1/rapports/heures?annee=12").status_code == 422
    assert api("company").get("/api/v1/rapports/heures").status_code == 403
    assert api("prescriber").get("/api/v1/rapports/entonnoir").status_code == 403
    for slug in ("entonnoir", "sorties", "clauses"):
        assert api("buyer").get(f"/api/v1/rapports/{slug}").status_code == 200


def test_hours_list_query_count_does_not_grow_with_lines(db, api, personas, territory, count_queries):
    lot = LotFactory(contract=ContractInTerritoryFactory(buyer__territory=territory),
                     company=personas["company"].organisation)

    def entries(n):
        for _ in range(n):
            HoursEntryFactory(month=date(2025, 4, 1), contract=EmploymentContractFactory(
                lot=lot, candidate=CandidateInTerritoryFactory(prescriber=personas["prescriber"].organisation)))
        db.session.commit()
    company = api("company")
    entries(1)
    company.get("/api/v1/heures?mois=2025-04")  # the token's first use writes last_used_at
    db.session.expire_all()
    with count_queries() as few:
        assert company.get("/api/v1/heures?mois=2025-04").json["total"] == 1
    entries(5)
    db.session.expire_all()
    with count_queries() as more:
        assert company.get("/api/v1/heures?mois=2025-04").json["total"] == 6
    assert len(more) == len(few)
