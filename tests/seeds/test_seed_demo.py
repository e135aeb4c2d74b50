"""The demo territory: the three stories' exact figures and the counts, recomputed with SQL
over the raw tables; the demo accounts; re-runs refused; the same seed twice gives the same data."""
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from seed_queries import as_date, fingerprint, rows, value
from werkzeug.security import check_password_hash

from clausematch import create_app
from clausematch.accounts.models import CompanyKind, PrescriberKind, Territory
from clausematch.applications.models import ApplicationStatus
from clausematch.contracts.siret import siret_error
from clausematch.database import add_months, today
from clausematch.extensions import db
from clausematch.offers.models import OfferStatus
from clausematch.referential.loading import load_reference_data
from seeds.demo import INSERT_ORDER
from seeds.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD


def test_seed_fills_an_empty_database_quickly(seeded):
    from seeds.demo import database_is_empty

    assert seeded.was_empty and not database_is_empty()
    assert seeded.summary["candidats"] == 3000 and seeded.summary["offres"] == 217
    assert seeded.seconds < 60, f"seed took {seeded.seconds:.1f} s"


PROGRAMME = "(SELECT id FROM programmes WHERE name = 'Parcours désamiantage')"


def test_asbestos_track_funnel_102_40_26_22_15(seeded):
    """The story read from the raw records, stage by stage, each stage within the one before."""
    sessions = rows(f"SELECT id, kind, capacity, commune_insee FROM events WHERE programme_id = {PROGRAMME}")
    assert len(sessions) == 3 and {kind for _, kind, _, _ in sessions} == {"info_session"}
    assert all(capacity and commune for _, _, capacity, commune in sessions)
    participants = rows(f"""SELECT p.candidate_id, p.status, p.event_id FROM event_participants p
        JOIN events e ON e.id = p.event_id WHERE e.programme_id = {PROGRAMME}""")
    present = {c for c, status, _ in participants if status == "attended"}
    assert len(present) == 102
    for event_id, _, capacity, _ in sessions:
        assert sum(1 for _, status, e in participants if e == event_id and status == "attended") <= capacity
    never_came = {c for c, _, _ in participants} - present
    assert len(never_came) == 12
    assert any(status == "absent" and c in present for c, status, _ in participants)  # came to a later one

    def steps(kind, status):
        return {r[0] for r in rows(f"SELECT candidate_id FROM prehire_steps WHERE programme_id = {PROGRAMME} "
                                   "AND kind = :k AND status = :s", k=kind, s=status)}

    validated = steps("training_validation", "completed")
    assert len(validated) == 40 and validated <= present
    assert len(steps("training_validation", "not_retained")) == 15
    trained, stopped = steps("poec", "completed"), steps("poec", "interrupted")
    assert (len(trained), len(stopped)) == (26, 14) and trained | stopped == validated
    assert value(f"SELECT MIN(hours) FROM prehire_steps WHERE programme_id = {PROGRAMME} AND kind = 'poec'") == 400
    cdis = rows(f"""SELECT ec.candidate_id, ec.start_date, ec.trial_period_end, x.exit_date
        FROM employment_contracts ec JOIN applications a ON a.id = ec.application_id
        JOIN offers o ON o.id = a.offer_id LEFT JOIN exits x ON x.contract_id = ec.id
        WHERE o.programme_id = {PROGRAMME} AND ec.contract_type = 'cdi'""")
    assert len(cdis) == 22 and {c for c, *_ in cdis} <= trained
    assert all(as_date(trial) == add_months(as_date(start), 2) for _, start, trial, _ in cdis)
    in_post = [c for c, _, trial, left in cdis
               if add_months(as_date(trial), 6) <= today()
               and (left is None or as_date(left) >= add_months(as_date(trial), 6))]
    assert len(in_post) == 15
    assert value(f"SELECT COUNT(*) FROM applications a JOIN offers o ON o.id = a.offer_id "
                 f"WHERE o.programme_id = {PROGRAMME}") == 26
    assert value(f"SELECT funnel_stages FROM programmes WHERE id = {PROGRAMME}") is not None


OLYMPIC_LOTS = """FROM lots l JOIN contracts c ON c.id = l.contract_id JOIN organisations b ON b.id = c.buyer_id
    WHERE b.name = 'SOLIDEO – ouvrages olympiques'"""


