"""The `people` import kind: participants and their employment contracts, previewed then written."""
from datetime import date

import pytest
import sqlalchemy as sa
from factories import CandidateInTerritoryFactory, EmploymentContractFactory, PrescriberFactory
from people_support import build_world, outcomes, rows_from_csv, rows_from_dicts

from clausematch.candidates.models import Candidate, CandidateNameWord, Consent, EligibilityCriterion, EligibilityStatus
from clausematch.errors import DomainError
from clausematch.imports import people
from clausematch.imports.kinds import KINDS
from clausematch.matching.changelog import MatchingChange
from clausematch.pathways.models import EmploymentContract, Exit
from clausematch.vocabulary import ContractType, Criterion, EducationLevel, ExitCategory, ExitDetail, Gender

KIND = people.KIND
HEADER = ("Nom;Prénom;Date de naissance;Sexe;Niveau de formation;Commune;Téléphone;E-mail;Publics;"
          "Structure prescriptrice;Date du consentement;Référence du marché;Numéro de lot;Type de contrat;"
          "Date de début;Fin prévue;Heures hebdomadaires;Date de sortie;Situation à la sortie")


@pytest.fixture
def world(db, personas, territory):
    return build_world(db, personas, territory)


def csv_rows(world, *lines: str):
    text = "\n".join([HEADER, *(line.format(p=world.prescriber.name) for line in lines)])
    return rows_from_csv(KIND, text)


AWA_1 = ("Diallo;Awa;17/05/1990;F;CAP;Saint-Denis (93200);06 12 34 56 78;awa@exemple.fr;RSA, QPV;{p};"
         "02/01/2025;2025-015;3;CDD;01/03/2025;31/12/2025;35;;")
AWA_2 = ("Diallo;Awa;17/05/1990;F;CAP;Saint-Denis (93200);06 12 34 56 78;awa@exemple.fr;RSA, QPV;{p};"
         "02/01/2025;2025-015;4;intérim;01/02/2026;30/06/2026;35;30/06/2026;CDD de plus de 6 mois")
BEN = "Martin;Benoît;03/11/1970;homme;sans diplôme;;;;;{p};15/01/2025;;;;;;;;"


def counts(db) -> tuple[int, ...]:
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                 for model in (Candidate, Consent, EligibilityCriterion, EmploymentContract, Exit))


def test_the_kind_is_registered_with_its_columns():
    assert KINDS["people"] is KIND
    assert {c.key for c in KIND.columns} >= {"last_name", "first_name", "birth_date", "publics", "consent_date",
                                             "contract_reference", "lot_number", "exit_detail"}


def test_preview_writes_nothing_then_commit_creates_people_contracts_and_exits(db, world):
    rows = csv_rows(world, AWA_1, AWA_2, BEN)
    preview = KIND.run(world.territory, world.facilitator, rows, write=False)
    assert outcomes(preview) == ["created", "created", "created"]
    assert [r.message for r in preview] == ["Personne et contrat créés", "Contrat de travail créé", "Personne créée"]
    assert not db.session.new and not db.session.dirty
    assert counts(db) == (0, 0, 0, 0, 0)

    written = KIND.run(world.territory, world.facilitator, rows, write=True)
    assert outcomes(written) == outcomes(preview)
    db.session.commit()
    assert counts(db) == (2, 2, 2, 2, 1)
    awa = db.session.scalars(sa.select(Candidate).where(Candidate.first_name == "Awa")).one()
    assert (awa.last_name, awa.birth_date, awa.gender, awa.education_level, awa.commune_insee, awa.phone,
            awa.email, awa.prescriber_id) == ("Diallo", date(1990, 5, 17), Gender.FEMALE, EducationLevel.CAP_BEP,
                                              "93066", "0612345678", "awa@exemple.fr", world.prescriber.id)
    assert awa.consents[0].given_on == date(2025, 1, 2) and awa.consents[0].recorded_by_id == world.facilitator.id
    assert {(c.criterion, c.status, c.validated_by_id, c.evidence) for c in awa.criteria} == {
        (Criterion.RSA, EligibilityStatus.VALIDATED, world.facilitator.id, people.IMPORT_EVIDENCE),
        (Criterion.QPV, EligibilityStatus.VALIDATED, world.facilitator.id, people.IMPORT_EVIDENCE)}
    assert all(c.valid_until is not None for c in awa.criteria)
    # The name search index follows created records, and so does the matching change log.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CandidateNameWord)
                             .where(CandidateNameWord.candidate_id == awa.id)) == 2
    logged = set(db.session.scalars(sa.select(MatchingChange.entity_id).where(MatchingChange.side == "candidate")))
    assert {awa.id, db.session.scalars(sa.select(Candidate.id).where(Candidate.first_name == "Benoît")).one()} <= logged
    contracts = db.session.scalars(sa.select(EmploymentContract).where(EmploymentContract.candidate_id == awa.id)
                                   .order_by(EmploymentContract.start_date)).all()
    assert [(c.lot_id, c.contract_type, c.company_id, c.planned_end_date, c.end_date) for c in contracts] == [
        (world.lot.id, ContractType.CDD, world.company.id, date(2025, 12, 31), None),
        (world.other_lot.id, ContractType.INTERIM, world.company.id, date(2026, 6, 30), date(2026, 6, 30))]
    assert (contracts[1].exit.detail, contracts[1].exit.category) == (ExitDetail.LONG_CDD, ExitCategory.DURABLE)
    ben = db.session.scalars(sa.select(Candidate).where(Candidate.first_name == "Benoît")).one()
    assert (ben.gender, ben.education_level, ben.commune_insee) == (Gender.MALE, EducationLevel.NONE, None)

    # Importing the same file again changes nothing.
    again = KIND.run(world.territory, world.facilitator, rows, write=True)
    assert outcomes(again) == ["unchanged"] * 3
    db.session.commit()
    assert counts(db) == (2, 2, 2, 2, 1)


