"""`flask hours totals-check` and `flask hours totals-rebuild` (added to the `flask hours` group
of job_commands.py): the running totals of hours per lot and month
(hours_totals.py) compared with, or recomputed from, the entries — for an operator after a
restore, a manual repair or a doubt about a figure."""
import click

from clausematch.extensions import db
from clausematch.pathways import hours_totals


def _key_text(key: tuple) -> str:
    lot_id, month, *kinds = key
    return ", ".join([f"lot n° {lot_id}", f"{month:%m/%Y}", *(str(getattr(k, "label", k)).lower() for k in kinds)])


def _side(value) -> str:
    return "aucun" if value is None else f"{value[0]} relevé(s), {value[1]} h"


@click.command("totals-check", help="Compare les totaux d'heures par lot et par mois (accueils, alertes, rapports) "
                                     "aux relevés ; code de sortie 1 s'ils diffèrent.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="Nombre d'écarts affichés au plus.")
def hours_check(limit: int) -> None:
    wrong = hours_totals.mismatches(limit)
    if not wrong:
        click.echo("Les totaux d'heures correspondent aux relevés.")
        return
    click.echo(f"Totaux d'heures différents des relevés ({len(wrong)} écart(s) affiché(s), {limit} au plus) :")
    for key, expected, kept in wrong:
        click.echo(f"- {_key_text(key)} : relevés {_side(expected)}, total {_side(kept)}")
    click.echo("Lancez « flask hours totals-rebuild » pour les recalculer.")
    raise SystemExit(1)


@click.command("totals-rebuild", help="Recalcule tous les totaux d'heures à partir des relevés (une transaction).")
def hours_rebuild() -> None:
    count = hours_totals.rebuild()
    db.session.commit()
    click.echo(f"Totaux d'heures recalculés : {count} ligne(s).")


COMMANDS = (hours_check, hours_rebuild)
