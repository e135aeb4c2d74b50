"""CSV import of monthly hours: separators, encodings, BOM, line-numbered errors, all-or-nothing,
only the company's own contracts; the template to fill in."""
import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from hours_support import MARCH, T, W, entries, entry, page_text

from clausematch.errors import DomainError, NotAllowed
from clausematch.pathways import hours_csv
from clausematch.pathways.hours import HoursRejected
from clausematch.pathways.hours_csv import import_csv
from clausematch.pathways.models import HoursStatus

D = HoursStatus.DECLARED


@pytest.fixture
def two(lot, hire):
    return hire(lot), hire(lot, first_name="Élodie", last_name="Bénard")


@pytest.mark.parametrize(("separator", "encoding", "bom"), [
    (";", "utf-8", False), (";", "utf-8", True), (",", "utf-8", True), (",", "cp1252", False), (";", "cp1252", False),
])
def test_separators_and_encodings(db, personas, two, separator, encoding, bom):
    awa, elodie = two
    hours = '"151,67"' if separator == "," else "151,67"
    text = (f"Contrat{separator}Nom{separator}Mois{separator}Heures{separator}Type\r\n"
            f"{awa.id}{separator}Awa Diallo{separator}2025-03{separator}{hours}{separator}travail\r\n"
            f"{elodie.id}{separator}Élodie Bénard{separator}03/2025{separator}12{separator}Formation\r\n")
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)
    result = import_csv(personas["company"], data)
    assert result.created == 2
    assert entries(db) == {(awa.id, MARCH, W): (Decimal("151.67"), D), (elodie.id, MARCH, T): (Decimal("12.00"), D)}


def test_decoding_falls_back_to_windows_1252():
    assert hours_csv.decode("é;à".encode("cp1252")) == "é;à"
    assert hours_csv.decode(b"\xef\xbb\xbfcontrat") == "contrat"
    with pytest.raises(DomainError, match="pas un fichier texte lisible"):
        hours_csv.decode(b"\x81\x8d\x8f\x90\x9d\xff\xfe")


def test_candidate_and_lot_columns_find_the_contract_of_the_month(db, personas, lot, hire):
    first = hire(lot, start_date=date(2025, 1, 6), planned_end_date=date(2025, 2, 28))
    second = hire(lot, start_date=date(2025, 3, 1), planned_end_date=date(2025, 8, 31))
    second.candidate_id = first.candidate_id  # an extension: same person, a new contract
    db.session.commit()
    data = (f"candidat;lot;mois;heures\n{first.candidate_id};{lot.id};2025-02;140\n"
            f"{first.candidate_id};{lot.id};2025-03;151,67\n").encode()
    import_csv(personas["company"], data)
    assert entries(db) == {(first.id, date(2025, 2, 1), W): (Decimal("140.00"), D),
                           (second.id, MARCH, W): (Decimal("151.67"), D)}


def test_every_wrong_line_is_named_and_nothing_is_saved(db, personas, two, other_company_user):
    awa, elodie = two
    entry(awa, hours="10")
    db.session.commit()
    data = "\n".join([
        "contrat;mois;heures;type",
        f"{elodie.id};2025-03;35;travail",           # 2: fine
        f"{awa.id};2025-03;-4;travail",              # 3: negative
        f"{elodie.id};2025-04;250;travail",          # 4: over 230
        f"{elodie.id};2025-13;35;travail",           # 5: not a month
        f"{elodie.id};2025-05;dix;travail",          # 6: not a number
        f"{elodie.id};2024-12;35;travail",           # 7: before the contract
        f"{elodie.id};2025-06;35;congés",            # 8: unknown kind
        "999999;2025-03;35;travail",                  # 9: no such contract
        f"{elodie.id};2025-03;36;travail",           # 10: same as line 2
        "",                                           # empty lines are skipped
        f"{awa.id};2025-03;;travail",                # 12: empty hours: skipped
    ]).encode()
    with pytest.raises(HoursRejected) as rejected:
        import_csv(personas["company"], data)
    assert list(rejected.value.errors.values()) == [
        "Ligne 3 : Le nombre d'heures ne peut pas être négatif.",
        "Ligne 4 : 250 heures dépasse le maximum de 230 h par mois.",
        "Ligne 5 : « 2025-13 » n'est pas un mois valide (format AAAA-MM ou MM/AAAA, exemple : 2025-03).",
        "Ligne 6 : « dix » n'est pas un nombre d'heures (exemple : 151,67).",
        "Ligne 7 : Le contrat commence le 01/03/2025 : pas d'heures en décembre 2024.",
        "Ligne 8 : type « congés » inconnu : indiquez travail ou formation.",
        "Ligne 9 : contrat « 999999 » introuvable parmi les contrats de votre entreprise.",
        "Ligne 10 : même contrat, même mois et même type d'heures que la ligne 2.",
    ]
    assert entries(db) == {(awa.id, MARCH, W): (Decimal("10.00"), D)}  # line 2 was not saved either


def test_another_company_contract_is_refused_like_a_missing_one(db, personas, two, other_company_user):
    awa, _ = two
    with pytest.raises(HoursRejected) as rejected:
        import_csv(other_company_user, f"contrat;mois;heures\n{awa.id};2025-03;35\n".encode())
    assert rejected.value.errors == {
        "Ligne 2": f"Ligne 2 : contrat « {awa.id} » introuvable parmi les contrats de votre entreprise."}
    with pytest.raises(HoursRejected, match="1 erreur"):
        by_person = f"candidat;lot;mois;heures\n{awa.candidate_id};{awa.lot_id};2025-03;35\n"
        import_csv(other_company_user, by_person.encode())
    with pytest.raises(NotAllowed):
        import_csv(personas["facilitator"], f"contrat;mois;heures\n{awa.id};2025-03;35\n".encode())
    assert entries(db) == {}