def test_names_are_compared_accents_case_and_order_aside(db, world):
    KIND.run(world.territory, world.facilitator, csv_rows(world, BEN), write=True)
    db.session.commit()
    rows = csv_rows(world, "MARTIN;benoit;03/11/1970;;;;;;;;;;;;;;;;")
    assert outcomes(KIND.run(world.territory, world.facilitator, rows, write=False)) == ["unchanged"]
    swapped = csv_rows(world, "Benoit;Martin;1970-11-03;;;;;;;;;;;;;;;;")
    assert outcomes(KIND.run(world.territory, world.facilitator, swapped, write=False)) == ["unchanged"]


def test_an_update_lists_the_fields_it_changes_and_never_erases(db, world):
    candidate = CandidateInTerritoryFactory(prescriber=world.prescriber, first_name="Awa", last_name="Diallo",
                                            birth_date=date(1990, 5, 17), phone="0611111111", email="old@exemple.fr")
    EmploymentContractFactory(candidate=candidate, lot=world.lot, start_date=date(2025, 3, 1),
                              planned_end_date=date(2025, 12, 31), weekly_hours=35)
    db.session.commit()
    rows = csv_rows(world, "Diallo;Awa;17/05/1990;;;;06 12 34 56 78;;RQTH;;;2025-015;3;CDD;01/03/2025;"
                           "31/12/2025;24;;")
    preview = KIND.run(world.territory, world.facilitator, rows, write=False)
    assert outcomes(preview) == ["updated"]
    assert preview[0].message == "Mis à jour : téléphone, publics (RQTH ajoutés), heures hebdomadaires."
    KIND.run(world.territory, world.facilitator, rows, write=True)
    db.session.commit()
    db.session.refresh(candidate)
    assert (candidate.phone, candidate.email) == ("0612345678", "old@exemple.fr")  # the empty e-mail erased nothing
    assert [c.criterion for c in candidate.criteria] == [Criterion.RQTH]
    assert db.session.scalar(sa.select(EmploymentContract.weekly_hours)) == 24
    assert outcomes(KIND.run(world.territory, world.facilitator, rows, write=False)) == ["unchanged"]


