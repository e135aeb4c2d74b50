"""The `hours` import kind: monthly hours per person × lot, previewed then written; and the round
trip of both kinds (export a territory's people and hours, import them back, same report figures)."""
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from factories import CandidateInTerritoryFactory, EmploymentContractFactory, HoursEntryFactory
from people_support import build_world, outcomes, rows_from_csv, rows_from_dicts

from clausematch.candidates.models import Candidate, CandidateNameWord, Consent, EligibilityCriterion, EligibilityStatus
from clausematch.database import utcnow
from clausematch.imports import hours, people
from clausematch.imports.kinds import KINDS
from clausematch.pathways import hours_totals
from clausematch.pathways.models import EmploymentContract, Exit, HoursEntry, HoursKind, HoursRevision, HoursStatus
from clausematch.reporting.filters import Scope
from clausematch.reporting.queries.hours import hours_report
from clausematch.reporting.queries.publics import publics_report
from clausematch.vocabulary import EXIT_CATEGORY, ContractType, Criterion, ExitDetail, Gender

KIND = hours.KIND
HEADER = "Nom;Prénom;Date de naissance;Référence du marché;Numéro de lot;Mois;Heures;Type"


@pytest.fixture
def world(db, personas, territory):
    return build_world(db, personas, territory)


@pytest.fixture
def awa(db, world):
    """Awa Diallo, in CDD on lot 3 from 1 March to 31 December 2025."""
    candidate = CandidateInTerritoryFactory(prescriber=world.prescriber, first_name="Awa", last_name="Diallo",
                                            birth_date=date(1990, 5, 17))
    contract = EmploymentContractFactory(candidate=candidate, lot=world.lot, start_date=date(2025, 3, 1),
                                         planned_end_date=date(2025, 12, 31))
    db.session.commit()
    return contract


def csv_rows(*lines: str):
    return rows_from_csv(KIND, "\n".join([HEADER, *lines]))


def entries(db) -> list[tuple]:
    return db.session.execute(sa.select(HoursEntry.month, HoursEntry.kind, HoursEntry.hours, HoursEntry.status)
                              .order_by(HoursEntry.month, HoursEntry.kind)).all()


def test_the_kind_is_registered():
    assert KINDS["hours"] is KIND
    assert [c.key for c in KIND.columns if c.required] == ["last_name", "first_name", "birth_date",
                                                           "contract_reference", "lot_number", "month", "hours"]


def test_hours_are_created_validated_then_unchanged_then_updated_with_a_revision(db, world, awa):
    rows = csv_rows("Diallo;Awa;17/05/1990;2025-015;3;2025-03;151,67;",
                    "DIALLO;awa;1990-05-17;2025-015;3;04/2025;140;travail",
                    "Diallo;Awa;17/05/1990;2025-015;3;avril 2025;20;formation")
    preview = KIND.run(world.territory, world.facilitator, rows, write=False)
    assert outcomes(preview) == ["created"] * 3
    assert not db.session.new and entries(db) == []

    KIND.run(world.territory, world.facilitator, rows, write=True)
    db.session.commit()
    assert entries(db) == [
        (date(2025, 3, 1), HoursKind.WORK, Decimal("151.67"), HoursStatus.VALIDATED),
        (date(2025, 4, 1), HoursKind.TRAINING, Decimal("20.00"), HoursStatus.VALIDATED),
        (date(2025, 4, 1), HoursKind.WORK, Decimal("140.00"), HoursStatus.VALIDATED)]
    written = db.session.scalars(sa.select(HoursEntry)).all()
    assert {(e.validated_by_id, e.declared_by_id, e.contract_id, e.lot_id, e.candidate_id, e.company_id)
            for e in written} == {(world.facilitator.id, world.facilitator.id, awa.id, world.lot.id,
                                   awa.candidate_id, awa.company_id)}
    assert hours_totals.mismatches() == []

    assert outcomes(KIND.run(world.territory, world.facilitator, rows, write=True)) == ["unchanged"] * 3
    db.session.commit()
    assert len(entries(db)) == 3

    changed = csv_rows("Diallo;Awa;17/05/1990;2025-015;3;2025-03;150;")
    results = KIND.run(world.territory, world.facilitator, changed, write=True)
    assert outcomes(results) == ["updated"] and results[0].message == "Heures : 151,67 → 150."
    db.session.commit()
    assert entries(db)[0][2] == Decimal("150.00")
    revision = db.session.scalars(sa.select(HoursRevision)).one()
    assert (revision.old_hours, revision.new_hours, revision.actor_id) == (Decimal("151.67"), Decimal("150.00"),
                                                                           world.facilitator.id)
    assert hours_totals.mismatches() == []


