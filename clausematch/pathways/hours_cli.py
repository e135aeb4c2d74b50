"""`flask hours remind [--month AAAA-MM]`: the monthly reminder, by hand or from cron."""
import click
from flask.cli import AppGroup

from clausematch.database import today
from clausematch.formats import month_key
from clausematch.pathways.hours_rules import HoursValueError, parse_month, previous_month

hours_cli = AppGroup("hours", help="Heures d'insertion mensuelles.")


@hours_cli.command("remind", help="Relance les entreprises dont les heures du mois ne sont pas déclarées sur un lot "
                                  "clausé. Chaque lot n'est relancé qu'une fois par mois : sans effet si on la relance.")
@click.option("--month", "month_text", metavar="AAAA-MM",
              help="Mois à déclarer (par défaut : le mois dernier).")
def remind(month_text: str | None) -> None:
    """Remind companies of the lots whose hours of the month are not declared. Safe to re-run."""
    from clausematch.pathways.hours_reminders import send_hours_reminders

    try:
        month = parse_month(month_text) if month_text else previous_month(today())
    except HoursValueError as error:
        raise click.BadParameter(error.message, param_hint="--month") from None
    count = send_hours_reminders(month)
    click.echo(f"Relances des heures de {month_key(month)} : {count} lot{'s' if count > 1 else ''} relancé"
               f"{'s' if count > 1 else ''}.")