def test_refusals_name_the_line_and_the_reason_in_french(db, world):
    CandidateInTerritoryFactory(prescriber=world.prescriber, first_name="Fatoumata", last_name="Konaté",
                                birth_date=date(1985, 2, 1))
    db.session.commit()
    rows = csv_rows(
        world,
        "Sans;Consentement;01/01/1990;F;Bac;;;;;{p};;;;;;;;;",                        # 2
        "Inconnu;Prescripteur;01/01/1990;F;Bac;;;;;Mission locale du Nord;01/01/2025;;;;;;;;",  # 3
        "Lot;Absent;01/01/1990;F;Bac;;;;;{p};01/01/2025;2025-015;9;CDD;01/03/2025;31/12/2025;35;;",  # 4
        "Cdi;Avecfin;01/01/1990;F;Bac;;;;;{p};01/01/2025;2025-015;3;CDI;01/03/2025;31/12/2025;35;;",  # 5
        "Trop;Jeune;01/01/2020;F;Bac;;;;;{p};01/01/2025;;;;;;;;",                        # 6
        "Mauvais;Telephone;01/01/1990;F;Bac;;12 34;pas-un-mail;Licorne;{p};01/01/2025;;;;;;;;",  # 7
        "Konate;Fatoumataa;01/02/1985;F;Bac;;;;;{p};01/01/2025;;;;;;;;",                  # 8: close to a record
        "Sortie;Incomplete;01/01/1990;F;Bac;;;;;{p};01/01/2025;2025-015;3;CDD;01/03/2025;31/12/2025;35;30/06/2025;",
        "Commune;Floue;01/01/1990;F;Bac;Saint-Den;;;;{p};01/01/2025;;;;;;;;",             # 10
        "Sans;Niveau;01/01/1990;F;;;;;;{p};01/01/2025;;;;;;;;",                           # 11
    )
    results = KIND.run(world.territory, world.facilitator, rows, write=True)
    assert outcomes(results) == ["refused"] * 10
    by_line = {r.line: r for r in results}
    assert "Le consentement de la personne est obligatoire" in by_line[2].message
    assert "« Mission locale du Nord » n'existe pas sur le territoire" in by_line[3].message
    assert "Le lot 9 du marché « 2025-015 » n'existe pas sur le territoire : importez d'abord les marchés." \
        in by_line[4].message
    assert "Un CDI n'a pas de date de fin prévue : laissez ce champ vide." in by_line[5].message
    assert "La personne doit avoir entre 16 et 70 ans" in by_line[6].message
    assert len(by_line[7].refusals) == 3
    assert "Numéro de téléphone invalide" in by_line[7].refusals[0]
    assert "Adresse électronique invalide" in by_line[7].refusals[1]
    assert "Public inconnu : « Licorne »" in by_line[7].refusals[2]
    assert "Une fiche proche existe déjà (« Fatoumata Konaté »" in by_line[8].message
    assert "Indiquez la date de sortie et la situation à la sortie, ou aucune des deux." in by_line[9].message
    assert "« Saint-Den » ne désigne pas une commune précise" in by_line[10].message
    assert "Indiquez le niveau de formation" in by_line[11].message
    assert not db.session.new  # a refused line writes nothing


def test_repeated_keys_and_differing_person_columns_are_refused(db, world):
    other = AWA_1.replace("06 12 34 56 78", "07 00 00 00 00").replace(";3;CDD", ";4;CDD")
    results = KIND.run(world.territory, world.facilitator, csv_rows(world, AWA_1, AWA_1, other), write=False)
    assert outcomes(results) == ["created", "refused", "refused"]
    assert results[1].message == "Même personne, même lot et même date de début que la ligne 2."
    assert "diffèrent de la ligne 2" in results[2].message


def test_a_record_of_another_prescriber_is_not_moved(db, world):
    other = PrescriberFactory(territory=world.territory, name="Mission locale")
    CandidateInTerritoryFactory(prescriber=other, first_name="Awa", last_name="Diallo", birth_date=date(1990, 5, 17))
    db.session.commit()
    results = KIND.run(world.territory, world.facilitator, csv_rows(world, AWA_1), write=False)
    assert outcomes(results) == ["refused"]
    assert "déjà suivie par une autre structure prescriptrice" in results[0].message


def test_an_existing_exit_is_not_changed_but_a_missing_one_is_added(db, world):
    rows = csv_rows(world, AWA_1)
    KIND.run(world.territory, world.facilitator, rows, write=True)
    db.session.commit()
    ended = csv_rows(world, AWA_1[:-1] + "31/10/2025;Formation qualifiante")
    preview = KIND.run(world.territory, world.facilitator, ended, write=False)
    assert outcomes(preview) == ["updated"] and preview[0].message == "Mis à jour : sortie."
    KIND.run(world.territory, world.facilitator, ended, write=True)
    db.session.commit()
    contract = db.session.scalars(sa.select(EmploymentContract)).one()
    assert (contract.end_date, contract.exit.detail) == (date(2025, 10, 31), ExitDetail.TRAINING)
    changed = csv_rows(world, AWA_1[:-1] + "30/11/2025;CDI")
    results = KIND.run(world.territory, world.facilitator, changed, write=False)
    assert outcomes(results) == ["refused"]
    assert "une sortie se corrige dans l'application" in results[0].message


