"""The import pages: kinds and templates, upload and preview, commit once, refusals, denials."""
import io

import sqlalchemy as sa
from import_files import COMPANY_HEADER, company_line, csv_bytes, siret, xlsx_bytes

from clausematch.accounts.models import Company
from clausematch.audit import AuditEvent
from clausematch.imports.uploads import ImportUpload


def send(client, data: bytes, name: str = "entreprises.csv", kind: str = "companies"):
    return client.post("/imports", data={"kind": kind, "fichier": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def imported(db):
    return db.session.scalar(sa.select(sa.func.count()).select_from(Company).where(
        Company.siret.in_([siret(n) for n in range(1, 400)])))


def test_index_lists_kinds_columns_and_templates(client, login_as):
    login_as("facilitator")
    page = client.get("/imports").get_data(as_text=True)
    assert "<h1>Importer les données existantes</h1>" in page
    assert "Marchés, lots et clauses" in page and "Entreprises" in page
    assert '<th scope="row">SIRET du titulaire</th>' in page
    assert "/imports/companies/modele.xlsx" in page and "/imports/contracts/export.csv" in page
    assert 'href="/imports" aria-current="page">Importer</a>' in page  # the menu entry


def test_templates_and_exports(client, login_as, personas):
    login_as("facilitator")
    response = client.get("/imports/companies/modele.csv")
    assert response.mimetype == "text/csv"
    assert response.data.startswith("\ufeffSIRET;Raison sociale;".encode())
    response = client.get("/imports/contracts/modele.xlsx")
    assert response.data.startswith(b"PK")
    exported = client.get("/imports/companies/export.csv").get_data(as_text=True)
    assert personas["company"].organisation.siret in exported


def test_upload_preview_then_commit_once(client, login_as, db, facilitator):
    login_as("facilitator")
    data = csv_bytes([COMPANY_HEADER + ["Note interne"], company_line(1) + ["x"], company_line(2) + [""]])
    response = send(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Aperçu de l'import — Entreprises" in page and "Rien n'est encore enregistré." in page
    assert "Colonnes ignorées" in page and "Note interne" in page
    assert ">Importer</button>" in page
    assert imported(db) == 0
    upload = db.session.scalars(sa.select(ImportUpload)).one()
    assert (upload.kind, upload.file_name, upload.committed_at) == ("companies", "entreprises.csv", None)
    response = client.post(f"/imports/{upload.id}/importer")
    assert response.status_code == 302
    assert imported(db) == 2
    page = client.get(response.location).get_data(as_text=True)
    assert "Import enregistré (Entreprises, entreprises.csv) : 2 créée(s)" in page
    again = client.post(f"/imports/{upload.id}/importer", follow_redirects=True).get_data(as_text=True)
    assert "Ce fichier a déjà été importé" in again
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "import.companies")) == 1


def test_refused_lines_first_and_no_import_button(client, login_as, db):
    login_as("facilitator")
    bad = company_line(3)
    bad[0] = "123"
    response = send(client, xlsx_bytes([COMPANY_HEADER, company_line(1), bad]), "e.xlsx")
    page = response.get_data(as_text=True)
    assert "1 ligne refusée : rien ne sera enregistré" in page
    assert page.index("Lignes refusées") < page.index("Autres lignes")
    assert '<th scope="row">3</th>' in page and "Le SIRET doit comporter 14 chiffres" in page
    assert ">Importer</button>" not in page


def test_bad_files_are_refused_in_french_with_nothing_saved(client, login_as, db):
    login_as("facilitator")
    for data, name, words in ((b"", "vide.csv", "Le fichier est vide."),
                              (b"PK\x03\x04abc", "e.xlsx", "XLSX est illisible"),
                              (csv_bytes([["Commune"], ["Paris"]]), "e.csv", "Colonnes obligatoires manquantes"),
                              (b"abc", "image.png", "format CSV")):
        response = send(client, data, name)
        assert response.status_code == 422, name
        assert words in response.get_data(as_text=True)
    assert client.post("/imports", data={"kind": "martiens"}).status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportUpload)) == 0


