"""The Alembic history builds exactly the models' schema from an empty database, and takes it
down again. Runs on the backend chosen by --db (a temporary SQLite file, or a throwaway
PostgreSQL database), so each pass of `make test` checks its own backend and nothing is skipped.
"""
import ast
import json
from datetime import datetime
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from clausematch import create_app
from clausematch.extensions import db
from clausematch.offers.search_index import FTS_TABLE

TESTS_DIR = Path(__file__).resolve().parents[1]
VERSIONS_DIR = TESTS_DIR.parent / "migrations" / "versions"
MIGRATION_FILES = sorted(VERSIONS_DIR.glob("*.py"))


def _shared_conftest(config):
    """tests/conftest.py as pytest loaded it (every conftest.py is a module named `conftest`,
    so a plain import could pick up another directory's)."""
    return config.pluginmanager.get_plugin(str(TESTS_DIR / "conftest.py"))


@pytest.fixture
def empty_database_url(request, tmp_path):
    if request.config.getoption("--db") == "postgresql":
        url, drop = _shared_conftest(request.config).create_postgres_database("clausematch_migrations")
    else:
        url, drop = f"sqlite:///{tmp_path / 'migrations.sqlite'}", lambda: None
    yield url
    drop()


@pytest.fixture
def migration_app(empty_database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _schema_differences() -> list:
    """What `flask db migrate` would write: model metadata compared to the live schema."""
    options = dict(current_app.extensions["migrate"].configure_args)
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=options)
        return compare_metadata(context, db.metadata)


def _check_constraint_differences() -> list[str]:
    """Enum columns (VARCHAR + CHECK named ck_<table>_<enum>, database.enum_type) whose CHECK
    constraint in the live schema does not allow exactly the model's values: `compare_metadata` does not compare CHECK
    constraints, so a new enum member without its migration would only fail on the first insert."""
    import re

    inspector = sa.inspect(db.engine)
    differences = []
    for table in db.metadata.sorted_tables:
        checks = inspector.get_check_constraints(table.name)
        for column in table.columns:
            if not (isinstance(column.type, sa.Enum) and column.type.create_constraint):
                continue
            mentioning = [c["sqltext"] for c in checks if c["name"] == f"ck_{table.name}_{column.type.name}"]
            allowed = {value for text in mentioning for value in re.findall(r"'([^']*)'", text)}
            if len(mentioning) != 1 or allowed != set(column.type.enums):
                differences.append(f"{table.name}.{column.name}: {len(mentioning)} constraint(s), "
                                   f"{sorted(allowed)} != {sorted(column.type.enums)}")
    return differences


def _current_heads() -> set[str]:
    with db.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def _script_heads() -> set[str]:
    config = current_app.extensions["migrate"].migrate.get_config()
    return set(ScriptDirectory.from_config(config).get_heads())


def _table_names() -> set[str]:
    """Tables, without the SQLite FTS5 table of the board search and its shadow tables
    (offers_fts, offers_fts_data…): they live outside the models (offers/search_index.py)."""
    return {name for name in sa.inspect(db.engine).get_table_names() if not name.startswith(FTS_TABLE)}


def test_upgrade_from_empty_matches_models_and_downgrade_removes_everything(migration_app):
    flask_migrate.upgrade()
    assert _current_heads() == _script_heads()
    assert _schema_differences() == []
    assert _check_constraint_differences() == []
    assert _table_names() == set(db.metadata.tables) | {"alembic_version"}

    flask_migrate.downgrade(revision="base")
    assert _table_names() == {"alembic_version"}
    assert _current_heads() == set()
    if db.engine.dialect.name == "postgresql":
        assert sa.inspect(db.engine).get_enums() == []

    flask_migrate.upgrade()
    assert _current_heads() == _script_heads()
    assert _schema_differences() == []


def _function_body(tree: ast.Module, name: str) -> list[ast.stmt] | None:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node.body
    return None


def _is_placeholder(statement: ast.stmt) -> bool:
    """`pass`, `...` or a lone string (docstring or comment-like literal)."""
    if isinstance(statement, ast.Pass):
        return True
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)


def test_migration_files_exist():
    assert MIGRATION_FILES, f"aucune migration dans {VERSIONS_DIR}"


@pytest.mark.parametrize("path", MIGRATION_FILES, ids=lambda p: p.name)


