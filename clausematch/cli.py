"""Command-line entry points (`flask ref load`, `flask seed demo`, `flask seed scale`, `flask outbox deliver`; the
jobs' commands are in job_commands.py, the reports' in reporting/cli.py, the personal data's in privacy/cli.py,
the hours totals' in pathways/cli.py, the imports' in imports/cli.py)."""
import click
from flask import Flask
from flask.cli import AppGroup

ref_cli = AppGroup("ref", help="Données de référence (ROME, communes).")
seed_cli = AppGroup("seed", help="Données de démonstration.")
outbox_cli = AppGroup("outbox", help="E-mails en attente.")


@ref_cli.command("load")
def ref_load() -> None:
    """Load (or refresh) the ROME codes, appellations and communes. Safe to re-run."""
    from clausematch.referential.loading import load_reference_data

    counts = load_reference_data()
    click.echo("Référentiels chargés : " + ", ".join(f"{name} {count}" for name, count in counts.items()))


@seed_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Ne rien faire si la base contient déjà des utilisateurs.")
def seed_demo_command(if_empty: bool) -> None:
    """Build the demo territory (Plaine Commune). Refuses to run on a database with data."""
    from seeds.demo import database_is_empty, seed_demo

    if not database_is_empty():
        if if_empty:
            click.echo("Base déjà peuplée : jeu de démonstration non rechargé.")
            return
        raise click.ClickException("La base contient déjà des données : le jeu de démonstration "
                                   "ne se charge que sur une base vide.")
    summary = seed_demo()
    click.echo("Territoire de démonstration créé : " + ", ".join(f"{k} {v}" for k, v in summary.items()))


@seed_cli.command("scale", help="Remplit une base vide à l'échelle nationale pour les mesures de charge "
                                 "(README « Production », « Mesures ») : territoires, organisations, comptes, "
                                 "marchés, candidats, offres, candidatures, contrats et relevés d'heures, insérés "
                                 "en masse (COPY sur PostgreSQL). Jamais lancée par make run.")
@click.option("--candidates", type=click.IntRange(min=1), default=1_000_000, show_default=True,
              help="Nombre de candidats.")
@click.option("--offers", type=click.IntRange(min=1), default=50_000, show_default=True, help="Nombre d'offres.")
@click.option("--hours-entries", type=click.IntRange(min=0), default=10_000_000, show_default=True,
              help="Nombre de relevés d'heures mensuels.")
@click.option("--territories", type=click.IntRange(min=1), default=None,
              help="Nombre de territoires (par défaut : un pour 100 000 candidats, au moins un).")
def seed_scale_command(candidates: int, offers: int, hours_entries: int, territories: int | None) -> None:
    """Fill an empty database at the asked scale; refuses a database holding data (ids are given
    explicitly: a second run would collide with the first)."""
    from seeds.demo import database_is_empty
    from seeds.scale import accounts_summary, seed_scale

    territories = territories or max(1, candidates // 100_000)
    if territories > min(candidates, offers):
        raise click.BadParameter("il faut au moins un candidat et une offre par territoire.",
                                 param_hint="--territories")
    if not database_is_empty():
        raise click.ClickException("La base contient déjà des données : le jeu de charge ne se charge que sur "
                                   "une base vide (créez une base neuve, puis flask db upgrade et flask ref load).")
    click.echo(f"Jeu de charge : {candidates} candidats, {offers} offres, {hours_entries} relevés d'heures, "
               f"{territories} territoire(s).")
    seed_scale(candidates, offers, hours_entries, territories, echo=click.echo)
    for line in accounts_summary(territories):
        click.echo(line)


@outbox_cli.command("deliver", help="Envoie tout de suite un lot d'e-mails en attente (la tâche mail.deliver, "
                                    "qui tourne chaque minute avec le planificateur).")
def outbox_deliver() -> None:
    """Deliver a batch of the e-mails waiting in the outbox: an alias of `flask jobs run mail.deliver`."""
    from clausematch.job_commands import run_job_command

    click.echo(run_job_command("mail.deliver"))


def init_app(app: Flask) -> None:
    for group in (ref_cli, seed_cli, outbox_cli):
        app.cli.add_command(group)
    from clausematch.job_commands import COMMANDS
    for group in COMMANDS:
        app.cli.add_command(group)
    from clausematch.reporting.cli import report_cli
    app.cli.add_command(report_cli)
    from clausematch.privacy.cli import privacy_cli
    app.cli.add_command(privacy_cli)
    from clausematch.imports.cli import import_command
    app.cli.add_command(import_command)
    from clausematch.job_commands import hours_cli
    from clausematch.pathways.cli import COMMANDS as HOURS_TOTALS_COMMANDS
    for command in HOURS_TOTALS_COMMANDS:
        hours_cli.add_command(command)