@pytest.mark.parametrize(("data", "message"), [
    (b"", "Le fichier est vide."),
    (b"nom;heures\nAwa;35\n", r"Colonnes manquantes : contrat \(ou candidat et lot\), mois\."),
    (b"contrat;mois;heures\n", "aucune ligne d'heures"),
    (b"contrat;mois;heures\n" + b"1;2025-03;1\n" * (hours_csv.MAX_LINES + 1), "dépasse 5\u202f000 lignes"),
    (b"x" * (hours_csv.MAX_BYTES + 1), "dépasse 2 Mo"),
])
def test_file_level_refusals(personas, data, message):
    with pytest.raises(DomainError, match=message):
        import_csv(personas["company"], data)


def test_upload_through_the_page(db, client, login_as, lot, two):
    awa, elodie = two
    login_as("company")
    data = f"contrat;mois;heures\n{awa.id};2025-03;100\n{elodie.id};2025-03;80,5\n".encode()
    response = client.post(f"/entreprise/heures/import?lot={lot.id}&mois=2025-03",
                           data={"fichier": (io.BytesIO(data), "heures.csv")}, content_type="multipart/form-data")
    assert response.status_code == 302
    page = page_text(client.get(response.headers["Location"]))
    assert "Fichier importé : 2 valeurs enregistrées, 0 inchangée" in page
    assert len(entries(db)) == 2


def test_upload_errors_are_listed_on_the_page(db, client, login_as, lot, two):
    awa, _ = two
    login_as("company")
    data = f"contrat;mois;heures\n{awa.id};2025-03;100\n{awa.id};2025-04;400\n".encode()
    response = client.post(f"/entreprise/heures/import?lot={lot.id}&mois=2025-03",
                           data={"fichier": (io.BytesIO(data), "heures.csv")}, content_type="multipart/form-data")
    page = page_text(response)
    assert response.status_code == 200 and entries(db) == {}
    assert "Fichier refusé : 1 ligne en erreur" in page
    assert "Ligne 3 : 400 heures dépasse le maximum de 230 h par mois." in page
    html = response.get_data(as_text=True)  # the errors come first, in the summary that takes the focus
    summary = html.split("data-resume-erreurs>")[1].split("</div>")[0]
    assert "Ligne 3 : 400 heures" in summary and html.index("data-resume-erreurs") < html.index('type="file"')
    assert html.index("<h1>") < html.index("data-resume-erreurs")
    reloaded = client.get(f"/entreprise/heures/import?lot={lot.id}&mois=2025-03")  # the URL can be reloaded
    assert reloaded.status_code == 200 and 'type="file"' in reloaded.get_data(as_text=True)
    assert "data-resume-erreurs" not in reloaded.get_data(as_text=True)
    response = client.post("/entreprise/heures/import", data={}, content_type="multipart/form-data")
    assert "Choisissez un fichier CSV." in page_text(response)


def test_template_lists_the_contracts_of_the_month_with_their_values(db, client, login_as, personas, lot, hire):
    awa = hire(lot)
    hire(lot, first_name="Zoé", last_name="Ancienne", start_date=date(2024, 1, 8), planned_end_date=date(2024, 12, 31))
    entry(awa, hours="151.67")
    db.session.commit()
    login_as("company")
    response = client.get(f"/entreprise/heures/modele.csv?lot={lot.id}&mois=2025-03")
    assert response.headers["Content-Disposition"] == f'attachment; filename="heures-2025-03-lot-{lot.id}.csv"'
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").splitlines()
    assert lines == ["contrat;candidat;lot;nom;mois;heures;type",
                     f"{awa.id};{awa.candidate_id};{lot.id};Awa Diallo;2025-03;151,67;travail",
                     f"{awa.id};{awa.candidate_id};{lot.id};Awa Diallo;2025-03;;formation"]
    # The filled-in template imports as is.
    filled = body.replace(b";;formation", b";7;formation")
    result = import_csv(personas["company"], filled)
    assert (result.created, result.unchanged) == (1, 1)


def test_template_writes_a_formula_like_name_as_text(db, client, login_as, personas, lot, hire):
    """A candidate named "=HYPERLINK(…)" lands in the company's template as text, and the filled
    template still imports."""
    awa = hire(lot, first_name='=HYPERLINK("http://evil.example","clic")', last_name="Diallo")
    login_as("company")
    body = client.get(f"/entreprise/heures/modele.csv?lot={lot.id}&mois=2025-03").data
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][3] == "'=HYPERLINK(\"http://evil.example\",\"clic\") Diallo"
    filled = body.replace(b";;travail", b";35;travail")
    assert import_csv(personas["company"], filled).created == 1
    assert awa.id


def test_a_file_never_changes_validated_hours(db, personas, two):
    """Validated hours are corrected in the month's grid, which shows them validated; a file that
    gives another value is refused (nothing saved), one that repeats it changes nothing."""
    awa, elodie = two
    entry(awa, hours="100", status=HoursStatus.VALIDATED, validated_by_id=personas["facilitator"].id)
    db.session.commit()
    with pytest.raises(HoursRejected) as rejected:
        import_csv(personas["company"], f"contrat;mois;heures\n{awa.id};2025-03;90\n{elodie.id};2025-03;20\n".encode())
    assert list(rejected.value.errors) == ["Ligne 2"]
    assert "Ces heures ont été validées (100 h)" in rejected.value.errors["Ligne 2"]
    assert entries(db) == {(awa.id, MARCH, W): (Decimal("100.00"), HoursStatus.VALIDATED)}
    result = import_csv(personas["company"], f"contrat;mois;heures\n{awa.id};2025-03;100\n".encode())
    assert (result.saved, result.unchanged) == (0, 1)
