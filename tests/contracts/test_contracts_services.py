"""Services: buyers, companies (SIRET, uniqueness, commune), contracts, lots, clauses; each
refusal in French on the right field, nothing half-saved, every change audited."""
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from clausematch.accounts.models import BuyerKind, Company, CompanyKind
from clausematch.audit import AuditEvent
from clausematch.contracts import clauses, organisations, services
from clausematch.contracts.models import Clause, ClauseKind, Contract, Lot, ObjectiveMethod
from clausematch.errors import DomainError, NotAllowed
from clausematch.vocabulary import Sector


def company_input(**values):
    data = {"name": "Bâtisseurs du 93", "company_kind": CompanyKind.TITULAIRE, "siret": "732 829 320 00074"}
    return organisations.CompanyInput(**{**data, **values})


def contract_input(buyer_id, **values):
    data = {"reference": "2025-BAT-014", "object": "Réhabilitation du groupe scolaire Jules-Vallès",
            "buyer_id": buyer_id, "sector": Sector.CONSTRUCTION, "amount_ht": Decimal("2500000"),
            "notified_on": date(2025, 1, 15), "start_date": date(2025, 2, 1), "end_date": date(2026, 6, 30),
            "clause_kind": ClauseKind.EXECUTION_CONDITION}
    return services.ContractInput(**{**data, **values})


def lot_input(**values):
    data = {"number": 1, "title": "Gros œuvre", "company_id": None, "amount_ht": Decimal("1000000"),
            "start_date": date(2025, 3, 1), "end_date": date(2026, 3, 31)}
    return services.LotInput(**{**data, **values})


def audit_actions(db) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


# --- Companies and buyers -----------------------------------------------------------------------

def test_a_facilitator_creates_a_company_with_its_siret_normalised_and_commune_resolved(db, personas, territory):
    from clausematch.accounts.models import TerritoryCommune

    db.session.add(TerritoryCommune(territory_id=territory.id, commune_insee="93001"))  # Aubervilliers
    facilitator = personas["facilitator"]
    company = organisations.create_company(facilitator, company_input(email=" Contact@Batisseurs.FR ",
                                                                      commune="Saint-Denis"))
    db.session.expire_all()
    company = db.session.get(Company, company.id)
    assert company.siret == "73282932000074"
    # Saint-Denis of the territory's department, not the larger one of La Réunion.
    assert company.commune_insee == "93066"
    assert company.email == "contact@batisseurs.fr"
    assert company.territory_id == facilitator.organisation.territory_id
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "company_created"))
    assert (event.entity_id, event.actor_id) == (company.id, facilitator.id)


@pytest.mark.parametrize(("siret", "fragment"), [("7328293200007", "14 chiffres"),
                                                 ("73282932000075", "clé de contrôle")])
def test_a_wrong_siret_is_refused_on_the_siret_field(db, personas, siret, fragment):
    with pytest.raises(DomainError) as refused:
        organisations.create_company(personas["facilitator"], company_input(siret=siret))
    assert refused.value.field == "siret"
    assert fragment in refused.value.message
    assert db.session.scalar(sa.select(sa.func.count(Company.id)).where(Company.name == "Bâtisseurs du 93")) == 0


def test_la_poste_is_accepted_despite_its_checksum(db, personas):
    company = organisations.create_company(personas["facilitator"],
                                           company_input(name="La Poste", siret="356 000 000 49837"))
    assert company.siret == "35600000049837"


def test_a_siret_already_registered_names_the_company(db, personas):
    existing = personas["company"].organisation
    with pytest.raises(DomainError) as refused:
        organisations.create_company(personas["facilitator"], company_input(siret=existing.siret))
    assert refused.value.field == "siret"
    assert refused.value.message == f"Une entreprise avec ce SIRET existe déjà : {existing.name}"


def test_a_siret_of_another_territory_is_refused_without_naming_it(db, personas):
    from factories import CompanyFactory, TerritoryFactory

    elsewhere = CompanyFactory(territory=TerritoryFactory(name="Est Ensemble"), name="Secret SA")
    with pytest.raises(DomainError) as refused:
        organisations.create_company(personas["facilitator"], company_input(siret=elsewhere.siret))
    assert "Secret SA" not in refused.value.message
    assert "autre territoire" in refused.value.message


