"""`flask report <name>`: the report pages' figures on the command line, for automation.
Same filters as the pages (as options), same numbers; CSV (`;`, decimal comma, rates in
percent) or JSON (numbers as numbers, rates as shares)."""
from collections.abc import Callable
from decimal import Decimal

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from clausematch.reporting.reports import BY_NAME, HOURS_GROUPS, Options
from clausematch.vocabulary import Mode

report_cli = AppGroup("report", help="Rapports (entonnoir, heures, publics, sorties, part des marchés avec clause) "
                                     "en CSV ou JSON, avec les mêmes filtres que les pages /rapports.")

# option → query-string name read by clausematch.reporting.filters
SCOPE_OPTIONS = [
    ("buyer", "acheteur", "Identifiant de l'acheteur."),
    ("contract", "marche", "Identifiant du marché."),
    ("lot", "lot", "Identifiant du lot."),
    ("company", "entreprise", "Identifiant de l'entreprise titulaire."),
    ("programme", "programme", "Identifiant du programme (parcours)."),
    ("offer", "offre", "Identifiant de l'offre."),
    ("year", "annee", "Année (AAAA)."),
]


DAY = click.DateTime(formats=["%Y-%m-%d"])


def _iso(moment) -> str | None:
    return moment.date().isoformat() if moment is not None else None


def scope_options(command: Callable) -> Callable:
    """The filters every report command takes, as options."""
    options = [
        click.option("--territory", type=int, help="Identifiant du territoire (facultatif s'il n'y en a qu'un)."),
        *(click.option(f"--{name}", param, type=int, help=text) for name, param, text in SCOPE_OPTIONS),
        click.option("--from", "date_from", type=DAY, help="Début de période (AAAA-MM-JJ)."),
        click.option("--to", "date_to", type=DAY, help="Fin de période (AAAA-MM-JJ)."),
        click.option("--mode", type=click.Choice([m.value for m in Mode]), help="Mode de réalisation."),
        click.option("--format", "output", type=click.Choice(["csv", "json"]), default="csv", show_default=True,
                     help="Format de sortie."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _run(name: str, params: dict, options: Options | None = None) -> None:
    options = options or Options()
    from clausematch.accounts.models import Territory
    from clausematch.extensions import db
    from clausematch.reporting import exports
    from clausematch.reporting.choices import describe
    from clausematch.reporting.filters import restricted, scope_from_args

    report = BY_NAME[name]
    args = {param: params.get(param) for _, param, _ in SCOPE_OPTIONS}
    args.update({"du": _iso(params.get("date_from")), "au": _iso(params.get("date_to")), "mode": params.get("mode")})
    territory = db.session.get(Territory, _territory_id(params.get("territory")))
    scope = restricted(scope_from_args({k: v for k, v in args.items() if v is not None}, territory.id), report.filters)
    about = describe(scope)
    outside = [f"{label} {value}" for label, value in about if "hors de votre périmètre" in value]
    if outside:
        raise click.ClickException("Introuvable dans ce territoire : " + ", ".join(outside) + ".")
    result = report.run(scope, territory, options)
    if params["output"] == "json":
        click.echo(exports.json_text(report.title, result.tables, about))
    else:
        click.echo(exports.csv_text(result.tables, bom=False), nl=False)


def _territory_id(requested: int | None) -> int:
    from clausematch.accounts.models import Territory
    from clausematch.extensions import db

    ids = list(db.session.scalars(sa.select(Territory.id).order_by(Territory.id)))
    if requested is not None:
        if requested not in ids:
            raise click.ClickException(f"Territoire {requested} introuvable.")
        return requested
    if len(ids) == 1:
        return ids[0]
    if not ids:
        raise click.ClickException("Aucun territoire : chargez d'abord des données (flask seed demo).")
    raise click.ClickException("Plusieurs territoires : précisez --territory parmi " + ", ".join(map(str, ids)) + ".")


@report_cli.command("funnel", help="Entonnoir : orientés → éligibilité validée → … → en emploi au suivi à 6 mois.")
@scope_options
def funnel_command(**params) -> None:
    _run("funnel", params)


@report_cli.command("hours", help="Heures réalisées et validées face aux objectifs, avec équivalents temps plein.")
@scope_options
@click.option("--by", "group", type=click.Choice(list(HOURS_GROUPS)), default="lot", show_default=True,
              help="Regroupement : lot, marche, acheteur, entreprise, annee ou mode.")
def hours_command(group: str, **params) -> None:
    _run("hours", params, Options(group=group))


@report_cli.command("publics", help="Publics touchés parmi les participants et en heures, face aux objectifs.")
@scope_options
def publics_command(**params) -> None:
    _run("publics", params)


@report_cli.command("outcomes", help="Sorties par catégorie et situation au suivi à 6 mois.")
@scope_options
def outcomes_command(**params) -> None:
    _run("outcomes", params)


@report_cli.command("clause-share", help="Part des marchés notifiés chaque année avec une clause sociale.")
@scope_options
def clause_share_command(**params) -> None:
    _run("clause-share", params)


@report_cli.command("warnings", help="Lots en cours en retard sur le rythme nécessaire pour atteindre leur objectif.")
@scope_options
@click.option("--tolerance", type=click.FloatRange(0, 100), default=20, show_default=True,
              help="Tolérance en points de pourcentage.")
def warnings_command(tolerance: float, **params) -> None:
    _run("warnings", params, Options(tolerance=Decimal(str(tolerance)) / 100))


@report_cli.command("programme-funnel", help="Entonnoir d'un programme, sur les étapes choisies pour lui.")
@click.option("--programme", "programme_id", type=int, required=True, help="Identifiant du programme.")
@click.option("--format", "output", type=click.Choice(["csv", "json"]), default="csv", show_default=True,
              help="Format de sortie.")
def programme_funnel_command(programme_id: int, output: str) -> None:
    from clausematch.extensions import db
    from clausematch.offers.models import Programme
    from clausematch.reporting import exports
    from clausematch.reporting.programme_report import programme_table
    from clausematch.reporting.queries.programme_funnel import programme_funnel

    programme = db.session.get(Programme, programme_id)
    if programme is None:
        raise click.ClickException(f"Programme {programme_id} introuvable.")
    table = programme_table(programme_funnel(programme))
    if output == "json":
        click.echo(exports.json_text(table.title, [table], [("Programme", programme.name)]))
    else:
        click.echo(exports.csv_text([table], bom=False), nl=False)
