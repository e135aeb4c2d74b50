"""The `companies` kind through the runner: every outcome, idempotency, all or nothing, round trip."""
import sqlalchemy as sa
from import_files import COMPANY_HEADER, company_line, csv_bytes, siret, xlsx_bytes

from clausematch.accounts.models import Company, CompanyKind
from clausematch.audit import AuditEvent
from clausematch.imports import runner
from clausematch.imports.base import Outcome
from clausematch.imports.companies import KIND as COMPANIES
from clausematch.imports.kinds import KINDS
from clausematch.imports.runner import commit, preview
from clausematch.imports.tabular import template_csv


def companies(db, territory):
    return list(db.session.scalars(sa.select(Company).where(Company.territory_id == territory.id)
                                   .order_by(Company.siret)))


def test_preview_writes_nothing_and_commit_creates(db, territory, facilitator):
    data = csv_bytes([COMPANY_HEADER, company_line(1), company_line(2, kind="")])
    before = len(companies(db, territory))
    report = preview(COMPANIES, territory, facilitator, data, "entreprises.csv")
    assert [r.outcome for r in report.results] == [Outcome.CREATED, Outcome.CREATED]
    assert len(companies(db, territory)) == before
    report = commit(COMPANIES, territory, facilitator, data, "entreprises.csv")
    assert report.committed
    created = {c.siret: c for c in companies(db, territory)}
    assert created[siret(1)].company_kind == CompanyKind.EI
    assert created[siret(2)].company_kind == CompanyKind.TITULAIRE
    assert created[siret(1)].commune_insee == "93066"
    assert created[siret(1)].email == "contact1@exemple.fr"
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "import.companies")).one()
    assert event.entity_id == territory.id and event.actor_id == facilitator.id
    assert event.details["file_name"] == "entreprises.csv" and event.details["created"] == 2
    assert len(event.details["sha256"]) == 64
    assert "Entreprise importée" not in str(event.details)  # counts and file, never a line's content


def test_reimport_changes_nothing(db, territory, facilitator):
    data = csv_bytes([COMPANY_HEADER, company_line(1), company_line(2)])
    commit(COMPANIES, territory, facilitator, data, "e.csv")
    versions = {c.siret: (c.version, c.updated_at) for c in companies(db, territory)}
    report = commit(COMPANIES, territory, facilitator, data, "e.csv")
    assert [r.outcome for r in report.results] == [Outcome.UNCHANGED, Outcome.UNCHANGED]
    db.session.expire_all()
    assert {c.siret: (c.version, c.updated_at) for c in companies(db, territory)} == versions


def test_changed_values_are_updated_with_the_fields_named(db, territory, facilitator):
    commit(COMPANIES, territory, facilitator, csv_bytes([COMPANY_HEADER, company_line(1)]), "e.csv")
    line = company_line(1, name="Nouveau nom", kind="ETTI")
    report = commit(COMPANIES, territory, facilitator, csv_bytes([COMPANY_HEADER, line]), "e.csv")
    assert report.results[0].outcome == Outcome.UPDATED
    assert report.results[0].message == "Modifié : raison sociale, type."
    db.session.expire_all()
    company = next(c for c in companies(db, territory) if c.siret == siret(1))
    assert (company.name, company.company_kind, company.version) == ("Nouveau nom", CompanyKind.ETTI, 2)


def test_one_refused_line_writes_nothing(db, territory, facilitator):
    bad = company_line(3)
    bad[0] = "732 829 320 00075"  # wrong checksum
    data = csv_bytes([COMPANY_HEADER, company_line(1), bad, company_line(1)])
    before = len(companies(db, territory))
    report = commit(COMPANIES, territory, facilitator, data, "e.csv")
    assert not report.committed
    assert [(r.line, r.outcome) for r in report.refused] == [(3, Outcome.REFUSED), (4, Outcome.REFUSED)]
    assert "clé de contrôle est invalide" in report.refused[0].message
    assert report.refused[1].message == "même SIRET que la ligne 2."
    assert len(companies(db, territory)) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "import.companies")) == 0


def test_refusals_use_the_forms_words(db, territory, facilitator, personas):
    buyer = personas["buyer"].organisation
    buyer.siret = siret(9)
    db.session.commit()
    rows = [COMPANY_HEADER,
            ["", "", "Inconnu", "Atlantis", "pas un mail", "12"],
            company_line(9)]
    report = preview(COMPANIES, territory, facilitator, csv_bytes(rows), "e.csv")
    first, second = report.results
    assert "Indiquez le nom." in first.refusals
    assert "Indiquez le SIRET de l'entreprise." in first.refusals
    assert any("Type d'entreprise : « Inconnu » inconnu" in r for r in first.refusals)
    assert len(first.refusals) >= 5  # commune, e-mail and phone too
    assert second.message.startswith("Un acheteur avec ce SIRET existe déjà")