def test_editing_a_company_keeps_its_own_siret(db, personas):
    company = personas["company"].organisation
    updated = organisations.update_company(personas["facilitator"], company.id,
                                           company_input(name="Nouveau nom", siret=company.siret))
    assert updated.name == "Nouveau nom"
    assert "company_updated" in audit_actions(db)


def test_an_unknown_commune_is_refused_and_leaves_the_company_untouched(db, personas):
    company = personas["company"].organisation
    old_name = company.name
    with pytest.raises(DomainError) as refused:
        organisations.update_company(personas["facilitator"], company.id,
                                     company_input(name="Autre", siret=company.siret, commune="zzzzqqqxxw"))
    assert refused.value.field == "commune"
    db.session.rollback()
    assert db.session.get(Company, company.id).name == old_name


def test_a_commune_picked_in_the_autocomplete_wins_while_its_name_is_kept(db, personas):
    # Hidden INSEE code of Saint-Denis de La Réunion (97411) with its name typed: kept as picked.
    company = organisations.create_company(personas["facilitator"],
                                           company_input(commune="Saint-Denis (97400)", commune_insee="97411"))
    assert company.commune_insee == "97411"
    # Text changed after picking: the text wins.
    db.session.delete(company)
    db.session.commit()
    company = organisations.create_company(personas["facilitator"],
                                           company_input(commune="Aubervilliers", commune_insee="97411"))
    assert company.commune_insee == "93001"


def test_other_roles_and_territories_cannot_manage_companies(db, personas):
    from factories import CompanyFactory, TerritoryFactory

    for role in ("prescriber", "company", "buyer", "admin"):
        with pytest.raises(NotAllowed):
            organisations.create_company(personas[role], company_input())
    elsewhere = CompanyFactory(territory=TerritoryFactory(name="Est Ensemble"))
    with pytest.raises(NotAllowed):
        organisations.update_company(personas["facilitator"], elsewhere.id, company_input(siret=elsewhere.siret))


def test_a_buyer_siret_is_optional_but_checked_when_given(db, personas):
    facilitator = personas["facilitator"]
    buyer = organisations.create_buyer(facilitator, organisations.BuyerInput(name="Ville de Saint-Ouen",
                                                                             buyer_kind=BuyerKind.CITY))
    assert buyer.siret is None and buyer.buyer_kind == BuyerKind.CITY
    with pytest.raises(DomainError) as refused:
        organisations.create_buyer(facilitator, organisations.BuyerInput(
            name="Plaine Commune Habitat", buyer_kind=BuyerKind.SOCIAL_LANDLORD, siret="12345678901234"))
    assert refused.value.field == "siret"
    assert audit_actions(db) == ["buyer_created"]


# --- Contracts ------------------------------------------------------------------------------------

def test_a_contract_is_created_in_the_facilitator_territory_and_audited(db, personas):
    buyer = personas["buyer"].organisation
    contract = services.create_contract(personas["facilitator"], contract_input(buyer.id))
    assert contract.territory_id == buyer.territory_id
    assert contract.clause_kind == ClauseKind.EXECUTION_CONDITION
    assert audit_actions(db) == ["contract_created"]


def test_a_reference_is_unique_per_buyer_whatever_the_case(db, personas, build):
    buyer = personas["buyer"].organisation
    services.create_contract(personas["facilitator"], contract_input(buyer.id))
    with pytest.raises(DomainError) as refused:
        services.create_contract(personas["facilitator"], contract_input(buyer.id, reference="2025-bat-014"))
    assert refused.value.field == "reference"
    # Another buyer may use the same reference.
    other = build.other_buyer()
    assert services.create_contract(personas["facilitator"], contract_input(other.id)).reference == "2025-BAT-014"


def test_editing_a_contract_keeps_its_own_reference(db, personas):
    buyer = personas["buyer"].organisation
    contract = services.create_contract(personas["facilitator"], contract_input(buyer.id))
    services.update_contract(personas["facilitator"], contract.id,
                             contract_input(buyer.id, clause_kind=None, object="Nouvel objet"))
    db.session.expire_all()
    contract = db.session.get(Contract, contract.id)
    assert (contract.object, contract.clause_kind) == ("Nouvel objet", None)