def test_an_updated_declared_entry_is_validated_by_the_import(db, world, awa):
    HoursEntryFactory(contract=awa, month=date(2025, 5, 1), hours=Decimal("80"), status=HoursStatus.DECLARED)
    db.session.commit()
    KIND.run(world.territory, world.facilitator, csv_rows("Diallo;Awa;17/05/1990;2025-015;3;2025-05;90;"),
             write=True)
    db.session.commit()
    assert entries(db) == [(date(2025, 5, 1), HoursKind.WORK, Decimal("90.00"), HoursStatus.VALIDATED)]
    assert hours_totals.mismatches() == []


def test_refusals_name_the_line_and_the_reason_in_french(db, world, awa):
    ben = CandidateInTerritoryFactory(prescriber=world.prescriber, first_name="Benoît", last_name="Martin",
                                      birth_date=date(1970, 11, 3))
    EmploymentContractFactory(candidate=ben, lot=world.lot, start_date=date(2025, 1, 1),
                              planned_end_date=date(2025, 6, 30))
    EmploymentContractFactory(candidate=ben, lot=world.lot, start_date=date(2025, 6, 1),
                              planned_end_date=date(2025, 12, 31))
    db.session.commit()
    rows = csv_rows(
        "Inconnue;Personne;01/01/1990;2025-015;3;2025-03;10;",       # 2
        "Diallo;Awa;17/05/1990;2025-015;4;2025-03;10;",              # 3: no contract on lot 4
        "Diallo;Awa;17/05/1990;2025-015;3;2025-02;10;",              # 4: before the contract
        "Diallo;Awa;17/05/1990;2025-015;3;2025-06;231;",             # 5: over 230 h
        "Diallo;Awa;17/05/1990;2025-015;3;2099-01;10;",              # 6: a month to come
        "Diallo;Awa;17/05/1990;2025-015;3;13/2025;10;",              # 7: no such month
        "Martin;Benoît;03/11/1970;2025-015;3;2025-06;10;",           # 8: two contracts in June
        "Diallo;Awa;17/05/1990;2025-015;3;2025-07;10;",              # 9
        "Diallo;Awa;17/05/1990;2025-015;3;2025-07;12;",              # 10: same key as line 9
        "Diallo;Awa;17/05/1990;2025-015;3;2025-08;10;repos",         # 11
        "Diallo;Awa;17/05/1990;2025-099;1;2025-08;10;",              # 12: no such lot
        "Diallo;Awa;17/05/1990;2025-015;3;2025-08;dix;",             # 13
    )
    results = KIND.run(world.territory, world.facilitator, rows, write=True)
    assert outcomes(results) == ["refused"] * 7 + ["created", "refused", "refused", "refused", "refused"]
    by_line = {r.line: r.message for r in results}
    assert "Aucune fiche de cette personne sur le territoire" in by_line[2]
    assert "n'a pas de contrat de travail sur le marché 2025-015, lot 4 : importez d'abord les personnes" in by_line[3]
    assert by_line[4] == "Le contrat commence le 01/03/2025 : pas d'heures en février 2025."
    assert "dépasse le maximum de 230 h par mois" in by_line[5]
    assert "n'a pas commencé" in by_line[6]
    assert "« 13/2025 » n'est pas un mois valide" in by_line[7]
    assert "Plusieurs contrats de cette personne sur ce lot couvrent juin 2025" in by_line[8]
    assert "scindez" in by_line[8]
    assert by_line[10] == "Même personne, même lot, même mois et même type d'heures que la ligne 9."
    assert "« repos » n'est pas un type d'heures connu" in by_line[11]
    assert "Le lot 1 du marché « 2025-099 » n'existe pas sur le territoire : importez d'abord les marchés." \
        in by_line[12]
    assert "« dix » n'est pas un nombre d'heures" in by_line[13]
    # Only the accepted line was written (the runner commits nothing when a line is refused).
    assert entries(db) == [(date(2025, 7, 1), HoursKind.WORK, Decimal("10.00"), HoursStatus.VALIDATED)]
    db.session.rollback()
    assert entries(db) == []