def test_a_refused_commit_writes_nothing(client, login_as, db, personas):
    """Between the preview and the commit, a buyer takes one of the file's SIRET numbers."""
    login_as("facilitator")
    send(client, csv_bytes([COMPANY_HEADER, company_line(1), company_line(2)]))
    upload = db.session.scalars(sa.select(ImportUpload)).one()
    personas["buyer"].organisation.siret = siret(2)
    db.session.commit()
    response = client.post(f"/imports/{upload.id}/importer")
    assert response.status_code == 422
    assert "Un acheteur avec ce SIRET existe déjà" in response.get_data(as_text=True)
    assert imported(db) == 0


def test_someone_elses_upload_is_not_found(client, login_as, db, personas):
    from factories import FacilitatorTeamFactory, TerritoryFactory, UserFactory

    from clausematch.accounts.models import Role

    login_as("facilitator")
    send(client, csv_bytes([COMPANY_HEADER, company_line(1)]))
    upload = db.session.scalars(sa.select(ImportUpload)).one()
    colleague = UserFactory(role=Role.FACILITATOR, organisation=personas["facilitator"].organisation)
    elsewhere = UserFactory(role=Role.FACILITATOR, organisation=FacilitatorTeamFactory(territory=TerritoryFactory()))
    db.session.commit()
    for user in (colleague, elsewhere):
        login_as(user)
        assert client.post(f"/imports/{upload.id}/importer").status_code == 404
    assert imported(db) == 0


def test_other_roles_are_refused(client, login_as):
    for role in ("prescriber", "company", "buyer", "admin"):
        login_as(role)
        assert client.get("/imports").status_code == 403
        assert send(client, csv_bytes([COMPANY_HEADER, company_line(1)])).status_code == 403
    client.post("/deconnexion")
    assert "/connexion" in client.get("/imports").location


def test_a_long_file_previews_with_a_capped_list(client, login_as, db, count_queries):
    login_as("facilitator")
    rows = [COMPANY_HEADER] + [company_line(n) for n in range(1, 301)]
    with count_queries() as statements:
        page = send(client, csv_bytes(rows)).get_data(as_text=True)
    assert "… et 100 autres lignes" in page
    assert len(statements) <= 15


def test_every_lines_outcome_downloads_beyond_the_lines_the_page_shows(client, login_as, db, app):
    from clausematch.web.imports import routes

    login_as("facilitator")
    lines = [company_line(n) for n in range(1, 8)]
    lines[5][0] = "123"  # line 7 of the file: a SIRET of three digits
    page = send(client, csv_bytes([COMPANY_HEADER, *lines])).get_data(as_text=True)
    upload = db.session.scalars(sa.select(ImportUpload)).one()
    assert f"/imports/{upload.id}/resultat.csv" in page
    original = routes.SHOWN_OTHERS
    routes.SHOWN_OTHERS = 2  # the page shows two of the six lines created…
    try:
        assert "… et 4 autres lignes" in send(client, csv_bytes([COMPANY_HEADER, *lines])).get_data(as_text=True)
    finally:
        routes.SHOWN_OTHERS = original
    response = client.get(f"/imports/{upload.id}/resultat.csv")  # … the file gives all seven
    assert response.mimetype == "text/csv"
    rows = [row.split(";") for row in response.get_data(as_text=True).lstrip("\ufeff").splitlines()]
    assert rows[0] == ["Ligne", "Résultat", "Enregistrement", "Détail"]
    assert [row[0] for row in rows[1:]] == [str(n) for n in range(2, 9)]
    assert [row[1] for row in rows[1:]].count("Créée") == 6 and rows[6][1] == "Refusée" and "SIRET" in rows[6][3]
    assert imported(db) == 0  # downloading plans again, writes nothing
    login_as("prescriber")
    assert client.get(f"/imports/{upload.id}/resultat.csv").status_code == 403