def test_every_migration_has_a_real_downgrade(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    body = _function_body(tree, "downgrade")
    assert body is not None, f"{path.name} : pas de fonction downgrade()"
    assert not all(_is_placeholder(statement) for statement in body), (
        f"{path.name} : downgrade() ne fait rien (pass)")


def test_hours_totals_are_filled_from_existing_entries_and_kept_by_triggers(migration_app):
    """0007 sums the entries already there, then its triggers follow new writes; the downgrade
    removes them (an entry written afterwards must not need the dropped table)."""
    from factories import EmploymentContractFactory, HoursEntryFactory

    from clausematch.pathways import hours_totals
    from clausematch.pathways.models import HoursEntry

    flask_migrate.upgrade()  # the rows are written with today's models, then the schema goes back
    contract = EmploymentContractFactory(candidate__commune_insee=None)  # no referential here
    HoursEntryFactory(contract=contract, hours=10)
    db.session.commit()
    db.session.remove()
    flask_migrate.downgrade(revision="0006")
    assert "lot_month_hours" not in _table_names()
    flask_migrate.upgrade(revision="0007")
    assert db.session.scalar(sa.select(sa.func.sum(hours_totals.LotMonthHours.hours))) == 10
    db.session.execute(sa.update(HoursEntry).values(hours=12))
    db.session.commit()
    db.session.remove()
    flask_migrate.upgrade()  # the check reads today's schema (0026: the archive of deleted entries it adds in)
    assert hours_totals.mismatches() == []
    assert db.session.scalar(sa.select(sa.func.sum(hours_totals.LotMonthHours.hours))) == 12

    db.session.remove()
    flask_migrate.downgrade(revision="0006")
    db.session.execute(sa.update(HoursEntry).values(hours=13))  # no trigger left behind
    db.session.commit()
    assert "lot_month_hours" not in _table_names()


def test_board_search_migration_indexes_the_offers_already_there(migration_app):
    """0011 fills the search documents of existing offers and indexes them; its downgrade takes
    the columns and the index away, and a new upgrade builds them again from the rows."""
    from factories import OfferFactory

    from clausematch.offers.models import Offer
    from clausematch.offers.search import text_match, text_query
    from clausematch.referential.loading import load_reference_data

    flask_migrate.upgrade()
    load_reference_data()
    offer_id = OfferFactory(title="Agent d'entretien H/F", appellation_code=10688, rome_code="K2204").id
    db.session.commit()
    db.session.remove()
    dialect = db.engine.dialect.name

    flask_migrate.downgrade(revision="0006")
    columns = {c["name"] for c in sa.inspect(db.engine).get_columns("offers")}
    assert not {"search_words", "search_vector"} & columns
    assert not any(name.startswith(FTS_TABLE) for name in sa.inspect(db.engine).get_table_names())

    flask_migrate.upgrade()
    words = db.session.scalar(sa.select(Offer.search_words).where(Offer.id == offer_id))
    assert words.split() == ["agent", "entretien", "propret", "local"]
    for typed in ("nettoyeur", "femme de ménage", "agente d'entretien"):
        assert text_query(typed).concepts, typed
        found = db.session.scalars(sa.select(Offer.id).where(text_match(typed, dialect).condition)).all()
        assert found == [offer_id], typed
    assert db.session.scalars(sa.select(Offer.id).where(text_match("jardinier", dialect).condition)).all() == []
    db.session.remove()


def test_0012_orders_desired_jobs_and_turns_the_qpv_box_into_the_criterion(migration_app):
    """Existing jobs are numbered in the order they were written; a ticked QPV box becomes a
    declared "qpv" criterion (never a second one), and the downgrade ticks the box again."""
    flask_migrate.upgrade(revision="0006")
    now = "2025-01-02 09:00:00"
    with db.engine.begin() as connection:
        run = lambda sql: connection.execute(sa.text(sql))  # noqa: E731
        run("INSERT INTO territories (id, name, eligibility_validity_months, default_labour_share, "
            "default_insertion_rate, default_hourly_cost, count_training_hours, globalise_across_lots, created_at) "
            f"VALUES (1, 'T', 6, 0.5, 0.05, 30, false, false, '{now}')")
        run("INSERT INTO organisations (id, territory_id, kind, name, is_active, prescriber_kind, created_at, "
            f"updated_at) VALUES (1, 1, 'prescriber', 'P', true, 'france_travail', '{now}', '{now}')")
        run("INSERT INTO rome_codes (code, label) VALUES ('F1703', 'Maçonnerie'), ('F1701', 'Construction béton')")
        run("INSERT INTO rome_appellations (code, label, rome_code) VALUES (16250, 'Maçon', 'F1703'), "
            "(11929, 'Coffreur', 'F1701')")
        for ident, qpv in ((1, "true"), (2, "false"), (3, "true")):
            run("INSERT INTO candidates (id, territory_id, prescriber_id, first_name, last_name, name_key, birth_date, "
                "gender, qpv_resident, education_level, desired_jobs_text, skills, experience, mobility_km, "
                f"driving_licence, certificates, available, created_at, updated_at) VALUES ({ident}, 1, 1, 'A', 'B', "
                f"'a b', '1990-01-01', 'f', {qpv}, 'bac', '', '', '', 30, false, '', true, '{now}', '{now}')")
        run("INSERT INTO candidate_desired_jobs (id, candidate_id, appellation_code) VALUES "
            "(10, 1, 11929), (11, 1, 16250), (12, 2, 16250)")
        run("INSERT INTO eligibility_criteria (candidate_id, criterion, evidence, declared_at, status, "
            f"validated_at, valid_until) VALUES (3, 'qpv', 'Quittance', '{now}', 'validated', '{now}', '2025-07-02')")

    flask_migrate.upgrade(revision="0012")
    with db.engine.connect() as connection:
        rows = lambda sql: [tuple(row) for row in connection.execute(sa.text(sql))]  # noqa: E731
        assert rows("SELECT id, position FROM candidate_desired_jobs ORDER BY id") == [(10, 1), (11, 2), (12, 1)]
        assert rows("SELECT candidate_id, status, evidence FROM eligibility_criteria ORDER BY candidate_id") == [
            (1, "declared", "Case « Réside dans un QPV » cochée sur la fiche (reprise automatique, justificatif "
                            "à vérifier)"),
            (3, "validated", "Quittance")]
        assert "qpv_resident" not in {column["name"] for column in sa.inspect(connection).get_columns("candidates")}

    flask_migrate.downgrade(revision="0006")
    with db.engine.connect() as connection:
        ticked = connection.execute(sa.text("SELECT id, qpv_resident FROM candidates ORDER BY id")).all()
        assert [(ident, bool(qpv)) for ident, qpv in ticked] == [(1, True), (2, False), (3, True)]


def test_0013_new_criteria_are_accepted_and_downgrade_refuses_while_one_is_held(migration_app):
    """The new criterion is refused before 0013 and stored after; going back under 0013 while a row
    holds it stops (nothing changed), and passes once the row is gone."""
    flask_migrate.upgrade(revision="0012")
    now = "2025-01-02 09:00:00"
    with db.engine.begin() as connection:
        run = lambda sql: connection.execute(sa.text(sql))  # noqa: E731
        run("INSERT INTO territories (id, name, eligibility_validity_months, default_labour_share, "
            "default_insertion_rate, default_hourly_cost, count_training_hours, globalise_across_lots, created_at) "
            f"VALUES (1, 'T', 6, 0.5, 0.05, 30, false, false, '{now}')")
        run("INSERT INTO organisations (id, territory_id, kind, name, is_active, prescriber_kind, created_at, "
            f"updated_at) VALUES (1, 1, 'prescriber', 'P', true, 'france_travail', '{now}', '{now}')")
        run("INSERT INTO candidates (id, territory_id, prescriber_id, first_name, last_name, name_key, birth_date, "
            "gender, education_level, desired_jobs_text, skills, experience, mobility_km, driving_licence, "
            f"certificates, available, created_at, updated_at) VALUES (1, 1, 1, 'A', 'B', 'a b', '1990-01-01', 'f', "
            f"'bac', '', '', '', 30, false, '', true, '{now}', '{now}')")
    insert = ("INSERT INTO eligibility_criteria (candidate_id, criterion, evidence, declared_at, status) "
              f"VALUES (1, 'invalidity_pension', 'Notification CPAM', '{now}', 'declared')")
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
        connection.execute(sa.text(insert))

    flask_migrate.upgrade(revision="0013")
    with db.engine.begin() as connection:
        connection.execute(sa.text(insert))
    with pytest.raises(SystemExit):  # flask_migrate logs the RuntimeError naming the table, then exits
        flask_migrate.downgrade(revision="0012")
    assert _current_heads() == {"0013"}
    with db.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM eligibility_criteria"))
    flask_migrate.downgrade(revision="0012")
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
        connection.execute(sa.text(insert))


def test_0015_fills_name_skeletons_and_account_search_names(migration_app):
    """Words already there get their skeleton (the people search finds "Dailo"), accounts and
    invitations their normalised name (the administrators' search finds "helene"); the downgrade
    takes the columns and the index away."""
    from clausematch.accounts.models import Role, User
    from clausematch.admin import users
    from clausematch.candidates.name_match import skeleton_keys

    flask_migrate.upgrade(revision="0012")
    now = "2025-01-02 09:00:00"
    with db.engine.begin() as connection:
        run = lambda sql: connection.execute(sa.text(sql))  # noqa: E731
        run("INSERT INTO territories (id, name, eligibility_validity_months, default_labour_share, "
            "default_insertion_rate, default_hourly_cost, count_training_hours, globalise_across_lots, created_at) "
            f"VALUES (1, 'T', 6, 0.5, 0.05, 30, false, false, '{now}')")
        run("INSERT INTO organisations (id, territory_id, kind, name, is_active, prescriber_kind, created_at, "
            f"updated_at) VALUES (1, 1, 'prescriber', 'P', true, 'france_travail', '{now}', '{now}')")
        for ident, first, last in ((1, "Aminata", "Diallo"), (2, "Thi", "Nguyen")):
            run("INSERT INTO candidates (id, territory_id, prescriber_id, first_name, last_name, name_key, birth_date, "
                "gender, education_level, desired_jobs_text, skills, experience, mobility_km, driving_licence, "
                f"certificates, available, created_at, updated_at) VALUES ({ident}, 1, 1, '{first}', '{last}', "
                f"'x', '1990-01-01', 'f', 'bac', '', '', '', 30, false, '', true, '{now}', '{now}')")
            for word in (first.lower(), last.lower()):
                run(f"INSERT INTO candidate_name_words (candidate_id, word) VALUES ({ident}, '{word}')")
        run("INSERT INTO users (id, email, full_name, role, is_active, session_version, version, failed_logins, "
            f"created_at, updated_at) VALUES (1, 'a@exemple.fr', 'Hélène Écrivain', 'admin', true, 1, 1, 0, "
            f"'{now}', '{now}')")
        run("INSERT INTO invitations (id, token_hash, email, full_name, organisation_id, role, created_at, "
            f"expires_at) VALUES (1, 'h', 'b@exemple.fr', 'HÉLÈNE Ölçer', 1, 'prescriber', '{now}', '2999-01-01')")

    flask_migrate.upgrade(revision="0015")
    with db.engine.connect() as connection:
        rows = lambda sql: sorted(tuple(row) for row in connection.execute(sa.text(sql)))  # noqa: E731
        assert rows("SELECT word, skeleton FROM candidate_name_words") == [
            ("aminata", "mnt"), ("diallo", "dl"), ("nguyen", "ngn"), ("thi", "t")]
        assert rows("SELECT candidate_id FROM candidate_name_words WHERE skeleton IN ('dl', 'ld')") == [(1,)]
        assert rows("SELECT search_name FROM users") == [("helene ecrivain",)]
        assert rows("SELECT search_name FROM invitations") == [("helene olcer",)]
    assert "dl" in skeleton_keys("dailo")
    admin = db.session.get(User, 1)
    assert admin.role == Role.ADMIN
    found = users.people_page(admin, users.PeopleFilters(q="helene"), 1)
    assert sorted(row.full_name for row in found.items) == ["HÉLÈNE Ölçer", "Hélène Écrivain"]
    db.session.remove()

    flask_migrate.downgrade(revision="0012")
    inspector = sa.inspect(db.engine)
    assert "skeleton" not in {c["name"] for c in inspector.get_columns("candidate_name_words")}
    assert "ix_candidate_name_words_skeleton" not in {i["name"] for i in inspector.get_indexes("candidate_name_words")}
    for table in ("users", "invitations"):
        assert "search_name" not in {c["name"] for c in inspector.get_columns(table)}


def test_0016_merges_unread_duplicate_notifications_and_normalises_stored_contacts(migration_app):
    """Unread rows of one (user, group) become the newest one with the counts summed (read rows,
    other users, other groups and rows without a group untouched), then one unread row per group
    is enforced. Phones and e-mails that parse are stored the way the forms store them; the
    others and NULL are kept as they were. The downgrade drops the index and keeps the data."""
    flask_migrate.upgrade(revision="0012")
    now = "2025-01-02 09:00:00"
    with db.engine.begin() as connection:
        run = lambda sql: connection.execute(sa.text(sql))  # noqa: E731
        run("INSERT INTO territories (id, name, eligibility_validity_months, default_labour_share, "
            "default_insertion_rate, default_hourly_cost, count_training_hours, globalise_across_lots, created_at) "
            f"VALUES (1, 'T', 6, 0.5, 0.05, 30, false, false, '{now}')")
        organisations = [(1, "'01.48.00.00.00'", "' Contact@Exemple.FR '"), (2, "'abc'", "'pas-une-adresse'"),
                         (3, "NULL", "NULL"), (4, "'+33 (0)6 12 34 56 78'", "'   '")]
        run("INSERT INTO organisations (id, territory_id, kind, name, is_active, prescriber_kind, created_at, "
            f"updated_at) VALUES (9, 1, 'prescriber', 'P', true, 'france_travail', '{now}', '{now}')")
        for ident, phone, email in organisations:
            run("INSERT INTO organisations (id, territory_id, kind, name, is_active, company_kind, phone, email, "
                f"created_at, updated_at) VALUES ({ident}, 1, 'company', 'E', true, 'titulaire', {phone}, {email}, "
                f"'{now}', '{now}')")
        candidates = [(1, "'06 12 34 56 78'", "'Helene@Exemple.fr'"), (2, "'06 12 34'", "NULL"), (3, "NULL", "NULL"),
                      (4, "'+44 20 7946 0958'", "'helene@exemple'")]
        for ident, phone, email in candidates:
            run("INSERT INTO candidates (id, territory_id, prescriber_id, first_name, last_name, name_key, birth_date, "
                "gender, education_level, desired_jobs_text, skills, experience, mobility_km, driving_licence, "
                f"certificates, available, phone, email, created_at, updated_at) VALUES ({ident}, 1, 9, 'A', 'B', "
                f"'a b', '1990-01-01', 'f', 'bac', '', '', '', 30, false, '', true, {phone}, {email}, "
                f"'{now}', '{now}')")
        for ident in (1, 2):
            run("INSERT INTO users (id, email, full_name, role, is_active, session_version, created_at, updated_at) "
                f"VALUES ({ident}, 'u{ident}@exemple.fr', 'U', 'prescriber', true, 1, '{now}', '{now}')")
        # (id, user, group, count, created at hour, read)
        notifications = [(1, 1, "'g'", 2, 9, False), (2, 1, "'g'", 1, 10, False), (3, 1, "'g'", 3, 8, True),
                         (4, 1, "'h'", 1, 9, False), (5, 2, "'g'", 1, 9, False), (6, 1, "NULL", 1, 9, False),
                         (7, 1, "NULL", 1, 9, False), (8, 1, "'t'", 1, 9, False), (9, 1, "'t'", 4, 9, False)]
        for ident, user, group, count, hour, read in notifications:
            read_at = f"'2025-01-02 {hour:02d}:30:00'" if read else "NULL"
            run("INSERT INTO notifications (id, user_id, message, group_key, repeat_count, created_at, read_at) "
                f"VALUES ({ident}, {user}, 'M{ident}', {group}, {count}, '2025-01-02 {hour:02d}:00:00', {read_at})")

    flask_migrate.upgrade(revision="0016")

    def contacts(connection, table: str) -> list[tuple]:
        return [tuple(row) for row in connection.execute(sa.text(f"SELECT id, phone, email FROM {table} "
                                                                 "WHERE id < 9 ORDER BY id"))]

    expected_organisations = [(1, "0148000000", "contact@exemple.fr"), (2, "abc", "pas-une-adresse"),
                              (3, None, None), (4, "0612345678", None)]
    expected_candidates = [(1, "0612345678", "helene@exemple.fr"), (2, "06 12 34", None), (3, None, None),
                           (4, "+442079460958", "helene@exemple")]
    with db.engine.connect() as connection:
        kept = connection.execute(sa.text(
            "SELECT id, user_id, group_key, repeat_count, message, read_at IS NULL FROM notifications ORDER BY id"))
        assert [(i, u, g, c, m, bool(unread)) for i, u, g, c, m, unread in kept] == [
            (2, 1, "g", 3, "M2", True), (3, 1, "g", 3, "M3", False), (4, 1, "h", 1, "M4", True),
            (5, 2, "g", 1, "M5", True), (6, 1, None, 1, "M6", True), (7, 1, None, 1, "M7", True),
            (9, 1, "t", 5, "M9", True)]
        assert contacts(connection, "organisations") == expected_organisations
        assert contacts(connection, "candidates") == expected_candidates
    unique_index = r"uq_notifications_unread_group|notifications\.user_id, notifications\.group_key"
    with pytest.raises(sa.exc.IntegrityError, match=unique_index), db.engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO notifications (id, user_id, message, group_key, repeat_count, "
                                   f"created_at) VALUES (100, 1, 'M', 'g', 1, '{now}')"))
    with db.engine.begin() as connection:  # a read row of the group does not count
        connection.execute(sa.text("INSERT INTO notifications (id, user_id, message, group_key, repeat_count, "
                                   f"created_at, read_at) VALUES (101, 1, 'M', 'g', 1, '{now}', '{now}')"))

    flask_migrate.downgrade(revision="0012")
    indexes = {index["name"] for index in sa.inspect(db.engine).get_indexes("notifications")}
    assert "uq_notifications_unread_group" not in indexes and "ix_notifications_user_group" in indexes
    with db.engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO notifications (id, user_id, message, group_key, repeat_count, "
                                   f"created_at) VALUES (102, 1, 'M', 'g', 1, '{now}')"))
        assert contacts(connection, "organisations") == expected_organisations
        assert contacts(connection, "candidates") == expected_candidates


