"""Data the schema tests and the access matrix's API rows run against: a candidate, an offer, an
application and hours of the personas' organisations (ids likely to be hit: the first ones)."""
from factories import (
    ApplicationFactory,
    CandidateInTerritoryFactory,
    ClauseFactory,
    ContractInTerritoryFactory,
    EmploymentContractFactory,
    HoursEntryFactory,
    LotFactory,
    OfferInTerritoryFactory,
)


def bearer(secret: str | None) -> dict:
    return {"Authorization": f"Bearer {secret}"} if secret else {}


def build_data(db, personas, territory) -> dict:
    lot = LotFactory(contract=ContractInTerritoryFactory(buyer=personas["buyer"].organisation),
                     company=personas["company"].organisation)
    ClauseFactory(lot=lot)
    offer = OfferInTerritoryFactory(lot=lot, territory_id=territory.id, company=lot.company)
    candidate = CandidateInTerritoryFactory(prescriber=personas["prescriber"].organisation)
    application = ApplicationFactory(candidate=candidate, offer=offer)
    contract = EmploymentContractFactory(lot=lot, candidate=candidate)
    HoursEntryFactory(contract=contract)
    db.session.commit()
    return {"offer": offer.id, "candidate": candidate.id, "application": application.id, "lot": lot.id,
            "contract": contract.id}
