"""The clause share (SPASER indicator, /rapports/clauses) counts imported contracts exactly like
typed ones: the sample's figures computed by hand (data/README.md), and a typed contract beside
the imported ones."""
from datetime import date

from import_files import import_decp

from clausematch.contracts.models import ClauseKind
from clausematch.reporting.filters import Scope
from clausematch.reporting.queries.clause_share import clause_share


def figures(scope):
    return [(line.year, line.contracts, line.with_clause) for line in clause_share(scope)]


def test_clause_share_per_buyer_and_year_from_the_sample(db, buyers, territory, sample_json):
    assert import_decp(territory, None, sample_json, "decp.json").committed
    assert figures(Scope(territory_id=territory.id, buyer_id=buyers.a.id)) == [(2019, 1, 0), (2023, 2, 1), (2024, 3, 2)]
    assert figures(Scope(territory_id=territory.id, buyer_id=buyers.b.id)) == [(2024, 2, 1)]
    assert figures(Scope(territory_id=territory.id, year=2024)) == [(2024, 5, 3)]


def test_the_same_figures_from_the_csv_and_after_importing_twice(db, buyers, territory, sample_json, sample_csv):
    import_decp(territory, None, sample_csv, "decp.csv")
    import_decp(territory, None, sample_json, "decp.json")
    import_decp(territory, None, sample_csv, "decp.csv")
    assert figures(Scope(territory_id=territory.id, buyer_id=buyers.a.id)) == [(2019, 1, 0), (2023, 2, 1), (2024, 3, 2)]


def test_a_typed_contract_counts_beside_the_imported_ones(db, buyers, territory, sample_json, client, login_as):
    from factories import ContractInTerritoryFactory

    ContractInTerritoryFactory(buyer=buyers.a, reference="SAISI-1", notified_on=date(2024, 12, 1),
                               start_date=date(2024, 12, 1), end_date=None, clause_kind=ClauseKind.AWARD_CRITERION)
    db.session.commit()
    import_decp(territory, None, sample_json, "decp.json")
    assert figures(Scope(territory_id=territory.id, buyer_id=buyers.a.id))[-1] == (2024, 4, 3)
    # The report page shows it: 0 of 1 in 2019, 1 of 2 in 2023, 3 of 4 in 2024.
    login_as("facilitator")
    page = client.get(f"/rapports/clauses?acheteur={buyers.a.id}").get_data(as_text=True)
    assert "0\u00a0% → 50\u00a0% → 75\u00a0%" in page
