"""`flask import KIND FILE --territory ID [--dry-run]`: the same import as the page, from a shell
(counts and refused lines printed in French; exit status 1 when a line is refused)."""
from pathlib import Path

import click
import sqlalchemy as sa

from clausematch.accounts.models import Territory
from clausematch.errors import DomainError
from clausematch.extensions import db
from clausematch.imports.base import Outcome
from clausematch.imports.kinds import KINDS
from clausematch.imports.runner import commit, preview


@click.command("import", help="Importe un fichier CSV ou XLSX (marchés, entreprises…) dans un territoire : "
                              "toutes les lignes, ou aucune si une ligne est refusée.")
@click.argument("kind", type=click.Choice(sorted(KINDS)))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--territory", "territory_id", type=int, default=None,
              help="Numéro du territoire (facultatif s'il n'y en a qu'un).")
@click.option("--dry-run", is_flag=True, help="Montrer ce que l'import ferait, sans rien enregistrer.")
def import_command(kind: str, file: Path, territory_id: int | None, dry_run: bool) -> None:
    territory = _territory(territory_id)
    data = file.read_bytes()
    try:
        run = preview if dry_run else commit
        report = run(KINDS[kind], territory, None, data, file.name)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    counts = report.counts
    click.echo(f"{report.kind.label} — {file.name} : {len(report.results)} lignes ; "
               + ", ".join(f"{outcome.label.lower()} : {counts[outcome]}" for outcome in Outcome) + ".")
    if report.ignored:
        click.echo("Colonnes ignorées : " + ", ".join(report.ignored) + ".")
    for result in report.refused:
        click.echo(f"Ligne {result.line} ({result.key}) : {result.message}")
    if report.refused:
        click.echo("Aucune ligne n'a été importée : corrigez les lignes refusées puis relancez l'import.")
        raise SystemExit(1)
    click.echo("Simulation : rien n'a été enregistré." if dry_run else "Import enregistré.")


def _territory(territory_id: int | None) -> Territory:
    if territory_id is not None:
        territory = db.session.get(Territory, territory_id)
        if territory is None:
            raise click.BadParameter(f"aucun territoire n° {territory_id}.", param_hint="--territory")
        return territory
    territories = list(db.session.scalars(sa.select(Territory).order_by(Territory.id).limit(2)))
    if len(territories) != 1:
        raise click.BadParameter("indiquez le numéro du territoire (il y en a plusieurs, ou aucun).",
                                 param_hint="--territory")
    return territories[0]