def test_queries_do_not_grow_with_the_lines(db, world, count_queries):
    persons = []
    for i in range(21):
        candidate = CandidateInTerritoryFactory(prescriber=world.prescriber, first_name="Léa", last_name=f"Nom{i}",
                                                birth_date=date(1980 + i, 1, 2))
        EmploymentContractFactory(candidate=candidate, lot=world.lot, start_date=date(2025, 1, 1),
                                  planned_end_date=date(2025, 12, 31))
        persons.append(candidate)
    db.session.commit()

    def lines(n):
        keys = [(p, month, kind) for p in persons for month in range(1, 13) for kind in ("travail", "formation")]
        return rows_from_dicts([{"last_name": p.last_name, "first_name": p.first_name,
                                 "birth_date": p.birth_date.strftime("%d/%m/%Y"), "contract_reference": "2025-015",
                                 "lot_number": "3", "month": f"2025-{month:02d}", "hours": "10", "kind": kind}
                                for p, month, kind in keys[:n]])

    few, many = lines(50), lines(500)
    for write in (False, True):
        db.session.expire_all()
        with count_queries() as small:
            assert set(outcomes(KIND.run(world.territory, world.facilitator, few, write=write))) == {"created"}
        db.session.rollback()
        db.session.expire_all()
        with count_queries() as large:
            assert set(outcomes(KIND.run(world.territory, world.facilitator, many, write=write))) == {"created"}
        db.session.rollback()
        assert len(large) == len(small)


# --- Round trip: export a territory's people and hours, import them back, same figures ----------

def _figures(world):
    territory = world.territory
    report = hours_report(Scope(territory.id), territory)
    publics = publics_report(Scope(territory.id), territory)
    return ([(line.label, line.realised) for line in report.lines], report.total.realised,
            publics.participants, [(line.key, line.people, line.hours) for line in publics.lines])


