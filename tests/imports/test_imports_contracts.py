"""The `contracts` kind: contracts, lots and clauses from one line per lot."""
from decimal import Decimal

import sqlalchemy as sa
from import_files import COMPANY_HEADER, CONTRACT_HEADER, company_line, contract_line, csv_bytes, siret, xlsx_bytes

from clausematch.accounts.models import Buyer, BuyerKind
from clausematch.contracts.models import Clause, ClauseKind, Contract, Lot, ObjectiveMethod
from clausematch.imports.base import Outcome
from clausematch.imports.companies import KIND as COMPANIES
from clausematch.imports.contracts import KIND as CONTRACTS
from clausematch.imports.runner import commit, preview
from clausematch.imports.tabular import template_csv, template_xlsx
from clausematch.vocabulary import Sector


def count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def with_companies(db, territory, facilitator, *numbers):
    rows = [COMPANY_HEADER] + [company_line(n) for n in numbers]
    assert commit(COMPANIES, territory, facilitator, csv_bytes(rows), "e.csv").committed


def test_creates_buyer_contract_lots_and_clauses(db, territory, facilitator):
    with_companies(db, territory, facilitator, 1, 2)
    data = csv_bytes([CONTRACT_HEADER,
                      contract_line(lot=1, company=siret(1), hours="800"),
                      contract_line(lot=2, company=siret(2), hours="", title="Électricité"),
                      contract_line(reference="2025-002", lot=1, company=siret(1), hours="120,5")])
    report = commit(CONTRACTS, territory, facilitator, data, "marches.csv")
    assert report.committed, report.refused
    assert [r.outcome for r in report.results] == [Outcome.CREATED] * 3
    buyer = db.session.scalars(sa.select(Buyer).where(Buyer.name == "Ville de Saint-Denis")).one()
    assert buyer.buyer_kind == BuyerKind.CITY and buyer.territory_id == territory.id
    contract = db.session.scalars(sa.select(Contract).where(Contract.reference == "2025-001")).one()
    assert (contract.sector, contract.amount_ht, contract.clause_kind) == (
        Sector.CONSTRUCTION, Decimal("1000000"), ClauseKind.EXECUTION_CONDITION)
    assert [(lot.number, lot.title, lot.company.siret) for lot in contract.lots] == [
        (1, "Gros œuvre", siret(1)), (2, "Électricité", siret(2))]
    assert contract.lots[0].clause.hours_objective == Decimal("800")
    assert contract.lots[0].clause.objective_method == ObjectiveMethod.FIXED
    assert contract.lots[1].clause is None  # no clause column filled
    assert contract.lots[0].amount_ht == Decimal("1000000")  # the contract's, the column being absent
    other = db.session.scalars(sa.select(Contract).where(Contract.reference == "2025-002")).one()
    assert other.buyer_id == buyer.id and other.lots[0].clause.hours_objective == Decimal("120.5")


def test_reimport_unchanged_then_update_names_the_fields(db, territory, facilitator):
    with_companies(db, territory, facilitator, 1)
    rows = [CONTRACT_HEADER, contract_line(company=siret(1)), contract_line(lot=2, company=siret(1))]
    commit(CONTRACTS, territory, facilitator, csv_bytes(rows), "m.csv")
    counts = (count(db, Buyer), count(db, Contract), count(db, Lot), count(db, Clause))
    again = commit(CONTRACTS, territory, facilitator, csv_bytes(rows), "m.csv")
    assert [r.outcome for r in again.results] == [Outcome.UNCHANGED] * 2
    assert (count(db, Buyer), count(db, Contract), count(db, Lot), count(db, Clause)) == counts
    changed = [CONTRACT_HEADER, contract_line(company=siret(1), hours="900"),
               contract_line(lot=2, company=siret(1), title="Plomberie")]
    report = commit(CONTRACTS, territory, facilitator, csv_bytes(changed), "m.csv")
    assert [r.outcome for r in report.results] == [Outcome.UPDATED] * 2
    assert report.results[0].message == "Modifié : heures d'insertion."
    assert report.results[1].message == "Modifié : intitulé du lot."
    db.session.expire_all()
    lot = db.session.scalars(sa.select(Lot).where(Lot.number == 2)).one()
    assert (lot.title, lot.version) == ("Plomberie", 2)
    assert db.session.scalars(sa.select(Clause).join(Lot).where(Lot.number == 1)).one().hours_objective == 900


