"""`flask report …`: the pages' numbers on the command line."""
import csv
import io
import json


def invoke(runner, *args):
    result = runner.invoke(args=["report", *map(str, args)])
    assert result.exit_code == 0, result.output
    return result.output


def test_funnel_json(world, runner):
    payload = json.loads(invoke(runner, "funnel", "--programme", world.programme.id, "--format", "json"))
    assert payload["rapport"] == "Entonnoir de recrutement"
    assert payload["perimetre"]["Programme"] == "Parcours test"
    lines = payload["tableaux"][0]["lignes"]
    assert [line["personnes"] for line in lines] == [6, 5, 4, 4, 3, 2, 1]
    assert lines[4]["taux_etape_precedente"] == 0.75


def test_hours_csv_by_contract_with_filters(world, runner):
    output = invoke(runner, "hours", "--by", "marche", "--buyer", world.buyer_a.id, "--year", 2025)
    rows = list(csv.reader(io.StringIO(output), delimiter=";"))
    assert rows[0][:3] == ["Marché", "Intitulé", "Objectif (h)"]
    a1 = next(row for row in rows if row[0] == "A1")
    assert a1[3] == "610,00"  # 2025: 100 + 50 + 120 + 40 + 300


def test_every_report_answers(world, runner):
    assert json.loads(invoke(runner, "publics", "--format", "json"))["tableaux"][0]["total"]["personnes"] == 4
    outcomes = json.loads(invoke(runner, "outcomes", "--format", "json"))
    assert outcomes["tableaux"][0]["total"]["sorties"] == 4
    share = json.loads(invoke(runner, "clause-share", "--buyer", world.buyer_a.id, "--format", "json"))
    assert [line["part_avec_clause"] for line in share["tableaux"][0]["lignes"]] == [0.5, 0.5]
    warnings = json.loads(invoke(runner, "warnings", "--format", "json"))
    assert warnings["rapport"] == "Alertes : lots en retard"


def test_unknown_record_or_territory_is_refused_in_french(world, runner):
    result = runner.invoke(args=["report", "funnel", "--programme", "999999"])
    assert result.exit_code != 0 and "Introuvable dans ce territoire" in result.output
    result = runner.invoke(args=["report", "funnel", "--territory", "999999"])
    assert result.exit_code != 0 and "Territoire 999999 introuvable" in result.output


def test_several_territories_ask_which(world, runner):
    from factories import TerritoryFactory

    TerritoryFactory()
    world.builder.db.session.commit()
    result = runner.invoke(args=["report", "funnel"])
    assert result.exit_code != 0 and "précisez --territory" in result.output
    assert "Personnes orientées;" in invoke(runner, "funnel", "--territory", world.territory.id)