def test_people_and_hours_round_trip_with_the_same_report_figures(db, world):
    facilitator = world.facilitator
    awa = CandidateInTerritoryFactory(prescriber=world.prescriber, first_name="Awa", last_name="Diallo",
                                      birth_date=date(1990, 5, 17), gender=Gender.FEMALE, phone="0612345678")
    ben = CandidateInTerritoryFactory(prescriber=world.prescriber, first_name="Benoît", last_name="Martin",
                                      birth_date=date(2002, 11, 3), gender=Gender.MALE, commune_insee=None)
    lea = CandidateInTerritoryFactory(prescriber=world.prescriber, first_name="Léa", last_name="N'Diaye",
                                      birth_date=date(1972, 1, 9))
    now = utcnow()
    for candidate in (awa, ben, lea):
        db.session.add(Consent(candidate=candidate, given_on=date(2025, 1, 6), purposes="Accompagnement"))
    for criterion in (Criterion.RSA, Criterion.QPV):
        db.session.add(EligibilityCriterion(candidate=awa, criterion=criterion, evidence="attestation CAF",
                                            status=EligibilityStatus.VALIDATED, validated_by_id=facilitator.id,
                                            validated_at=now, valid_until=date(2026, 6, 30)))
    db.session.add(EligibilityCriterion(candidate=ben, criterion=Criterion.RQTH, evidence="notification MDPH",
                                        status=EligibilityStatus.VALIDATED, validated_by_id=facilitator.id,
                                        validated_at=now, valid_until=date(2026, 6, 30)))
    cdd = EmploymentContractFactory(candidate=awa, lot=world.lot, start_date=date(2025, 3, 1),
                                    planned_end_date=date(2025, 8, 31))
    db.session.add(Exit(contract=cdd, exit_date=date(2025, 8, 31), detail=ExitDetail.LONG_CDD,
                        category=EXIT_CATEGORY[ExitDetail.LONG_CDD]))
    cdd.end_date = date(2025, 8, 31)
    cdi = EmploymentContractFactory(candidate=ben, lot=world.other_lot, contract_type=ContractType.CDI,
                                    start_date=date(2025, 6, 2), planned_end_date=None, weekly_hours=24)
    for month, value in ((3, "151.67"), (4, "140"), (5, "98.5")):
        HoursEntryFactory(contract=cdd, month=date(2025, month, 1), hours=Decimal(value))
    HoursEntryFactory(contract=cdd, month=date(2025, 4, 1), kind=HoursKind.TRAINING, hours=Decimal("21"))
    HoursEntryFactory(contract=cdi, month=date(2025, 6, 1), hours=Decimal("80"))
    HoursEntryFactory(contract=cdi, month=date(2025, 7, 1), hours=Decimal("104"))
    HoursEntryFactory(contract=cdi, month=date(2025, 8, 1), hours=Decimal("60"), status=HoursStatus.DECLARED)
    db.session.commit()
    before = _figures(world)
    assert before[1] == Decimal("595.17") and before[2] == 2  # the declared 60 h do not count

    people_rows, hours_rows = people.export_rows(world.territory), hours.export_rows(world.territory)
    assert len(people_rows) == 3 and len(hours_rows) == 6
    for model in (HoursRevision, HoursEntry, Exit, EmploymentContract, EligibilityCriterion, Consent,
                  CandidateNameWord, Candidate):
        db.session.execute(sa.delete(model))
    db.session.commit()
    assert _figures(world) != before

    assert set(outcomes(people.KIND.run(world.territory, facilitator, rows_from_dicts(people_rows), write=True))) \
        == {"created"}
    db.session.commit()
    assert set(outcomes(KIND.run(world.territory, facilitator, rows_from_dicts(hours_rows), write=True))) \
        == {"created"}
    db.session.commit()
    assert _figures(world) == before
    assert hours_totals.mismatches() == []
    # And once more: everything unchanged, nothing added.
    assert set(outcomes(people.KIND.run(world.territory, facilitator, rows_from_dicts(people_rows),
                                        write=False))) == {"unchanged"}
    assert set(outcomes(KIND.run(world.territory, facilitator, rows_from_dicts(hours_rows), write=False))) \
        == {"unchanged"}


@pytest.mark.parametrize("outcome", ["commit", "rollback"])
def test_a_large_write_suspends_the_totals_triggers_and_keeps_the_totals_right(db, world, awa, monkeypatch,
                                                                              outcome):
    HoursEntryFactory(contract=awa, month=date(2025, 3, 1), hours=Decimal("80"), status=HoursStatus.DECLARED)
    db.session.commit()
    monkeypatch.setattr(hours, "SUSPEND_FROM", 1)
    rows = csv_rows("Diallo;Awa;17/05/1990;2025-015;3;2025-03;90;",
                    "Diallo;Awa;17/05/1990;2025-015;3;2025-04;100;",
                    "Diallo;Awa;17/05/1990;2025-015;3;2025-04;7;formation")
    assert outcomes(KIND.run(world.territory, world.facilitator, rows, write=True)) == ["updated", "created", "created"]
    getattr(db.session, outcome)()
    assert hours_totals.mismatches() == []
    assert len(entries(db)) == (3 if outcome == "commit" else 1)
    # The triggers are back: an entry written afterwards moves its total.
    HoursEntryFactory(contract=awa, month=date(2025, 5, 1), hours=Decimal("12"))
    db.session.commit()
    assert hours_totals.mismatches() == []
    totals = db.session.execute(sa.select(hours_totals.LotMonthHours.hours).where(
        hours_totals.LotMonthHours.month == date(2025, 5, 1))).scalars().all()
    assert totals == [Decimal("12.00")]