def test_a_rolled_back_commit_leaves_nothing(db, world):
    KIND.run(world.territory, world.facilitator, csv_rows(world, AWA_1, AWA_2, BEN), write=True)
    db.session.rollback()
    assert counts(db) == (0, 0, 0, 0, 0)


@pytest.mark.parametrize(("text", "expected"), [
    ("RSA, QPV", [Criterion.RSA, Criterion.QPV]),
    ("rsa;qpv ; RQTH", [Criterion.RSA, Criterion.QPV, Criterion.RQTH]),
    ("Bénéficiaire du RSA / -26 ans / +50 ans", [Criterion.RSA, Criterion.UNDER_26, Criterion.OVER_50]),
    ("DELD, detld, TH, PASS IAE", [Criterion.DELD, Criterion.DETLD, Criterion.RQTH, Criterion.IAE]),
    ("Résident d'un quartier prioritaire (QPV), rsa, RSA", [Criterion.QPV, Criterion.RSA]),
    ("", []),
])
def test_publics_are_read_tolerantly(text, expected):
    assert people.parse_criteria(text) == expected


def test_an_unknown_public_is_named():
    with pytest.raises(DomainError, match="« Licorne »"):
        people.parse_criteria("RSA, Licorne")


@pytest.mark.parametrize(("text", "expected"), [
    ("CDI", ContractType.CDI), ("cdd", ContractType.CDD), ("Intérim", ContractType.INTERIM),
    ("travail temporaire", ContractType.INTERIM),
    ("Contrat de professionnalisation", ContractType.PROFESSIONNALISATION),
    ("apprenti", ContractType.APPRENTISSAGE), ("CDDI", ContractType.CDDI),
    ("mise à disposition", ContractType.MISE_A_DISPOSITION)])
def test_contract_types_are_read_tolerantly(text, expected):
    assert people.parse_contract_type(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("CDI", ExitDetail.CDI), ("CDD de plus de 6 mois", ExitDetail.LONG_CDD), ("cdd court", ExitDetail.SHORT_CDD),
    ("Formation qualifiante", ExitDetail.TRAINING), ("chômage", ExitDetail.UNEMPLOYMENT),
    ("Demandeur d'emploi", ExitDetail.UNEMPLOYMENT), ("création d'entreprise", ExitDetail.BUSINESS_CREATION),
    ("long_interim", ExitDetail.LONG_INTERIM)])
def test_exit_situations_are_read_tolerantly(text, expected):
    assert people.parse_exit_detail(text) == expected


def test_an_unknown_contract_type_is_refused_in_french():
    with pytest.raises(DomainError, match="n'est pas un type de contrat connu"):
        people.parse_contract_type("stage")


def test_queries_do_not_grow_with_the_lines(db, world, count_queries):
    def lines(n):
        return rows_from_dicts([{"last_name": f"Nom{i}", "first_name": "Léa", "birth_date": "17/05/1990",
                                 "education_level": "Bac", "prescriber": world.prescriber.name,
                                 "consent_date": "01/01/2025", "publics": "RSA", "commune": "93066",
                                 "contract_reference": "2025-015", "lot_number": "3", "contract_type": "CDI",
                                 "start_date": "01/03/2025", "weekly_hours": "35"} for i in range(n)])

    db.session.expire_all()
    with count_queries() as small:
        assert set(outcomes(KIND.run(world.territory, world.facilitator, lines(50), write=False))) == {"created"}
    db.session.expire_all()
    with count_queries() as large:
        assert set(outcomes(KIND.run(world.territory, world.facilitator, lines(500), write=False))) == {"created"}
    assert len(large) == len(small)


def test_export_rows_read_back_as_unchanged(db, world):
    KIND.run(world.territory, world.facilitator, csv_rows(world, AWA_1, AWA_2, BEN), write=True)
    db.session.commit()
    exported = people.export_rows(world.territory)
    assert len(exported) == 3
    assert exported[0]["publics"] == "RSA, QPV" and exported[0]["commune"] == "Saint-Denis (93066)"
    results = KIND.run(world.territory, world.facilitator, rows_from_dicts(exported), write=False)
    assert outcomes(results) == ["unchanged"] * 3
