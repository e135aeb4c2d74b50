"""`flask privacy …`: the person's data from the command line (RGPD). `export` prints the same
JSON as the download of the right-of-access page, and is logged like it (actor: none)."""
import click
from flask.cli import AppGroup

from clausematch.privacy import access

privacy_cli = AppGroup("privacy", help="Données personnelles (RGPD) : export, effacement, conservation.")


@privacy_cli.command("export", help="Affiche en JSON (UTF-8) tout ce que ClauseMatch conserve sur une personne "
                                    "(droit d'accès) ; l'export est journalisé.")
@click.option("--candidate", "candidate_id", type=click.IntRange(min=1), required=True,
              help="Numéro de la fiche de la personne.")
def export_command(candidate_id: int) -> None:
    try:
        data = access.export(candidate_id, actor_id=None, format="cli")
    except access.CandidateNotFound:
        raise click.ClickException(f"Aucune personne n'a la fiche n° {candidate_id}.") from None
    click.echo(access.to_json(data))
