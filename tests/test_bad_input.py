"""Bad input is a field error, an ignored filter or a 404, never a 500: ids beyond the integer
columns in paths, query strings and forms, unknown choices, decimal overflow, oversize CSV cells.
(tests/test_fuzz_routes.py drives every route at random; these are the cases found by hand.)"""
import io
import re
from decimal import Decimal
from html import unescape

import pytest
import sqlalchemy as sa
from test_access_matrix import build_objects

MAX_INTEGER = 2**31 - 1  # PostgreSQL's INTEGER, the id columns
BEYOND = [2**31, 2**63, 10**30]


def text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


@pytest.fixture
def objects(db, personas):
    return build_objects(db, personas)


# --- Ids in paths --------------------------------------------------------------------------------

def test_the_anonymous_offer_page_beyond_the_integer_range_is_a_404(client, db):
    for ident in [*BEYOND, MAX_INTEGER]:
        assert client.get(f"/offres/{ident}").status_code == 404


@pytest.mark.parametrize("role", ["anonymous", "facilitator"])
def test_every_id_in_a_path_is_bounded_to_the_integer_columns(app, client, login_as, role):
    if role != "anonymous":
        login_as(role)
    rules = [rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule]
    assert len(rules) > 40
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            path = re.sub(r"<int:\w+>", str(2**63), rule.rule)
            path = re.sub(r"<(?:\w+:)?\w+>", "2025-03", path)
            assert client.open(path, method=method).status_code == 404, (method, path)


# --- Ids and numbers in query strings ---------------------------------------------------------------

@pytest.mark.parametrize(("role", "url"), [
    ("company", "/entreprise/heures?lot={big}&mois=2025-03"),
    ("company", "/entreprise/heures/modele.csv?lot={big}"),
    ("company", "/entreprise/offres?page={big}"),
    ("facilitator", "/gestion/offres/nouvelle?lot={big}"),
    ("facilitator", "/facilitateur/offres?entreprise={big}&lot={big}&page={big}"),
    ("facilitator", "/marches?acheteur={big}&annee={big}"),
    ("facilitator", "/marches/nouveau?acheteur={big}"),
    ("facilitator", "/orientations?offre={big}&lot={big}&entreprise={big}&prescripteur={big}&sans_nouvelle={big}"),
    ("facilitator", "/rapports/entonnoir?lot={big}&offre={big}&annee={big}&page={big}"),
    ("facilitator", "/invitations/nouvelle?organisation={big}"),
    ("facilitator", "/candidats/fusion?keep_id={big}&drop_id=1"),
    ("prescriber", "/candidats/1/proposer?offre={big}"),
    ("anonymous", "/offres?page={big}&rayon={big}"),
    ("anonymous", "/offres?rayon=" + "9" * 5000),
])
@pytest.mark.parametrize("big", BEYOND)
def test_ids_and_numbers_beyond_range_in_a_link_are_ignored(client, login_as, objects, role, url, big):
    if role != "anonymous":
        login_as(role)
    assert client.get(url.format(big=big)).status_code in (200, 302, 400, 404)


# --- Form integers and unknown choices ---------------------------------------------------------------

def test_a_lot_number_beyond_range_is_a_french_field_error(client, login_as, objects):
    login_as("facilitator")
    response = client.post(f"/lots/{objects['lot']}/modifier", data={
        "number": str(2**63), "title": "Gros œuvre", "company_id": "", "amount_ht": "1000", "start_date": "2025-02-01"})
    assert response.status_code == 422
    assert "Saisissez un nombre entier d'au plus 2 147 483 647." in text(response)


@pytest.mark.parametrize("field", ["keep_id", "drop_id"])
def test_a_merge_pair_beyond_range_is_refused(client, login_as, objects, field):
    login_as("facilitator")
    data = {"keep_id": str(objects["candidate"]), "drop_id": str(objects["other_org_candidate"]), field: str(2**63)}
    assert client.post("/candidats/fusion", data=data).status_code in (400, 404)
    assert client.post("/candidats/doublons/ignorer", data=data).status_code in (400, 404)


@pytest.mark.parametrize("value", [str(2**63), "-1", "bogus"])
def test_a_shortlisted_id_beyond_range_is_refused(client, login_as, objects, value):
    login_as("facilitator")
    response = client.post(f"/gestion/offres/{objects['offer']}/preselection", data={"candidate_ids": [value]})
    assert response.status_code in (200, 302)


def test_an_unknown_checkbox_value_is_a_french_field_error(client, login_as, objects):
    login_as("facilitator")
    response = client.get(f"/gestion/offres/{objects['offer']}/candidats-suggeres?publics=bogus")
    assert response.status_code == 200
    assert "Un des choix cochés n'existe pas." in text(response)