def test_olympic_works_realise_1_821_447_hours_for_1_597_761_that_is_114_percent(seeded):
    objective = Decimal(str(value(f"SELECT SUM(cl.hours_objective) FROM clauses cl "
                                  f"WHERE cl.lot_id IN (SELECT l.id {OLYMPIC_LOTS})")))
    assert objective == 1597761
    without_clause = f"SELECT COUNT(*) {OLYMPIC_LOTS} AND NOT EXISTS (SELECT 1 FROM clauses cl WHERE cl.lot_id = l.id)"
    assert value(without_clause) == 0
    entries = rows(f"""SELECT h.hours, h.status, h.kind, h.candidate_id, h.contract_id, h.month
                       FROM hours_entries h WHERE h.lot_id IN (SELECT l.id {OLYMPIC_LOTS})""")
    realised = sum(Decimal(str(hours)).quantize(Decimal("0.01")) for hours, *_ in entries)
    assert realised == 1821447
    assert round(realised / objective * 100, 1) == Decimal("114.0")
    assert all(status == "validated" and kind == "work" for _, status, kind, *_ in entries)
    # Realistic: ≤ 151,67 h a month per person (35 h a week), thousands of person-months, hundreds of people.
    assert max(Decimal(str(hours)) for hours, *_ in entries) <= Decimal("151.67")
    assert len(entries) >= 10000 and len({e[3] for e in entries}) >= 500
    per_person_month = Counter((e[3], as_date(e[5])) for e in entries)
    assert max(per_person_month.values()) == 1
    assert max(as_date(e[5]) for e in entries) <= date(2024, 5, 1)
    assert value(f"SELECT COUNT(DISTINCT l.contract_id) {OLYMPIC_LOTS}") >= 6
    # Every hour comes from a hire through an offer of the programme « Chantiers olympiques ».
    outside = value(f"""SELECT COUNT(*) FROM hours_entries h JOIN employment_contracts ec ON ec.id = h.contract_id
        LEFT JOIN applications a ON a.id = ec.application_id LEFT JOIN offers o ON o.id = a.offer_id
        LEFT JOIN programmes p ON p.id = o.programme_id
        WHERE h.lot_id IN (SELECT l.id {OLYMPIC_LOTS}) AND (p.name IS NULL OR p.name <> 'Chantiers olympiques')""")
    assert outside == 0
    assert value("SELECT COUNT(*) FROM offers o JOIN programmes p ON p.id = o.programme_id "
                 f"WHERE p.name = 'Chantiers olympiques' AND o.lot_id NOT IN (SELECT l.id {OLYMPIC_LOTS})") == 0


def test_the_hours_totals_match_the_entries_and_the_triggers_are_back(seeded):
    """The seed writes the entries with the totals' triggers suspended, then computes the totals:
    they match, and an entry written afterwards moves them again."""
    from clausematch.pathways import hours_totals

    assert hours_totals.mismatches() == []
    entries_sum = value("SELECT SUM(hours) FROM hours_entries")
    assert value("SELECT SUM(hours) FROM lot_month_hours") == pytest.approx(entries_sum)
    entry = rows("SELECT id, lot_id, month, hours FROM hours_entries ORDER BY id LIMIT 1")[0]
    total = "SELECT SUM(hours) FROM lot_month_hours WHERE lot_id = :l AND month = :m"
    before = Decimal(str(value(total, l=entry[1], m=entry[2])))
    db.session.execute(sa.text("UPDATE hours_entries SET hours = hours + 1 WHERE id = :i"), {"i": entry[0]})
    assert Decimal(str(value(total, l=entry[1], m=entry[2]))) == before + 1
    db.session.rollback()


def test_2024_participants_live_54_percent_in_the_territory(seeded):
    """Participants of 2024 (the publics report's definition): people with an employment contract
    on a lot of the territory that ran during 2024; 54 % of them live in one of its communes."""
    people = rows("""SELECT DISTINCT ec.candidate_id, t.commune_insee IS NOT NULL
        FROM employment_contracts ec JOIN lots l ON l.id = ec.lot_id JOIN contracts c ON c.id = l.contract_id
        JOIN candidates p ON p.id = ec.candidate_id
        LEFT JOIN territory_communes t ON t.commune_insee = p.commune_insee AND t.territory_id = c.territory_id
        WHERE ec.start_date <= '2024-12-31' AND (ec.end_date IS NULL OR ec.end_date >= '2024-01-01')""")
    local = sum(bool(is_local) for _, is_local in people)
    assert len(people) >= 100  # the Olympic sites' last months alone: the share holds on any day
    assert round(Decimal(local) / len(people) * 100) == 54
    assert abs(Decimal(local) - Decimal("0.54") * len(people)) <= Decimal("0.5")