def test_refusals_with_the_forms_words_and_nothing_written(db, territory, facilitator):
    with_companies(db, territory, facilitator, 1)
    bad_dates = contract_line(reference="2025-003", start="01/01/2024")
    bad_company = contract_line(reference="2025-004", company=siret(7))
    unknown_sector = contract_line(reference="2025-005")
    unknown_sector[5] = "Agriculture"
    data = csv_bytes([CONTRACT_HEADER, contract_line(company=siret(1)), contract_line(company=siret(1)),
                      bad_dates, bad_company, unknown_sector])
    report = commit(CONTRACTS, territory, facilitator, data, "m.csv")
    assert not report.committed
    assert [r.line for r in report.refused] == [3, 4, 5, 6]
    assert report.refused[0].message == "même marché et même lot que la ligne 2."
    assert "L'exécution ne peut pas commencer avant la notification du marché." in report.refused[1].refusals
    assert "importez d'abord les entreprises" in report.refused[2].message
    assert "Secteur : « Agriculture » inconnu" in report.refused[3].message
    assert count(db, Contract) == 0 and count(db, Lot) == 0
    assert db.session.scalars(sa.select(Buyer).where(Buyer.name == "Ville de Saint-Denis")).all() == []


def test_contract_columns_must_agree_across_its_lots(db, territory, facilitator):
    rows = [CONTRACT_HEADER, contract_line(lot=1), contract_line(lot=2, object_="Autre objet")]
    report = preview(CONTRACTS, territory, facilitator, csv_bytes(rows), "m.csv")
    assert report.results[1].outcome == Outcome.REFUSED
    assert "décrit autrement à la ligne 2 (objet du marché)" in report.results[1].message


def test_clause_rules_are_the_clause_forms(db, territory, facilitator):
    header = CONTRACT_HEADER + ["Calcul de l'objectif", "Part de main-d'œuvre (%)", "Taux d'insertion (%)",
                                "Coût horaire (€)", "Publics éligibles", "Forfait CDI (heures)"]
    computed = contract_line(hours="") + ["Calculé", "50", "5", "30", "rsa, QPV", "0"]
    wrong = contract_line(reference="2025-009", hours="") + ["calcule", "150", "", "30", "martiens", "-1"]
    report = preview(CONTRACTS, territory, facilitator, csv_bytes([header, computed, wrong]), "m.csv")
    assert report.results[0].outcome == Outcome.CREATED
    assert any("Publics éligibles : « martiens » inconnu" in r for r in report.results[1].refusals)
    report = preview(CONTRACTS, territory, facilitator, csv_bytes([header, computed, wrong[:-2] + ["", "-1"]]), "m")
    assert "Indiquez la part de main-d'œuvre en pourcentage, entre 0 (exclu) et 100." in report.results[1].refusals
    assert "Indiquez le taux d'insertion en pourcentage, entre 0 (exclu) et 100." in report.results[1].refusals
    commit(CONTRACTS, territory, facilitator, csv_bytes([header, computed]), "m.csv")
    clause = db.session.scalars(sa.select(Clause)).one()
    assert clause.objective_method == ObjectiveMethod.COMPUTED
    assert clause.hours_objective == Decimal("833")  # 1 000 000 × 50 % × 5 % ÷ 30
    assert clause.eligible_criteria == ["rsa", "qpv"] and clause.cdi_lump_hours == 0


def test_buyer_found_by_siret_and_never_another_territorys(db, territory, facilitator, personas):
    buyer = personas["buyer"].organisation
    buyer.siret = siret(30)
    db.session.commit()
    line = contract_line(buyer_siret=siret(30), buyer_name="Nom différent")
    report = commit(CONTRACTS, territory, facilitator, csv_bytes([CONTRACT_HEADER, line]), "m.csv")
    assert report.committed
    assert db.session.scalars(sa.select(Contract)).one().buyer_id == buyer.id
    from factories import BuyerFactory, TerritoryFactory

    BuyerFactory(territory=TerritoryFactory(), siret=siret(31))
    db.session.commit()
    report = preview(CONTRACTS, territory, facilitator,
                     csv_bytes([CONTRACT_HEADER, contract_line(buyer_siret=siret(31))]), "m.csv")
    assert "ce SIRET est déjà enregistré sur un autre territoire" in report.results[0].message


