"""`flask offers …` commands."""
import click
from flask.cli import AppGroup

offers_cli = AppGroup("offers", help="Offres d'emploi clausées.")


@offers_cli.command("expire", help="Clôture les offres publiées dont la fin de publication est dépassée. "
                                   "Sans effet si on la relance.")
def expire_command() -> None:
    """Close the published offers whose end of publication has passed. Safe to re-run."""
    from clausematch.offers.jobs import expire_offers_job, expiry_summary

    click.echo(expiry_summary(expire_offers_job()))