def test_saint_denis_share_of_contracts_with_a_social_clause(seeded):
    contracts = rows("SELECT c.notified_on, c.clause_kind FROM contracts c JOIN organisations b ON b.id = c.buyer_id "
                     "WHERE b.name = 'Ville de Saint-Denis'")
    shares = {}
    for year in (2021, 2022, 2023, 2024):
        kinds = [kind for notified, kind in contracts if as_date(notified).year == year]
        shares[year] = round(100 * sum(k is not None for k in kinds) / len(kinds))
    assert shares == {2021: 8, 2022: 17, 2023: 57, 2024: 29}
    assert value("SELECT COUNT(*) FROM clauses cl JOIN lots l ON l.id = cl.lot_id JOIN contracts c "
                 "ON c.id = l.contract_id WHERE c.clause_kind IS NULL") == 0


def test_territory_organisations_and_counts(seeded):
    territory = rows("SELECT name, eligibility_validity_months, default_labour_share, default_insertion_rate, "
                     "default_hourly_cost, target_women_share, target_qpv_share FROM territories")
    assert [(t[0], t[1], float(t[2]), float(t[3]), float(t[4]), float(t[5]), float(t[6])) for t in territory] == [
        ("Plaine Commune", 6, 0.5, 0.05, 30.0, 0.2, 0.6)]
    communes = {r[0] for r in rows("SELECT commune_insee FROM territory_communes")}
    known = {r[0] for r in rows("SELECT insee_code FROM communes WHERE insee_code IN ('93001', '93031', '93039', "
                                "'93027', '93059', '93066', '93070', '93072', '93079')")}
    assert communes == known and {"93066", "93001", "93027"} <= communes
    kinds = {r[0] for r in rows("SELECT company_kind FROM organisations WHERE kind = 'company'")}
    assert {k.value for k in CompanyKind} <= kinds
    assert value("SELECT COUNT(*) FROM organisations WHERE kind = 'company'") >= 30
    assert {r[0] for r in rows("SELECT prescriber_kind FROM organisations WHERE kind = 'prescriber'")} == {
        k.value for k in PrescriberKind}
    assert value("SELECT COUNT(*) FROM organisations WHERE kind = 'prescriber'") >= 10
    assert value("SELECT COUNT(*) FROM contracts WHERE clause_kind IS NOT NULL") >= 40
    assert value("SELECT COUNT(*) FROM candidates") == 3000
    assert value("SELECT COUNT(*) FROM offers") == 217
    assert value("SELECT COUNT(*) FROM offers WHERE sector = 'services'") * 3 >= 217
    assert {r[0] for r in rows("SELECT DISTINCT status FROM offers")} == {s.value for s in OfferStatus}
    assert {r[0] for r in rows("SELECT DISTINCT status FROM applications")} == {s.value for s in ApplicationStatus}


def test_every_siret_has_a_valid_luhn_key_and_every_company_one(seeded):
    sirets = [r[0] for r in rows("SELECT siret FROM organisations WHERE siret IS NOT NULL")]
    assert sirets and all(siret_error(s) is None and not s.startswith("356000000") for s in sirets)
    assert len(set(sirets)) == len(sirets)
    assert value("SELECT COUNT(*) FROM organisations WHERE kind = 'company' "
                 "AND (siret IS NULL OR commune_insee IS NULL)") == 0


def test_demo_accounts_exist_with_the_demo_password(seeded):
    for email, role, organisation in DEMO_ACCOUNTS:
        (user,) = rows("SELECT id, role, password_hash FROM users WHERE email = :e", e=email)
        assert user[1] == role.value and check_password_hash(user[2], DEMO_PASSWORD)
        names = [r[0] for r in rows("SELECT o.name FROM memberships m JOIN organisations o "
                                    "ON o.id = m.organisation_id WHERE m.user_id = :u", u=user[0])]
        assert names == ([organisation] if organisation else [])
    assert value("SELECT COUNT(DISTINCT password_hash) FROM users") == 1
    # Written in bulk, without the mapper event: the administrators' search still finds them.
    assert value("SELECT COUNT(*) FROM users WHERE search_name = '' OR search_name IS NULL") == 0


