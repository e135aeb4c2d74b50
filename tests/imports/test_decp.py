"""Importing DECP files as the buyers' contracts: created, then unchanged when imported again (from
the JSON or the CSV), updated with the changed fields, refused with French reasons and nothing
half-saved, a typed contract with the published reference being the same contract."""
import json
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from import_files import ALLIER, LYON, import_decp

from clausematch.audit import AuditEvent
from clausematch.contracts.models import ClauseKind, Contract
from clausematch.errors import NotAllowed
from clausematch.imports.base import Outcome, Row
from clausematch.imports.decp import KIND
from clausematch.imports.kinds import KINDS
from clausematch.vocabulary import Sector


def contracts(db):
    return {c.reference: c for c in db.session.scalars(sa.select(Contract))}


def outcomes(result):
    return [r.outcome for r in result.results]


def marche(**values):
    """One 2022-schema marché of buyer A, `values` overriding."""
    record = {"id": "2025-001", "acheteur": {"id": LYON}, "objet": "Travaux de voirie", "codeCPV": "45233140-2",
              "dateNotification": "2025-03-03", "montant": 100000, "dureeMois": 12,
              "considerationsSociales": {"considerationSociale": ["Clause sociale"]}}
    record.update(values)
    return {key: value for key, value in record.items() if value is not None}


def as_file(*marches) -> bytes:
    return json.dumps({"marches": {"marche": list(marches)}}).encode()


def test_the_kind_is_registered():
    assert KINDS["decp"] is KIND and KIND.columns == ()


def test_import_creates_the_territorys_buyers_contracts(db, buyers, territory, personas, sample_json):
    result = import_decp(territory, personas["facilitator"], sample_json, "decp.json")
    assert result.committed and outcomes(result) == [Outcome.CREATED] * 8
    assert result.other_buyers == 1  # 2022VI2022.242, a buyer of another territory: left out
    found = contracts(db)
    assert len(found) == 8 and "2022VI2022.242" not in found
    moe = found["2019K1209"]
    assert (moe.buyer_id, moe.territory_id, moe.amount_ht, moe.sector) == (
        buyers.a.id, territory.id, Decimal("1214900.00"), Sector.SERVICES)
    assert (moe.notified_on, moe.start_date, moe.end_date, moe.clause_kind) == (
        date(2019, 6, 17), date(2019, 6, 17), date(2023, 7, 16), None)
    assert found["2023K0412"].clause_kind is ClauseKind.EXECUTION_CONDITION
    assert found["2023K0412"].sector is Sector.CONSTRUCTION
    assert found["2024K0031"].clause_kind is ClauseKind.EXECUTION_CONDITION
    assert found["2024K0220"].clause_kind is ClauseKind.RESERVED_SIAE
    assert found["202401L04"].buyer_id == buyers.b.id and found["202401L04"].amount_ht == Decimal("124557.46")
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "import.decp")).one()
    assert event.details["created"] == 8 and event.actor_id == personas["facilitator"].id


def test_importing_again_changes_nothing_json_then_csv(db, buyers, territory, personas, sample_json, sample_csv,
                                                       count_queries):
    import_decp(territory, None, sample_json, "decp.json")
    before = {c.reference: (c.id, c.version, c.updated_at) for c in contracts(db).values()}
    again = import_decp(territory, None, sample_json, "decp.json")
    assert outcomes(again) == [Outcome.UNCHANGED] * 8
    from_csv = import_decp(territory, None, sample_csv, "decp.csv")
    assert outcomes(from_csv) == [Outcome.UNCHANGED] * 8  # the CSV export says the same
    db.session.expire_all()
    assert {c.reference: (c.id, c.version, c.updated_at) for c in contracts(db).values()} == before


def test_a_changed_marche_is_updated_with_its_changed_fields(db, buyers, territory, personas):
    import_decp(territory, None, as_file(marche()), "decp.json")
    version = contracts(db)["2025-001"].version
    changed = marche(montant=120000, considerationsSociales={"considerationSociale": ["Pas de considération sociale"]},
                     modifications=[{"modification": {"id": 1, "dureeMois": 18,
                                                      "dateNotificationModification": "2025-09-01"}}])
    result = import_decp(territory, None, as_file(changed), "decp.json")
    (line,) = result.results
    assert line.outcome is Outcome.UPDATED
    assert line.message == "Modifié : montant, date de fin, clause sociale."
    db.session.expire_all()
    contract = contracts(db)["2025-001"]
    assert (contract.amount_ht, contract.end_date, contract.clause_kind) == (Decimal("120000.00"), date(2026, 9, 2),
                                                                              None)
    assert contract.version == version + 1  # an edit form opened before the import now conflicts