@pytest.mark.parametrize(("values", "field"), [
    ({"end_date": date(2025, 1, 31)}, "end_date"),
    ({"start_date": date(2025, 1, 2)}, "start_date"),
    ({"notified_on": date(2205, 1, 15)}, "notified_on"),
    ({"amount_ht": Decimal("-1")}, "amount_ht"),
    ({"reference": "  "}, "reference"),
])
def test_contract_rules_are_checked_with_the_field_named(db, personas, values, field):
    buyer = personas["buyer"].organisation
    with pytest.raises(DomainError) as refused:
        services.create_contract(personas["facilitator"], contract_input(buyer.id, **values))
    assert refused.value.field == field
    assert db.session.scalar(sa.select(sa.func.count(Contract.id))) == 0


def test_a_buyer_of_another_territory_is_refused(db, personas):
    from factories import BuyerFactory, TerritoryFactory

    elsewhere = BuyerFactory(territory=TerritoryFactory(name="Est Ensemble"))
    with pytest.raises(DomainError) as refused:
        services.create_contract(personas["facilitator"], contract_input(elsewhere.id))
    assert refused.value.field == "buyer_id"


def test_only_facilitators_create_contracts(db, personas):
    buyer = personas["buyer"].organisation
    for role in ("prescriber", "company", "buyer", "admin"):
        with pytest.raises(NotAllowed):
            services.create_contract(personas[role], contract_input(buyer.id))


# --- Lots -----------------------------------------------------------------------------------------

def test_a_lot_number_is_unique_within_its_contract(db, personas, build):
    contract = build.contract()
    company = personas["company"].organisation
    lot = services.create_lot(personas["facilitator"], contract.id, lot_input(company_id=company.id))
    assert (lot.number, lot.company_id) == (1, company.id)
    with pytest.raises(DomainError) as refused:
        services.create_lot(personas["facilitator"], contract.id, lot_input(title="Second œuvre"))
    assert refused.value.field == "number"
    assert "lot n° 1" in refused.value.message
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Lot.id))) == 1
    assert services.create_lot(personas["facilitator"], contract.id, lot_input(number=2)).number == 2


@pytest.mark.parametrize(("values", "field"), [
    ({"start_date": date(2025, 1, 1)}, "start_date"),  # before the contract starts (2025-02-01)
    ({"end_date": date(2027, 1, 1)}, "end_date"),  # after the contract ends (2026-12-31)
    ({"end_date": date(2025, 2, 28)}, "end_date"),  # before its own start
    ({"number": 0}, "number"),
    ({"amount_ht": Decimal("-5")}, "amount_ht"),
])
def test_lot_rules_are_checked(db, personas, build, values, field):
    contract = build.contract(start_date=date(2025, 2, 1), end_date=date(2026, 12, 31))
    with pytest.raises(DomainError) as refused:
        services.create_lot(personas["facilitator"], contract.id, lot_input(**values))
    assert refused.value.field == field


def test_a_lot_goes_to_a_company_of_the_territory_only(db, personas, build):
    from factories import CompanyFactory, TerritoryFactory

    contract = build.contract()
    elsewhere = CompanyFactory(territory=TerritoryFactory(name="Est Ensemble"))
    with pytest.raises(DomainError) as refused:
        services.create_lot(personas["facilitator"], contract.id, lot_input(company_id=elsewhere.id))
    assert refused.value.field == "company_id"


def test_editing_a_lot_changes_it_and_audits(db, personas, build):
    lot = build.lot(number=3)
    services.update_lot(personas["facilitator"], lot.id, lot_input(number=3, title="Lot modifié",
                                                                    start_date=lot.start_date, end_date=None))
    db.session.expire_all()
    assert db.session.get(Lot, lot.id).title == "Lot modifié"
    assert audit_actions(db) == ["lot_updated"]


# --- Clauses and the calculator -------------------------------------------------------------------

def test_the_calculator_gives_833_hours_for_the_textbook_example():
    hours = clauses.calculate_objective(Decimal("1000000"), Decimal("50"), Decimal("5"), Decimal("30"))
    assert hours == Decimal("833")


def test_the_calculator_accepts_decimal_rates():
    # 1 000 000 × 50 % × 5,5 % ÷ 30 = 916,67 → 917 h
    assert clauses.calculate_objective(Decimal("1000000"), Decimal("50"), Decimal("5.5"), Decimal("30")) == 917