def test_0017_regie_kind_and_directory_tables_and_downgrade_refuses_while_a_regie_exists(migration_app):
    """"régie de quartier" is refused before 0017 and stored after, with a directory profile; going
    back under 0017 while an organisation is a régie stops (nothing changed), then passes once it
    is not, and takes the directory tables away."""
    flask_migrate.upgrade(revision="0016")
    now = "2025-01-02 09:00:00"
    with db.engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO territories (id, name, eligibility_validity_months, default_labour_share, "
            "default_insertion_rate, default_hourly_cost, count_training_hours, globalise_across_lots, created_at) "
            f"VALUES (1, 'T', 6, 0.5, 0.05, 30, false, false, '{now}')"))
    insert = ("INSERT INTO organisations (id, territory_id, kind, name, is_active, company_kind, siret, created_at, "
              f"updated_at) VALUES (1, 1, 'company', 'Régie', true, 'regie', '73282932000074', '{now}', '{now}')")
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
        connection.execute(sa.text(insert))

    flask_migrate.upgrade(revision="0017")
    with db.engine.begin() as connection:
        connection.execute(sa.text(insert))
        connection.execute(sa.text(
            "INSERT INTO directory_profiles (id, version, company_id, activities, search_text, radius_km, "
            "offers_subcontracting, offers_co_contracting, offers_staff_provision, is_published, created_at, "
            f"updated_at) VALUES (1, 1, 1, 'Nettoyage', ' nettoyage ', 10, true, false, false, true, '{now}', "
            f"'{now}')"))
    with pytest.raises(SystemExit):
        flask_migrate.downgrade(revision="0016")
    assert _current_heads() == {"0017"}
    with db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE organisations SET company_kind = 'ei'"))
    flask_migrate.downgrade(revision="0016")
    assert not {"directory_profiles", "directory_rome_codes", "directory_communes"} & _table_names()
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE organisations SET company_kind = 'regie'"))


