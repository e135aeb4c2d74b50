"""`flask seed scale` at a small size (on SQLite, and on PostgreSQL's COPY in the PostgreSQL pass):
the counts asked, consistent references, the pages of each role working on the result, and a
second run refused."""
import pytest
from database_support import empty_domain_tables
from seed_queries import rows, value

from clausematch import create_app
from clausematch.extensions import db as _db
from clausematch.text import skeleton
from seeds.scale import DOMAIN, PASSWORD, email

CANDIDATES, OFFERS, HOURS, TERRITORIES = 300, 40, 700, 2


@pytest.fixture(scope="module")
def scaled(database_url, referential_index):
    from clausematch.referential import search

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    app.extensions[search.EXTENSION_KEY] = referential_index
    with app.app_context():
        result = app.test_cli_runner().invoke(args=[
            "seed", "scale", "--candidates", CANDIDATES, "--offers", OFFERS, "--hours-entries", HOURS,
            "--territories", TERRITORIES])
        yield app, result
        _db.session.remove()
        empty_domain_tables(_db)
        _db.engine.dispose()


def test_counts_match_the_options(scaled):
    _app, result = scaled
    assert result.exit_code == 0, result.output
    assert value("SELECT COUNT(*) FROM candidates") == CANDIDATES
    assert value("SELECT COUNT(*) FROM offers") == OFFERS
    assert value("SELECT COUNT(*) FROM offers WHERE search_words = ''") == 0  # the board's search index
    assert value("SELECT COUNT(*) FROM hours_entries") == HOURS
    assert value("SELECT COUNT(*) FROM territories") == TERRITORIES
    assert value("SELECT COUNT(DISTINCT territory_id) FROM candidates") == TERRITORIES
    assert value("SELECT COUNT(*) FROM users") == 1 + TERRITORIES * (5 + 10 + 50 + 40)
    assert value("SELECT COUNT(*) FROM consents") == CANDIDATES
    assert value("SELECT COUNT(*) FROM candidates c WHERE NOT EXISTS "
                 "(SELECT 1 FROM candidate_desired_jobs j WHERE j.candidate_id = c.id)") == 0
    assert value("SELECT COUNT(*) FROM applications WHERE status = 'hired'") == \
        value("SELECT COUNT(*) FROM employment_contracts") > 0
    assert f"Mot de passe de tous les comptes : {PASSWORD}" in result.output
    assert email("facilitateur", 0) in result.output


def test_references_are_consistent(scaled):
    # Children point to existing parents, inside one territory, and copies agree with their source.
    assert value("SELECT COUNT(*) FROM applications a JOIN candidates c ON c.id = a.candidate_id "
                 "JOIN offers o ON o.id = a.offer_id WHERE o.territory_id <> c.territory_id "
                 "OR a.prescriber_id <> c.prescriber_id") == 0
    assert value("SELECT COUNT(*) FROM hours_entries h LEFT JOIN employment_contracts e ON e.id = h.contract_id "
                 "WHERE e.id IS NULL OR e.candidate_id <> h.candidate_id OR e.lot_id <> h.lot_id "
                 "OR e.company_id <> h.company_id") == 0
    assert value("SELECT COUNT(*) FROM employment_contracts e JOIN applications a ON a.id = e.application_id "
                 "JOIN offers o ON o.id = a.offer_id WHERE a.candidate_id <> e.candidate_id "
                 "OR o.lot_id <> e.lot_id OR a.status <> 'hired'") == 0
    assert value("SELECT COUNT(*) FROM offers o JOIN lots l ON l.id = o.lot_id JOIN contracts k "
                 "ON k.id = l.contract_id WHERE k.territory_id <> o.territory_id OR l.company_id <> o.company_id") == 0
    assert value("SELECT COUNT(*) FROM candidates c JOIN memberships m ON m.user_id = c.referent_id "
                 "WHERE m.organisation_id <> c.prescriber_id") == 0
    assert value("SELECT COUNT(*) FROM applications a WHERE NOT EXISTS (SELECT 1 FROM application_events e "
                 "WHERE e.application_id = a.id AND e.to_status = a.status)") == 0
    assert value("SELECT COUNT(*) FROM hours_entries WHERE status = 'declared'") > 0
    # Names written in bulk get what the searches compare (rebuild_name_words; search_name by the seed).
    assert value("SELECT COUNT(*) FROM users WHERE search_name = ''") == 0
    words = rows("SELECT word, skeleton FROM candidate_name_words ORDER BY candidate_id, word LIMIT 500")
    assert words and all(written == skeleton(word) for word, written in words)