@pytest.mark.parametrize(("factors", "field"), [
    ((None, 50, 5, 30), "amount_ht"),
    ((1000, 0, 5, 30), "labour_share_percent"),
    ((1000, 120, 5, 30), "labour_share_percent"),
    ((1000, 50, None, 30), "insertion_rate_percent"),
    ((1000, 50, "5.555", 30), "insertion_rate_percent"),
    ((1000, 50, 5, 0), "hourly_cost"),
])
def test_the_calculator_names_the_wrong_factor(factors, field):
    values = [Decimal(str(v)) if v is not None else None for v in factors]
    with pytest.raises(DomainError) as refused:
        clauses.calculate_objective(*values)
    assert refused.value.field == field


def test_a_computed_clause_stores_its_factors_as_shares(db, personas, build):
    lot = build.lot()
    clause = clauses.save_clause(personas["facilitator"], lot.id, clauses.ClauseInput(
        method=ObjectiveMethod.COMPUTED, amount_ht=Decimal("1000000"), labour_share_percent=Decimal("50"),
        insertion_rate_percent=Decimal("5"), hourly_cost=Decimal("30"),
        eligible_criteria=["rsa", "deld"], allowed_modes=["direct", "etti"]))
    db.session.expire_all()
    clause = db.session.get(Clause, clause.id)
    assert clause.hours_objective == Decimal("833")
    assert (clause.labour_share, clause.insertion_rate, clause.hourly_cost) == (
        Decimal("0.5"), Decimal("0.05"), Decimal("30"))
    assert clause.eligible_criteria == ["deld", "rsa"]  # vocabulary order
    assert clause.allowed_modes == ["direct", "etti"]
    assert audit_actions(db) == ["clause_created"]


def test_a_fixed_objective_replaces_the_factors(db, personas, build):
    lot = build.lot(objective=833)
    clause = clauses.save_clause(personas["facilitator"], lot.id, clauses.ClauseInput(
        method=ObjectiveMethod.FIXED, hours_objective=Decimal("1200")))
    assert clause.hours_objective == Decimal("1200")
    assert clause.labour_share is None
    assert db.session.scalar(sa.select(sa.func.count(Clause.id))) == 1
    assert audit_actions(db) == ["clause_updated"]


def test_a_fixed_objective_needs_hours_and_unknown_publics_are_refused(db, personas, build):
    lot = build.lot()
    with pytest.raises(DomainError) as refused:
        clauses.save_clause(personas["facilitator"], lot.id, clauses.ClauseInput(method=ObjectiveMethod.FIXED))
    assert refused.value.field == "hours_objective"
    with pytest.raises(DomainError) as refused:
        clauses.save_clause(personas["facilitator"], lot.id, clauses.ClauseInput(
            method=ObjectiveMethod.FIXED, hours_objective=Decimal(10), eligible_criteria=["millionaire"]))
    assert refused.value.field == "eligible_criteria"
    assert db.session.scalar(sa.select(sa.func.count(Clause.id))) == 0


def test_calculator_defaults_come_from_the_territory_and_the_lot(db, personas, build, territory):
    territory.default_insertion_rate = Decimal("0.10")  # Olympic works: 10 %
    lot = build.lot(amount_ht=Decimal("2000000"))
    defaults = clauses.calculator_defaults(lot, territory)
    assert defaults.amount_ht == Decimal("2000000")
    assert (defaults.labour_share_percent, defaults.insertion_rate_percent) == (Decimal("50"), Decimal("10"))
    assert defaults.hourly_cost == Decimal("30")


def test_company_users_cannot_write_the_clause_of_their_own_lot(db, personas, build):
    lot = build.lot()
    with pytest.raises(NotAllowed):
        clauses.save_clause(personas["company"], lot.id, clauses.ClauseInput(
            method=ObjectiveMethod.FIXED, hours_objective=Decimal(1)))


def test_a_contract_cannot_be_shortened_past_its_lots(db, personas, build):
    lot = build.lot(start_date=date(2025, 3, 1), end_date=date(2026, 6, 30))
    contract = lot.contract
    data = contract_input(contract.buyer_id, reference=contract.reference, notified_on=contract.notified_on,
                          start_date=date(2025, 4, 1), end_date=contract.end_date)
    with pytest.raises(DomainError) as refused:
        services.update_contract(personas["facilitator"], contract.id, data)
    assert refused.value.field == "start_date" and "01/03/2025" in refused.value.message
    with pytest.raises(DomainError) as refused:
        services.update_contract(personas["facilitator"], contract.id, contract_input(
            contract.buyer_id, reference=contract.reference, start_date=date(2025, 2, 1),
            end_date=date(2026, 1, 31)))
    assert refused.value.field == "end_date"