def test_0019_programmes_get_a_version_kept_at_1_for_existing_rows(migration_app):
    """A programme saved before 0019 gets version 1 (its first edit form claims it); going back
    under 0019 removes the column and keeps the programme."""
    flask_migrate.upgrade(revision="0018")
    now = "2025-01-02 09:00:00"
    with db.engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO territories (id, name, eligibility_validity_months, default_labour_share, "
            "default_insertion_rate, default_hourly_cost, count_training_hours, globalise_across_lots, created_at) "
            f"VALUES (1, 'T', 6, 0.5, 0.05, 30, false, false, '{now}')"))
        connection.execute(sa.text("INSERT INTO programmes (id, territory_id, name, created_at, updated_at) "
                                   f"VALUES (1, 1, 'Parcours', '{now}', '{now}')"))
    flask_migrate.upgrade(revision="0019")
    with db.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT version FROM programmes")).scalar() == 1
    flask_migrate.downgrade(revision="0018")
    assert "version" not in {c["name"] for c in sa.inspect(db.engine).get_columns("programmes")}
    with db.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT name FROM programmes")).scalar() == "Parcours"


def test_0020_clause_cdi_lump_override_and_subcontracting_invoices_up_and_down(migration_app):
    """0020 adds the clause's CDI lump override and the invoices table;
    going back under 0020 takes both away."""
    flask_migrate.upgrade(revision="0019")
    assert "subcontracting_invoices" not in _table_names()
    flask_migrate.upgrade(revision="0020")
    assert "subcontracting_invoices" in _table_names()
    columns = {column["name"] for column in sa.inspect(db.engine).get_columns("clauses")}
    assert "cdi_lump_hours" in columns
    flask_migrate.downgrade(revision="0019")
    assert "subcontracting_invoices" not in _table_names()
    assert "cdi_lump_hours" not in {column["name"] for column in sa.inspect(db.engine).get_columns("clauses")}