def test_the_bulk_load_leaves_the_whole_schema_and_the_hours_totals(scaled):
    """Foreign keys and indexes dropped for the copy (PostgreSQL) are back, the triggers of the
    hours totals are on again and the totals match the entries."""
    import sqlalchemy as sa

    from clausematch.pathways import hours_totals
    from clausematch.pathways.models import HoursEntry
    from seeds.scale import BULK_MODELS

    inspector, named = sa.inspect(_db.engine), _db.engine.dialect.identifier_preparer.format_constraint
    for model in BULK_MODELS:
        table = model.__table__
        assert {fk["name"] for fk in inspector.get_foreign_keys(table.name)} == \
            {named(fk) for fk in table.foreign_key_constraints}, table.name
        assert {index.name for index in table.indexes} <= {ix["name"] for ix in inspector.get_indexes(table.name)}
    assert hours_totals.mismatches() == []
    assert value("SELECT SUM(entries) FROM lot_month_hours") == HOURS
    entry = _db.session.scalars(sa.select(HoursEntry).limit(1)).one()
    entry.hours += 1
    _db.session.commit()
    assert hours_totals.mismatches() == []


@pytest.mark.parametrize("account, paths", [
    (("facilitateur", 0), ["/facilitateur", "/rapports/entonnoir", "/rapports/heures", "/heures/a-valider",
                           "/gestion/offres/{offer}/candidats-suggeres"]),
    (("prescripteur", 0), ["/prescripteur", "/candidats", "/candidats/{candidate}/offres-suggerees"]),
    (("entreprise", 0), ["/entreprise", "/entreprise/candidatures", "/entreprise/heures"]),
    (("acheteur", 0), ["/acheteur"]),
])
def test_pages_work_on_the_result(scaled, account, paths):
    app, _result = scaled
    client = app.test_client()
    response = client.post("/connexion", data={"email": email(*account), "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    offer = value("SELECT MIN(id) FROM offers WHERE territory_id = 1 AND status = 'published'")
    candidate = value("SELECT MIN(c.id) FROM candidates c JOIN users u ON u.id = c.referent_id "
                      "WHERE u.email = :e", e=email("prescripteur", 0))
    for path in paths:
        response = client.get(path.format(offer=offer, candidate=candidate))
        assert response.status_code == 200, path
    assert client.get("/offres?q=macon").status_code == 200


def test_second_run_is_refused(scaled):
    app, _result = scaled
    again = app.test_cli_runner().invoke(args=["seed", "scale", "--candidates", 10, "--offers", 5,
                                               "--hours-entries", 0, "--territories", 1])
    assert again.exit_code != 0
    assert "ne se charge que sur une base vide" in again.output
    assert value("SELECT COUNT(*) FROM candidates") == CANDIDATES


def test_bad_sizes_are_refused_in_french(scaled):
    app, _result = scaled
    result = app.test_cli_runner().invoke(args=["seed", "scale", "--candidates", 3, "--offers", 5,
                                                "--territories", 4])
    assert result.exit_code == 2 and "au moins un candidat et une offre par territoire" in result.output


def test_accounts_live_on_their_own_domain():
    assert email("prescripteur", 1, 3) == f"prescripteur-2-4@{DOMAIN}"