def test_a_typed_contract_with_the_published_reference_is_the_same_contract(db, buyers, territory, personas):
    from factories import ContractInTerritoryFactory

    typed = ContractInTerritoryFactory(buyer=buyers.a, reference="2025-001", notified_on=date(2025, 3, 3),
                                       start_date=date(2025, 4, 1), end_date=date(2025, 12, 31),
                                       amount_ht=Decimal("100000"), object="Travaux de voirie",
                                       sector=Sector.CONSTRUCTION, clause_kind=ClauseKind.INSERTION_CONTRACT)
    db.session.commit()
    # Upper or lower case, the reference is the buyer's; "Clause sociale" allows the typed kind.
    result = import_decp(territory, None, as_file(marche(id="2025-001".upper())), "decp.json")
    assert outcomes(result) == [Outcome.UPDATED]
    assert result.results[0].message == "Modifié : date de fin."  # start kept (DECP publishes none)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Contract.id))) == 1
    assert (typed.start_date, typed.end_date, typed.clause_kind) == (date(2025, 4, 1), date(2026, 3, 31),
                                                                      ClauseKind.INSERTION_CONTRACT)


@pytest.mark.parametrize(("values", "reason"), [
    ({"id": None}, "Identifiant du marché (id) absent."),
    ({"dateNotification": None}, "Date de notification absente."),
    ({"dateNotification": "03/2025"}, "Date de notification illisible : « 03/2025 »."),
    ({"dateNotification": "2205-03-03"}, "Date de notification non plausible (03/03/2205)."),
    ({"montant": None}, "Montant absent."),
    ({"montant": 1e17}, "Montant non plausible : « 1e+17 »."),
    ({"montant": "beaucoup"}, "Montant illisible : « beaucoup »."),
    ({"dureeMois": 9000}, "Durée non plausible : « 9000 » mois."),
    ({"id": "X" * 61}, "Identifiant du marché trop long (61 caractères, 60 au plus)."),
    ({"considerationsSociales": {"considerationSociale": ["Clause verte"]}},
     "Considération sociale inconnue : « clause verte »"),
])
def test_bad_lines_are_refused_in_french_and_nothing_is_saved(db, buyers, territory, values, reason):
    result = import_decp(territory, None, as_file(marche(id="2025-000"), marche(**values)), "decp.json")
    assert not result.committed
    assert [r.outcome for r in result.results] == [Outcome.CREATED, Outcome.REFUSED]
    assert result.results[1].message.startswith(reason)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Contract.id))) == 0  # all or nothing


def test_every_reason_of_a_line_is_given(db, buyers, territory):
    (line,) = import_decp(territory, None, as_file(marche(id=None, montant=None)), "decp.json").results
    assert line.refusals == ["Identifiant du marché (id) absent.", "Montant absent."]


def test_a_marche_twice_with_different_values_is_refused(db, buyers, territory):
    result = import_decp(territory, None, as_file(marche(), marche(montant=5), marche()), "decp.json")
    assert [r.outcome for r in result.results] == [Outcome.CREATED, Outcome.REFUSED]  # the same values: read once
    assert "ligne 1" in result.results[1].message and not result.committed


def test_a_buyer_unknown_to_the_territory_is_refused_when_its_rows_reach_the_kind(db, buyers, territory):
    rows = [Row(1, {"id": "9", "buyer_siret": "21974022200019", "notified_on": "2024-01-01", "amount": "1"})]
    (line,) = KIND.run(territory, None, rows, write=False)
    assert line.outcome is Outcome.REFUSED
    assert line.message.startswith("Aucun acheteur du territoire n'a le SIRET 21974022200019")
    # Read with the territory, the same file leaves that buyer's marchés out instead, and those
    # without a buyer SIRET (they cannot be the territory's; a national file has some).
    data = as_file(marche(acheteur={"id": "21974022200019"}), marche(acheteur={"nom": "Sans SIRET"}))
    assert KIND.read(data, "x.json", territory=territory) == []
    result = import_decp(territory, None, data, "x.json")
    assert result.results == [] and result.other_buyers == 2


def test_a_line_without_buyer_siret_is_refused_when_it_reaches_the_kind(db, buyers, territory):
    rows = [Row(1, {"id": "9", "buyer_siret": "", "notified_on": "2024-01-01", "amount": "1"})]
    (line,) = KIND.run(territory, None, rows, write=False)
    assert line.refusals == ["SIRET de l'acheteur (acheteur.id) absent."]


def test_the_published_date_may_not_follow_a_typed_start(db, buyers, territory):
    from factories import ContractInTerritoryFactory

    ContractInTerritoryFactory(buyer=buyers.a, reference="2025-001", notified_on=date(2025, 1, 2),
                               start_date=date(2025, 2, 1), end_date=None)
    db.session.commit()
    (line,) = import_decp(territory, None, as_file(marche()), "decp.json").results
    assert line.outcome is Outcome.REFUSED
    assert line.message == ("Date de notification publiée (03/03/2025) postérieure au début d'exécution du "
                            "marché saisi (01/02/2025).")