def test_0021_hours_pools_up_and_down(migration_app):
    """0021 adds the pooling agreements and the lots they cover (one pool per lot at most);
    going back under 0021 takes both away and keeps the lots."""
    flask_migrate.upgrade(revision="0020")
    assert not {"hours_pools", "hours_pool_lots"} & _table_names()
    flask_migrate.upgrade(revision="0021")
    assert {"hours_pools", "hours_pool_lots"} <= _table_names()
    primary_key = sa.inspect(db.engine).get_pk_constraint("hours_pool_lots")["constrained_columns"]
    assert primary_key == ["lot_id"]
    flask_migrate.downgrade(revision="0020")
    assert not {"hours_pools", "hours_pool_lots"} & _table_names()
    assert "lots" in _table_names()


def test_0022_territories_get_the_default_retention_periods_and_no_controller(migration_app):
    """A territory saved before 0022 gets 24 months of inactivity, 5 years of accountability and
    12 months of access log, and no controller; the CHECKs refuse 0; going back under 0022 drops the
    columns and keeps the territory."""
    flask_migrate.upgrade(revision="0021")
    with db.engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO territories (id, name, eligibility_validity_months, default_labour_share, "
            "default_insertion_rate, default_hourly_cost, count_training_hours, globalise_across_lots, created_at) "
            "VALUES (1, 'T', 6, 0.5, 0.05, 30, false, false, '2025-01-02 09:00:00')"))
    flask_migrate.upgrade(revision="0022")
    with db.engine.connect() as connection:
        row = connection.execute(sa.text(
            "SELECT inactivity_months, accountability_years, access_log_months, controller_name, dpo_email "
            "FROM territories")).one()
    assert tuple(row) == (24, 5, 12, None, None)
    with db.engine.connect() as connection:  # the settings form's version starts at 1
        assert connection.execute(sa.text("SELECT version FROM territories")).scalar() == 1
    for column in ("inactivity_months", "accountability_years", "access_log_months"):
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
            connection.execute(sa.text(f"UPDATE territories SET {column} = 0"))
    flask_migrate.downgrade(revision="0021")
    columns = {column["name"] for column in sa.inspect(db.engine).get_columns("territories")}
    assert not {"controller_name", "controller_address", "dpo_email", "inactivity_months", "accountability_years",
                "access_log_months", "version"} & columns
    with db.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT name FROM territories")).scalar() == "T"