def test_demo_accounts_log_in_through_the_form(seeded):
    client = seeded.app.test_client()
    response = client.post("/connexion", data={"email": "facilitateur@demo.clausematch.fr",
                                               "password": DEMO_PASSWORD})
    assert response.status_code == 302 and "/connexion" not in response.headers["Location"]
    wrong = seeded.app.test_client().post("/connexion", data={"email": "facilitateur@demo.clausematch.fr",
                                                              "password": "pas-le-bon"})
    assert wrong.status_code == 200


def test_ids_given_by_the_seed_leave_room_for_new_rows(seeded):
    """The seed gives ids itself: on PostgreSQL every serial sequence was moved past them."""
    before = value("SELECT MAX(id) FROM territories")
    territory = Territory(name="Autre territoire")
    db.session.add(territory)
    db.session.flush()
    assert territory.id > before
    db.session.rollback()
    if db.engine.dialect.name == "postgresql":
        for table in (model.__table__ for model in INSERT_ORDER if "id" in model.__table__.c):
            sequence = value("SELECT pg_get_serial_sequence(:t, 'id')", t=table.name)
            assert value(f"SELECT last_value FROM {sequence}") >= value(f"SELECT MAX(id) FROM {table.name}")


def test_cli_refuses_a_second_seed_and_if_empty_does_nothing(seeded):
    runner = seeded.app.test_cli_runner()
    before = value("SELECT COUNT(*) FROM candidates")
    refused = runner.invoke(args=["seed", "demo"])
    assert refused.exit_code != 0 and "ne se charge que sur une base vide" in refused.output
    skipped = runner.invoke(args=["seed", "demo", "--if-empty"])
    assert skipped.exit_code == 0 and "Base déjà peuplée" in skipped.output
    assert value("SELECT COUNT(*) FROM candidates") == before


def test_same_seed_on_a_fresh_database_gives_the_same_data(seeded, tmp_path):
    """A second, fresh SQLite database seeded through `flask seed demo` holds the same rows
    (under --db postgresql this also compares PostgreSQL with SQLite)."""
    expected = fingerprint()
    fresh = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.sqlite'}"})
    with fresh.app_context():
        db.create_all()
        load_reference_data()
        result = fresh.test_cli_runner().invoke(args=["seed", "demo"])
        assert result.exit_code == 0 and "Territoire de démonstration créé" in result.output
        assert fingerprint() == expected
        db.session.remove()
        db.engine.dispose()


def test_hours_cover_the_last_24_months(seeded):
    months = {as_date(r[0]) for r in rows("SELECT DISTINCT month FROM hours_entries")}
    last = add_months(today().replace(day=1), -1)
    assert {add_months(last, -n) for n in range(24)} <= months


def test_the_directory_lists_published_inclusive_structures_of_plaine_commune(seeded):
    from clausematch.directory.queries import DirectoryFilters, search_structures
    from clausematch.offers.search import resolve_place

    territory = value("SELECT id FROM territories")
    assert value("SELECT COUNT(*) FROM directory_profiles WHERE is_published") >= 10
    assert value("SELECT COUNT(*) FROM directory_profiles p JOIN organisations o ON o.id = p.company_id "
                 "WHERE o.company_kind = 'titulaire'") == 0
    found = search_structures(territory, DirectoryFilters(q="espaces verts", place=resolve_place("Saint-Denis"),
                                                          radius_km=10), per_page=10).items
    assert "Chantier d'insertion Espaces verts du Canal" in [s.name for s in found]
    # The régies de quartier are of the kind "régie de quartier", not EI or ACI any more.
    regies = rows("SELECT name, company_kind FROM organisations WHERE name LIKE 'Régie de quartier%'")
    assert len(regies) == 3 and {kind for _, kind in regies} == {"regie"}


@pytest.fixture(autouse=True)
def _fresh_session(seeded):
    yield
    db.session.rollback()