def test_another_territorys_siret_is_refused_without_naming_it(db, territory, facilitator):
    from factories import CompanyFactory, TerritoryFactory

    CompanyFactory(territory=TerritoryFactory(), siret=siret(4), name="Secret SA")
    db.session.commit()
    report = preview(COMPANIES, territory, facilitator, csv_bytes([COMPANY_HEADER, company_line(4)]), "e.csv")
    assert report.results[0].message == "Ce SIRET est déjà enregistré sur un autre territoire."


def test_xlsx_and_csv_give_the_same_outcome(db, territory, facilitator):
    rows = [COMPANY_HEADER, company_line(1), company_line(2)]
    commit(COMPANIES, territory, facilitator, xlsx_bytes(rows), "e.xlsx")
    report = preview(COMPANIES, territory, facilitator, csv_bytes(rows), "e.csv")
    assert [r.outcome for r in report.results] == [Outcome.UNCHANGED, Outcome.UNCHANGED]


def test_existing_records_read_in_a_bounded_number_of_queries(db, territory, facilitator, count_queries):
    rows = [COMPANY_HEADER] + [company_line(n) for n in range(1, 301)]
    commit(COMPANIES, territory, facilitator, csv_bytes(rows), "e.csv")
    with count_queries() as statements:
        report = preview(COMPANIES, territory, facilitator, csv_bytes(rows), "e.csv")
    assert report.counts[Outcome.UNCHANGED] == 300
    assert len(statements) <= 6  # the facilitator's organisation (permission), territory, companies by SIRET chunks…


def test_round_trip_export_empty_import_same_records(db, territory, facilitator, personas):
    from factories import CompanyFactory

    from clausematch.accounts.models import Membership

    CompanyFactory(territory=territory, name="=Formule", company_kind=CompanyKind.GEIQ, siret=siret(20),
                   email="x@exemple.fr", commune_insee="93066", address="1 rue de Paris", phone="0148130000")
    CompanyFactory(territory=territory, name="Régie Nord", company_kind=CompanyKind.REGIE, siret=siret(21))
    db.session.commit()

    def snapshot():
        return sorted((c.siret, c.name, c.company_kind, c.commune_insee, c.email, c.address, c.phone)
                      for c in companies(db, territory))

    source = snapshot()
    exported = template_csv(COMPANIES, COMPANIES.export_rows(territory))
    members = sa.select(Membership.organisation_id)
    db.session.execute(sa.delete(Company).where(Company.territory_id == territory.id, Company.id.not_in(members)))
    db.session.commit()
    assert len(companies(db, territory)) == 1  # the company persona's, which has a user
    report = commit(COMPANIES, territory, facilitator, exported, "export.csv")
    assert report.committed, report.refused
    assert (report.counts[Outcome.CREATED], report.counts[Outcome.UNCHANGED]) == (2, 1)
    db.session.expire_all()
    assert snapshot() == source


def test_every_kind_names_the_tables_it_writes(db):
    for kind in KINDS.values():
        assert kind.tables and set(kind.tables) <= set(db.metadata.tables), kind.name


def test_a_large_import_refreshes_the_statistics_on_postgresql(db, territory, facilitator, count_queries,
                                                                monkeypatch):
    """Past ANALYSE_FROM written lines, PostgreSQL's statistics of the kind's tables are refreshed
    (plans made on the small tables would scan them whole); never for a small or unchanged file,
    never on SQLite."""
    monkeypatch.setattr(runner, "ANALYSE_FROM", 2)
    small, large = csv_bytes([COMPANY_HEADER, company_line(1)]), csv_bytes(
        [COMPANY_HEADER, company_line(1), company_line(2), company_line(3)])
    with count_queries() as statements:
        commit(COMPANIES, territory, facilitator, small, "petit.csv")
    assert not [s for s in statements if s.startswith("ANALYZE")]
    with count_queries() as statements:
        commit(COMPANIES, territory, facilitator, large, "grand.csv")  # 2 created, 1 unchanged
    analysed = [s for s in statements if s.startswith("ANALYZE")]
    assert analysed == (["ANALYZE organisations"] if db.engine.dialect.name == "postgresql" else [])
    with count_queries() as statements:
        commit(COMPANIES, territory, facilitator, large, "grand.csv")  # all unchanged
    assert not [s for s in statements if s.startswith("ANALYZE")]