def test_0023_records_start_not_anonymised_and_consents_not_withdrawn(migration_app):
    """0023 adds when a record was anonymised and how a withdrawal was recorded, all empty for
    the rows already there; going back under 0023 drops them and keeps the consent."""
    flask_migrate.upgrade(revision="0022")
    assert "anonymised_at" not in {c["name"] for c in sa.inspect(db.engine).get_columns("candidates")}
    flask_migrate.upgrade(revision="0023")
    candidate_columns = {c["name"] for c in sa.inspect(db.engine).get_columns("candidates")}
    consent_columns = {c["name"] for c in sa.inspect(db.engine).get_columns("consents")}
    assert "anonymised_at" in candidate_columns
    assert {"withdrawal_channel", "withdrawal_recorded_by_id", "withdrawal_recorded_at"} <= consent_columns
    flask_migrate.downgrade(revision="0022")
    assert "anonymised_at" not in {c["name"] for c in sa.inspect(db.engine).get_columns("candidates")}
    assert not {"withdrawal_channel", "withdrawal_recorded_by_id", "withdrawal_recorded_at"} & {
        c["name"] for c in sa.inspect(db.engine).get_columns("consents")}


def test_0024_adds_the_frozen_age_and_links_the_e_mails_already_queued(migration_app):
    """0024 adds employment_contracts.age_at_start (empty: every birth date is still exact) and
    outbox_messages.link, filled from the link the body of an e-mail about an application or an
    event carries (an erasure finds them by it); going back under 0024 drops both and the indexes."""
    flask_migrate.upgrade(revision="0023")
    outbox = sa.table("outbox_messages", sa.column("id"), sa.column("recipient"), sa.column("subject"),
                      sa.column("body"), sa.column("created_at"), sa.column("attempts"))
    bodies = {1: "Bonjour,\nLa candidature de Léa M. a été validée.\nhttp://127.0.0.1:5000/orientations/12\n",
              2: "Bonjour,\nInvitation à l'événement.\nhttps://clausematch.example/evenements/7\n",
              3: "Votre lien : http://127.0.0.1:5000/mot-de-passe/abc"}
    with db.engine.begin() as connection:
        connection.execute(outbox.insert(), [
            {"id": key, "recipient": "p@exemple.fr", "subject": "Objet", "body": body,
             "created_at": datetime(2026, 1, 1), "attempts": 0} for key, body in bodies.items()])
    flask_migrate.upgrade(revision="0024")
    inspector = sa.inspect(db.engine)
    assert "age_at_start" in {c["name"] for c in inspector.get_columns("employment_contracts")}
    assert "ix_notifications_link" in {i["name"] for i in inspector.get_indexes("notifications")}
    links = dict(db.session.execute(sa.text("SELECT id, link FROM outbox_messages ORDER BY id")).all())
    assert links == {1: "/orientations/12", 2: "/evenements/7", 3: None}
    db.session.remove()
    flask_migrate.downgrade(revision="0023")
    inspector = sa.inspect(db.engine)
    assert "age_at_start" not in {c["name"] for c in inspector.get_columns("employment_contracts")}
    assert "link" not in {c["name"] for c in inspector.get_columns("outbox_messages")}
    assert "ix_notifications_link" not in {i["name"] for i in inspector.get_indexes("notifications")}