def test_lots_still_fit_the_published_duration(db, buyers, territory):
    from factories import ContractInTerritoryFactory, LotFactory

    contract = ContractInTerritoryFactory(buyer=buyers.a, reference="2025-001", notified_on=date(2025, 3, 3),
                                          start_date=date(2025, 3, 3), end_date=date(2027, 12, 31))
    LotFactory(contract=contract, start_date=date(2025, 3, 3), end_date=date(2027, 6, 30), company=None)
    db.session.commit()
    (line,) = import_decp(territory, None, as_file(marche()), "decp.json").results
    assert line.outcome is Outcome.REFUSED and line.message.startswith("Un lot se termine le 30/06/2027")
    db.session.expire_all()
    assert contract.end_date == date(2027, 12, 31)


def test_a_dry_run_saves_nothing(db, buyers, territory, sample_json):
    result = import_decp(territory, None, sample_json, "decp.json", dry_run=True)
    assert outcomes(result) == [Outcome.CREATED] * 8 and not result.committed
    assert db.session.scalar(sa.select(sa.func.count(Contract.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "import.decp")) == 0


@pytest.mark.parametrize("role", ["prescriber", "company", "buyer", "admin"])
def test_only_a_facilitator_of_the_territory_imports(db, buyers, territory, personas, sample_json, role):
    with pytest.raises(NotAllowed):
        import_decp(territory, personas[role], sample_json, "decp.json")
    assert db.session.scalar(sa.select(sa.func.count(Contract.id))) == 0


def test_a_facilitator_of_another_territory_may_not_import(db, buyers, territory, sample_json):
    from factories import FacilitatorTeamFactory, TerritoryFactory, UserFactory

    from clausematch.accounts.models import Role

    outsider = UserFactory(role=Role.FACILITATOR, organisation=FacilitatorTeamFactory(territory=TerritoryFactory()))
    db.session.commit()
    with pytest.raises(NotAllowed):
        import_decp(territory, outsider, sample_json, "decp.json")


def test_queries_do_not_grow_with_the_lines(db, buyers, territory, count_queries):
    def statements_for(n, prefix):
        data = as_file(*(marche(id=f"{prefix}-{i}", acheteur={"id": LYON if i % 2 else ALLIER}) for i in range(n)))
        with count_queries() as statements:
            result = import_decp(territory, None, data, "decp.json")
        assert result.committed and len(result.results) == n
        return [s.split()[0].upper() for s in statements]

    few, many = statements_for(4, "A"), statements_for(60, "B")
    assert len(many) == len(few) and many.count("INSERT") == few.count("INSERT")
    # Imported again: every contract found, the same statements whatever the count (lots read once).
    assert len(statements_for(60, "B")) == len(statements_for(4, "A"))


def test_chunks_keep_every_line_and_see_repeats_across_them(db, buyers, territory, monkeypatch):
    from clausematch.imports import decp

    monkeypatch.setattr(decp, "CHUNK", 10)
    lines = [marche(id=f"C-{i}") for i in range(25)]
    result = import_decp(territory, None, as_file(*lines, marche(id="c-0", montant=7)), "decp.json")
    assert [r.outcome for r in result.results] == [Outcome.CREATED] * 25 + [Outcome.REFUSED]
    assert result.results[-1].message.startswith("Ce marché figure déjà plus haut dans le fichier (ligne 1)")
    assert import_decp(territory, None, as_file(*lines), "decp.json").committed
    assert db.session.scalar(sa.select(sa.func.count(Contract.id))) == 25


def test_the_page_and_the_command_import_a_decp_file_through_the_one_runner(client, login_as, db, buyers,
                                                                            sample_json, app):
    import io

    from clausematch.imports.uploads import ImportUpload

    login_as("facilitator")
    assert client.get("/imports/decp/modele.csv").status_code == 404  # the national format: no template
    page = client.post("/imports", data={"kind": "decp", "fichier": (io.BytesIO(sample_json), "decp.json")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "1 marché(s) d&#39;acheteurs d&#39;autres territoires" in page  # the reader's note, shown
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contract)) == 0  # a preview writes nothing
    upload = db.session.scalars(sa.select(ImportUpload)).one()
    assert client.post(f"/imports/{upload.id}/importer").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contract)) == 8
    assert db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("import.%"))).all() == [
        "import.decp"]
    refused = client.post("/imports", data={"kind": "companies", "fichier": (io.BytesIO(sample_json), "decp.json")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422 and "ne s&#39;importe que comme données essentielles" in refused.get_data(
        as_text=True)


def test_flask_import_decp_dry_run_then_run(app, db, buyers, sample_json, tmp_path):
    path = tmp_path / "decp.json"
    path.write_bytes(sample_json)
    runner = app.test_cli_runner()
    territory = ["--territory", str(buyers.a.territory_id)]
    dry = runner.invoke(args=["import", "decp", str(path), "--dry-run", *territory])
    assert dry.exit_code == 0, dry.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contract)) == 0
    done = runner.invoke(args=["import", "decp", str(path), *territory])
    assert done.exit_code == 0, done.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contract)) == 8