@pytest.mark.parametrize("value", [str(2**63), "bogus"])
def test_a_select_holding_ids_refuses_values_beyond_range(client, login_as, objects, value):
    login_as("company")
    response = client.get(f"/entreprise/heures?lot={value}&mois=2025-03")
    assert response.status_code == 200
    login_as("facilitator")
    response = client.post("/invitations/nouvelle", data={"organisation_id": value, "email": "a@exemple.fr",
                                                         "full_name": "A B", "role": "company"})
    assert response.status_code == 200 and "Choix non valide" in text(response)


# --- Decimals ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["1e9999999", "-1e9999999", "Infinity", "NaN", "1e-9999999", "1" * 16,
                                   "0,00000000001"])
def test_parse_decimal_refuses_overflow_and_what_nobody_types(value):
    from clausematch.formats import parse_decimal

    with pytest.raises(ValueError):
        parse_decimal(value)


def test_parse_decimal_still_reads_french_numbers():
    from clausematch.formats import parse_decimal

    assert parse_decimal("1 000 000,50") == Decimal("1000000.50")
    assert parse_decimal("1e5") == Decimal(100000) and str(parse_decimal("1e5")) == "100000"
    assert parse_decimal("999 999 999 999 999") == Decimal("999999999999999")


def test_bounded_integers():
    from clausematch.formats import parse_id, parse_int

    assert [parse_id(v) for v in ["1", str(MAX_INTEGER), str(2**31), "0", "-1", "x", None, "１"]] == \
        [1, MAX_INTEGER, None, None, None, None, None, None]
    assert parse_int("-5") == -5 and parse_int("9" * 5000) is None


@pytest.mark.parametrize("value", ["1e9999999", "Infinity", "NaN", "-1e9999999"])
def test_a_huge_tolerance_falls_back_to_the_default(client, login_as, value):
    login_as("facilitator")
    response = client.get(f"/rapports/alertes?tolerance={value}")
    assert response.status_code == 200


@pytest.mark.parametrize("field", ["amount_ht", "hourly_cost", "labour_share_percent", "insertion_rate_percent"])
@pytest.mark.parametrize("value", ["1e9999999", "Infinity", "1e-9999999"])
def test_the_clause_calculator_refuses_overflow_on_its_field(client, login_as, objects, field, value):
    login_as("facilitator")
    data = {"method": "computed", "amount_ht": "1 000 000", "labour_share_percent": "50",
            "insertion_rate_percent": "5", "hourly_cost": "30", field: value}
    for button in ("calculer", "enregistrer"):
        response = client.post(f"/lots/{objects['lot']}/clause", data={**data, button: "1"})
        assert response.status_code == 422
        assert "Saisissez un nombre" in text(response)


def test_a_contract_amount_beyond_its_column_is_a_field_error(client, login_as, objects):
    login_as("facilitator")
    response = client.post(f"/lots/{objects['lot']}/modifier", data={
        "number": "1", "title": "Gros œuvre", "company_id": "", "amount_ht": "99 999 999 999 999",
        "start_date": "2025-02-01"})
    assert response.status_code == 422


# --- CSV -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("cell", "message"), [
    ("7" * 140_000, "Ligne 2 : une cellule dépasse 1 000 caractères ; aucune heure n'a été enregistrée."),
    ("7" * 1001, "Ligne 2 : une cellule dépasse 1 000 caractères ; aucune heure n'a été enregistrée."),
])
def test_an_oversize_csv_cell_is_a_line_error_and_nothing_is_saved(db, client, login_as, objects, cell, message):
    from clausematch.pathways.models import HoursEntry

    login_as("company")
    before = db.session.scalar(sa.select(sa.func.count(HoursEntry.id)))
    contract = objects["employment_contract"]
    data = f"contrat;mois;heures\n{contract};2025-03;10\n{contract};2025-04;{cell}\n".encode()
    response = client.post(f"/entreprise/heures/import?lot={objects['lot']}&mois=2025-03",
                           data={"fichier": (io.BytesIO(data), "heures.csv")}, content_type="multipart/form-data")
    assert response.status_code == 200
    assert message.replace("Ligne 2", "Ligne 3") in text(response)
    assert db.session.scalar(sa.select(sa.func.count(HoursEntry.id))) == before


@pytest.mark.parametrize("number", [str(2**63), "²", "9" * 5000])
def test_csv_ids_beyond_range_are_line_errors(client, login_as, objects, number):
    login_as("company")
    data = f"contrat;mois;heures\n{number};2025-03;10\n".encode()
    response = client.post("/entreprise/heures/import", data={"fichier": (io.BytesIO(data), "heures.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 200 and "Ligne 2 : " in text(response)


@pytest.mark.parametrize("method, url, data", [
    ("post", "/mot-de-passe-oublie", {"email": "\x00"}),  # found by the fuzz test: a 500 on PostgreSQL
    ("post", "/connexion", {"email": "a\x00@exemple.fr", "password": "x"}),
    ("get", "/offres?q=ma%00con", None),
])
def test_a_nul_character_is_a_bad_request_not_a_database_error(client, db, method, url, data):
    response = getattr(client, method)(url, data=data)
    assert response.status_code == 400
    assert "Requête incorrecte" in text(response)