def _refusal_reason_checks(table: str) -> str:
    return " ".join(c["sqltext"] for c in sa.inspect(db.engine).get_check_constraints(table)
                    if c["name"] == f"ck_{table}_refusal_reason")


def test_0025_refusal_reason_accepts_the_neutral_closing(migration_app):
    """0025 lets applications and their events be refused with 'closed' (consent withdrawn, the
    company told no cause); going back under 0025 restores the former list of reasons."""
    flask_migrate.upgrade(revision="0024")
    for table in ("applications", "application_events"):
        checks = _refusal_reason_checks(table)
        assert "position_filled" in checks and "'closed'" not in checks
    flask_migrate.upgrade(revision="0025")
    for table in ("applications", "application_events"):
        checks = _refusal_reason_checks(table)
        assert "'closed'" in checks and "no_answer" in checks
    flask_migrate.downgrade(revision="0024")
    for table in ("applications", "application_events"):
        checks = _refusal_reason_checks(table)
        assert "'closed'" not in checks and "no_answer" in checks


def test_0026_retention_notice_and_archive_up_and_down_refused_while_the_archive_holds_counts(migration_app):
    """0026 adds the day a person's prescriber was told of the coming anonymisation (empty for the
    records already there: the next run of the job tells whoever is due) and the two archive
    tables; going back refuses while the archive holds what remains of people, then drops them."""
    flask_migrate.upgrade(revision="0025")
    assert "retention_notice_on" not in {c["name"] for c in sa.inspect(db.engine).get_columns("candidates")}
    flask_migrate.upgrade(revision="0026")
    assert "retention_notice_on" in {c["name"] for c in sa.inspect(db.engine).get_columns("candidates")}
    assert {"accountability_archive", "archived_lot_month_hours"} <= _table_names()
    with db.engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO territories (id, name, eligibility_validity_months, "
                                   "default_labour_share, default_insertion_rate, default_hourly_cost, "
                                   "count_training_hours, globalise_across_lots, created_at) "
                                   "VALUES (1, 'T', 6, 0.5, 0.05, 30, false, false, '2025-01-02 09:00:00')"))
        connection.execute(sa.text("PRAGMA foreign_keys = OFF") if connection.dialect.name == "sqlite"
                           else sa.text("SET session_replication_role = replica"))
        connection.execute(sa.text("INSERT INTO accountability_archive (territory_id, lot_id, year, measure, key, "
                                   "value) VALUES (1, 99, 2019, 'people', '', 1)"))
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SET session_replication_role = DEFAULT"))
    with pytest.raises(SystemExit):  # flask_migrate logs the RuntimeError naming the tables, then exits
        flask_migrate.downgrade(revision="0025")
    assert "accountability_archive" in _table_names()
    with db.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM accountability_archive"))
    flask_migrate.downgrade(revision="0025")
    assert "retention_notice_on" not in {c["name"] for c in sa.inspect(db.engine).get_columns("candidates")}
    assert not {"accountability_archive", "archived_lot_month_hours"} & _table_names()


