"""`flask privacy …`: the person's rights for an operator (the data protection officer's requests
received outside the application). `export` prints the same JSON as the download of the
right-of-access page, and is logged like it (actor: none); `erase` anonymises a record
(privacy/erasure.py)."""
import click
from flask.cli import AppGroup

from clausematch.candidates.models import Candidate
from clausematch.extensions import db
from clausematch.formats import format_date
from clausematch.privacy import access
from clausematch.privacy.erasure import Reason, anonymise

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


@privacy_cli.command("erase", help="Anonymise une personne (droit à l'effacement) : son identité, ses coordonnées "
                                   "et ses textes libres sont effacés, les chiffres des bilans restent. "
                                   "Irréversible ; inscrit au journal d'audit.")
@click.option("--candidate", "candidate_id", type=click.IntRange(min=1), required=True,
              help="Numéro de la fiche de la personne.")
@click.option("--yes", is_flag=True, help="Confirme l'anonymisation (irréversible).")
def erase_command(candidate_id: int, yes: bool) -> None:
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None:
        raise click.ClickException(f"Aucune personne n'a la fiche n° {candidate_id}.")
    if candidate.anonymised_at is not None:
        click.echo(f"La fiche n° {candidate_id} est déjà anonymisée depuis le "
                   f"{format_date(candidate.anonymised_at.date())}.")
        return
    if not yes:
        raise click.ClickException("L'anonymisation est irréversible : relancez la commande avec --yes pour "
                                   "confirmer. Rien n'a été modifié.")
    try:
        done = anonymise(candidate_id, None, Reason.ERASURE)
    except LookupError:
        raise click.ClickException(f"Aucune personne n'a la fiche n° {candidate_id}.") from None
    if done:
        click.echo(f"Fiche n° {candidate_id} anonymisée : identité, coordonnées et textes libres effacés, "
                   "chiffres des bilans conservés.")
    else:
        click.echo(f"La fiche n° {candidate_id} est déjà anonymisée.")
