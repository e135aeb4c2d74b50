"""Reading DECP files (no database): the 2022 and 2019 JSON schemas, the CSV exports, and what
the published values mean."""
from datetime import date
from decimal import Decimal

import pytest
from import_files import ALLIER, ELSEWHERE, LYON

from clausematch.contracts.models import ClauseKind
from clausematch.database import add_months
from clausematch.errors import DomainError
from clausematch.imports.decp_format import (
    clause_kind_for,
    parse_published_amount,
    parse_published_date,
    parse_social,
    read_decp,
    sector_for,
)
from clausematch.vocabulary import Sector


def by_id(reading):
    return {row.get("id"): row for row in reading.rows}


def test_json_2022_schema_reads_every_marche_with_its_current_amount(sample_json):
    reading = read_decp(sample_json, "decp.json")
    rows = by_id(reading)
    assert len(reading.rows) == 9
    lyon = rows["2019K1209"]
    assert (lyon.get("buyer_siret"), lyon.get("notified_on"), lyon.get("cpv")) == (LYON, "2019-06-17", "71000000-8")
    # The latest modification giving an amount (id 6) and a duration (49, after 58).
    assert (lyon.get("amount"), lyon.get("duration_months")) == ("1214900", "49")
    assert rows["202401L04"].get("amount") == "124557.46"
    assert rows["2024K0031"].get("social") == "Critère social; Clause sociale"
    assert [row.line for row in reading.rows] == list(range(1, 10))


def test_csv_export_reads_the_same_marches_as_the_json(sample_json, sample_csv):
    from_json, from_csv = by_id(read_decp(sample_json, "decp.json")), by_id(read_decp(sample_csv, "decp.csv"))
    assert from_json.keys() == from_csv.keys()
    for key in from_json:  # the titulaire lines and the earlier states of modified marchés left out
        for field in ("buyer_siret", "notified_on", "duration_months", "social"):
            assert from_json[key].get(field) == from_csv[key].get(field), (key, field)
        assert parse_published_amount(from_json[key].get("amount")) == parse_published_amount(
            from_csv[key].get("amount"))
    assert from_csv["2019K1209"].line == 4  # the first current line (modification 6)


def test_filtering_to_the_territorys_buyers_while_reading(sample_json):
    reading = read_decp(sample_json, "decp.json", {LYON, ALLIER})
    assert len(reading.rows) == 8 and reading.other_buyers == 1
    assert ELSEWHERE not in {row.get("buyer_siret") for row in reading.rows}


def test_2019_schema_without_social_considerations():
    data = ('{"marches": [{"id": "2019-0042", "acheteur": {"id": "21690123100011", "nom": "VILLE DE LYON"},'
            ' "nature": "Marché", "objet": "Travaux de voirie", "codeCPV": "45233140", "dateNotification":'
            ' "2019-04-02+02:00", "montant": 250000, "dureeMois": 6, "titulaires": [{"typeIdentifiant":'
            ' "SIRET", "id": "65265021900023", "denominationSociale": "AMC FOLLIOT"}],'
            ' "modifications": [{"objetModification": "Avenant 1", "montant": 262500, "dureeMois": 7,'
            ' "dateNotificationModification": "2019-09-01"}]},'
            ' {"_type": "Contrat de concession", "id": "C1", "autoriteConcedante": {"id": "21690123100011"}}]}')
    reading = read_decp(data.encode(), "2019.json")
    (row,) = reading.rows
    assert reading.not_marches == 1
    assert (row.get("buyer_name"), row.get("amount"), row.get("duration_months"), row.get("social")) == (
        "VILLE DE LYON", "262500", "7", "")
    assert parse_published_date(row.get("notified_on")) == date(2019, 4, 2)
    assert parse_social(row.get("social")).known is False