def test_xlsx_like_csv(db, territory, facilitator):
    rows = [CONTRACT_HEADER, contract_line()]
    commit(CONTRACTS, territory, facilitator, xlsx_bytes(rows), "m.xlsx")
    assert [r.outcome for r in preview(CONTRACTS, territory, facilitator, csv_bytes(rows), "m.csv").results] == [
        Outcome.UNCHANGED]


def figures(db, territory):
    """Contracts, lots and the hour objective per buyer name (what the hours report sums)."""
    stmt = (sa.select(Buyer.name, sa.func.count(sa.distinct(Contract.id)), sa.func.count(Lot.id),
                      sa.func.coalesce(sa.func.sum(Clause.hours_objective), 0))
            .join(Contract, Contract.buyer_id == Buyer.id).join(Lot, Lot.contract_id == Contract.id)
            .outerjoin(Clause, Clause.lot_id == Lot.id).where(Contract.territory_id == territory.id)
            .group_by(Buyer.name).order_by(Buyer.name))
    return [tuple(row) for row in db.session.execute(stmt)]


def test_round_trip_export_empty_import_same_figures(db, territory, facilitator, personas):
    from factories import BuyerFactory, ClauseFactory, CompanyFactory, ContractInTerritoryFactory, LotFactory

    company = personas["company"].organisation
    other_buyer = BuyerFactory(territory=territory, name="Bailleur Est", buyer_kind=BuyerKind.SOCIAL_LANDLORD)
    contract = ContractInTerritoryFactory(buyer=personas["buyer"].organisation, reference="A-1", clause_kind=None)
    ClauseFactory(lot=LotFactory(contract=contract, number=1, company=company), hours_objective=Decimal("700"))
    ClauseFactory(lot=LotFactory(contract=contract, number=2, company=CompanyFactory(territory=territory)),
                  hours_objective=Decimal("150.5"))
    second = ContractInTerritoryFactory(buyer=other_buyer, reference="B-1", end_date=None)
    lot = LotFactory(contract=second, number=3, company=company, end_date=None)
    ClauseFactory(lot=lot, objective_method=ObjectiveMethod.COMPUTED, labour_share=Decimal("0.4"),
                  insertion_rate=Decimal("0.07"), hourly_cost=Decimal("32.5"), hours_objective=Decimal("862"),
                  eligible_criteria=["rsa"], allowed_modes=["direct", "etti"], notes="=note", cdi_lump_hours=70)
    LotFactory(contract=second, number=4, company=None, end_date=None)  # no titulaire, no clause
    db.session.commit()
    source = figures(db, territory)
    companies_file = template_xlsx(COMPANIES, COMPANIES.export_rows(territory))
    contracts_file = template_csv(CONTRACTS, CONTRACTS.export_rows(territory))
    db.session.execute(sa.delete(Clause))
    db.session.execute(sa.delete(Lot))
    db.session.execute(sa.delete(Contract))
    db.session.commit()
    assert figures(db, territory) == []
    assert commit(COMPANIES, territory, facilitator, companies_file, "entreprises.xlsx").committed
    report = commit(CONTRACTS, territory, facilitator, contracts_file, "marches.csv")
    assert report.committed, report.refused
    assert report.counts[Outcome.CREATED] == 4
    assert figures(db, territory) == source
    clause = db.session.scalars(sa.select(Clause).join(Lot).where(Lot.number == 3)).one()
    assert (clause.objective_method, clause.labour_share, clause.hourly_cost, clause.allowed_modes, clause.notes,
            clause.cdi_lump_hours) == (ObjectiveMethod.COMPUTED, Decimal("0.4"), Decimal("32.5"), ["direct", "etti"],
                                       "=note", 70)
    again = commit(CONTRACTS, territory, facilitator, contracts_file, "marches.csv")
    assert again.counts[Outcome.UNCHANGED] == 4


def test_existing_records_read_in_a_bounded_number_of_queries(db, territory, facilitator, count_queries):
    with_companies(db, territory, facilitator, 1)
    rows = [CONTRACT_HEADER] + [contract_line(reference=f"R-{n}", lot=1 + n % 3, company=siret(1))
                                for n in range(300)]
    assert commit(CONTRACTS, territory, facilitator, csv_bytes(rows), "m.csv").committed
    with count_queries() as statements:
        report = preview(CONTRACTS, territory, facilitator, csv_bytes(rows), "m.csv")
    assert report.counts[Outcome.UNCHANGED] == 300
    assert len(statements) <= 8