def test_0027_audit_events_get_the_person_and_the_organisation(migration_app):
    """0027 adds the person an event concerns and the actor's organisation: events recorded on a
    candidate get that candidate, the others none, and no organisation is guessed for the past;
    going back under 0027 drops both columns and keeps the events."""
    flask_migrate.upgrade(revision="0026")
    now = "2025-01-02 09:00:00"
    with db.engine.begin() as connection:
        run = lambda sql: connection.execute(sa.text(sql))  # noqa: E731
        run("INSERT INTO territories (id, name, eligibility_validity_months, default_labour_share, "
            "default_insertion_rate, default_hourly_cost, count_training_hours, globalise_across_lots, created_at) "
            f"VALUES (1, 'T', 6, 0.5, 0.05, 30, false, false, '{now}')")
        run("INSERT INTO organisations (id, territory_id, kind, name, is_active, prescriber_kind, created_at, "
            f"updated_at) VALUES (1, 1, 'prescriber', 'P', true, 'france_travail', '{now}', '{now}')")
        run("INSERT INTO candidates (id, territory_id, prescriber_id, first_name, last_name, name_key, birth_date, "
            "gender, education_level, desired_jobs_text, skills, experience, mobility_km, driving_licence, "
            f"certificates, available, created_at, updated_at) VALUES (7, 1, 1, 'A', 'B', 'a b', '1990-01-01', 'f', "
            f"'bac', '', '', '', 30, false, '', true, '{now}', '{now}')")
        for ident, entity_type, entity_id in ((1, "candidate", 7), (2, "territory", 1), (3, "candidate", 99)):
            run("INSERT INTO audit_events (id, occurred_at, action, entity_type, entity_id, details) "
                f"VALUES ({ident}, '{now}', 'x', '{entity_type}', {entity_id}, '{{}}')")
    flask_migrate.upgrade(revision="0027")
    with db.engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT id, candidate_id, organisation_id FROM audit_events ORDER BY id")).all()
    assert [tuple(row) for row in rows] == [(1, 7, None), (2, None, None), (3, None, None)]
    indexes = {index["name"] for index in sa.inspect(db.engine).get_indexes("audit_events")}
    assert {"ix_audit_events_candidate_occurred", "ix_audit_events_organisation_id"} <= indexes
    foreign_keys = {(key["constrained_columns"][0], key["referred_table"], key["options"].get("ondelete"))
                    for key in sa.inspect(db.engine).get_foreign_keys("audit_events")}
    assert {("candidate_id", "candidates", None), ("organisation_id", "organisations", "SET NULL")} <= foreign_keys
    flask_migrate.downgrade(revision="0026")
    columns = {column["name"] for column in sa.inspect(db.engine).get_columns("audit_events")}
    assert not {"candidate_id", "organisation_id"} & columns
    with db.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM audit_events")).scalar() == 3


def test_0029_api_tokens_and_idempotency_keys_up_and_down(migration_app):
    """0029 adds the API tokens (one unique public prefix each) and their idempotency keys (one
    per token and key); going back under 0029 takes both away and keeps the organisations."""
    flask_migrate.upgrade(revision="0028")
    assert not {"api_tokens", "api_idempotency_keys"} & _table_names()
    flask_migrate.upgrade(revision="0029")
    assert {"api_tokens", "api_idempotency_keys"} <= _table_names()
    unique = {tuple(c["column_names"]) for c in sa.inspect(db.engine).get_unique_constraints("api_idempotency_keys")}
    assert ("token_id", "key") in unique
    assert ("prefix",) in {tuple(c["column_names"]) for c in sa.inspect(db.engine).get_unique_constraints("api_tokens")}
    flask_migrate.downgrade(revision="0028")
    assert not {"api_tokens", "api_idempotency_keys"} & _table_names()
    assert "organisations" in _table_names()
def test_0030_certificate_codes_start_empty_and_go_back_without_them(migration_app):
    """0030 adds the certificates as referential codes: a candidate's held ones, an offer's required
    and wished ones; existing rows start with none (their typed text is kept); going back drops
    the three columns and keeps the rows."""
    flask_migrate.upgrade(revision="0029")
    now = "2025-01-02 09:00:00"
    with db.engine.begin() as connection:
        run = lambda sql: connection.execute(sa.text(sql))  # noqa: E731
        run("INSERT INTO territories (id, name, eligibility_validity_months, default_labour_share, "
            "default_insertion_rate, default_hourly_cost, count_training_hours, globalise_across_lots, created_at) "
            f"VALUES (1, 'T', 6, 0.5, 0.05, 30, false, false, '{now}')")
        run("INSERT INTO organisations (id, territory_id, kind, name, is_active, prescriber_kind, created_at, "
            f"updated_at) VALUES (1, 1, 'prescriber', 'P', true, 'france_travail', '{now}', '{now}')")
        run("INSERT INTO candidates (id, territory_id, prescriber_id, first_name, last_name, name_key, birth_date, "
            "gender, education_level, desired_jobs_text, skills, experience, mobility_km, driving_licence, "
            f"certificates, available, created_at, updated_at) VALUES (7, 1, 1, 'A', 'B', 'a b', '1990-01-01', 'f', "
            f"'bac', '', '', '', 30, false, 'CACES 3', true, '{now}', '{now}')")
    flask_migrate.upgrade(revision="0030")
    with db.engine.connect() as connection:
        row = connection.execute(sa.text("SELECT certificates, certificate_codes FROM candidates")).one()
    assert row[0] == "CACES 3"
    assert (json.loads(row[1]) if isinstance(row[1], str) else row[1]) == []
    offer_columns = {column["name"] for column in sa.inspect(db.engine).get_columns("offers")}
    assert {"required_certificates", "wished_certificates"} <= offer_columns
    flask_migrate.downgrade(revision="0029")
    assert "certificate_codes" not in {c["name"] for c in sa.inspect(db.engine).get_columns("candidates")}
    assert not {"required_certificates", "wished_certificates"} & {
        c["name"] for c in sa.inspect(db.engine).get_columns("offers")}
    with db.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM candidates")).scalar() == 1