def test_french_semicolon_export_with_lower_case_headers():
    data = ("id;acheteurid;objet;codecpv;datenotification;montant;dureemois;considerationssociales\n"
            "2024-7;216901231000;Nettoyage;90910000;22/01/2024;640 000,50 €;12;Clause sociale;Critère social\n")
    (row,) = read_decp(data.encode("cp1252"), "export.csv").rows
    # A 13-digit (or shorter) SIRET lost its leading zero to an integer column: padded back.
    assert row.get("buyer_siret") == "00216901231000"
    assert parse_published_amount(row.get("amount")) == Decimal("640000.50")
    assert parse_published_date(row.get("notified_on")) == date(2024, 1, 22)
    assert row.get("social") == "Clause sociale"  # the ; splits the cells: the extra cell is not read


@pytest.mark.parametrize(("data", "filename", "message"), [
    (b'{"marches": ', "decp.json", "illisible"),
    (b'{"data": []}', "decp.json", "« marches » est introuvable"),
    (b"objet;montant\nx;1\n", "decp.csv", "id, acheteur_id, dateNotification"),
    (b"", "decp.csv", "vide"),
])
def test_files_that_are_not_decp_are_refused_in_french(data, filename, message):
    with pytest.raises(DomainError) as raised:
        read_decp(data, filename)
    assert message in raised.value.message


def test_social_considerations_map_to_clause_kinds():
    assert parse_social("Pas de considération sociale").kinds == ()
    assert parse_social("Sans objet").known and not parse_social("Sans objet").kinds
    assert parse_social("Clause sociale").kinds[0] is ClauseKind.EXECUTION_CONDITION
    assert parse_social("Critère social").kinds == (ClauseKind.AWARD_CRITERION,)
    assert parse_social("Marché réservé").kinds[0] is ClauseKind.RESERVED_SIAE
    # Several: a reserved contract first, then the execution clause, then the award criterion.
    assert parse_social("Critère social, Clause sociale").kinds[0] is ClauseKind.EXECUTION_CONDITION
    assert parse_social("NC").known is False and parse_social("").known is False
    with pytest.raises(ValueError):
        parse_social("Clause verte")


def test_a_finer_typed_kind_is_kept_when_the_file_allows_it():
    reserved = parse_social("Marché réservé")
    assert clause_kind_for(reserved, ClauseKind.RESERVED_EA) is ClauseKind.RESERVED_EA
    assert clause_kind_for(reserved, ClauseKind.AWARD_CRITERION) is ClauseKind.RESERVED_SIAE
    assert clause_kind_for(parse_social("Pas de considération sociale"), ClauseKind.RESERVED_EA) is None
    assert clause_kind_for(parse_social("NC"), ClauseKind.AWARD_CRITERION) is ClauseKind.AWARD_CRITERION
    assert clause_kind_for(parse_social("NC"), None) is None


def test_sector_and_dates():
    assert sector_for("45214200-2") is Sector.CONSTRUCTION
    assert sector_for("90910000-9") is Sector.SERVICES and sector_for("39160000-1") is Sector.SERVICES
    assert sector_for("", "Travaux") is Sector.CONSTRUCTION and sector_for("") is Sector.SERVICES
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 3, 14), 24) == date(2025, 3, 14)
    assert parse_published_date("2024-02-08T00:00:00Z") == date(2024, 2, 8)
    assert parse_published_date("NC") is None
    with pytest.raises(ValueError):
        parse_published_date("février 2024")


def test_a_consolidated_file_is_read_one_marche_at_a_time_and_any_layout_still_read(sample_json):
    import json

    streamed = read_decp(sample_json, "decp.json").rows
    document = json.loads(sample_json)
    # Keys in another order: parsed whole, same rows.
    reordered = json.dumps({"source": "x", "marches": document["marches"]}).encode()
    assert [r.values for r in read_decp(reordered, "decp.json").rows] == [r.values for r in streamed]
    assert read_decp(b'{"marches": {"marche": [ ]}}', "vide.json").rows == []
    for broken in (sample_json[:-40], b'{"marches": [{"id": "1"} {"id": "2"}]}'):
        with pytest.raises(DomainError) as raised:
            read_decp(broken, "decp.json")
        assert "illisible" in raised.value.message
