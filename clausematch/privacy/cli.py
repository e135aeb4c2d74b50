"""`flask privacy …`: the person's rights for an operator (the data protection officer's requests
received outside the application). `export` prints the same JSON as the download of the
right-of-access page, and is logged like it (actor: none); `erase` anonymises a record
(privacy/erasure.py); `retention` applies the retention periods now (a manual run of the daily
job privacy.retention through clausematch.jobs.run_job, as `flask jobs run privacy.retention`:
recorded in job_runs, refused while another run works) or, with --dry-run, prints what it would
do and writes nothing."""
from datetime import date

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


def _day(ctx, param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("date attendue au format AAAA-MM-JJ (par exemple 2026-12-31).") from None


@privacy_cli.command("retention", help="Applique les durées de conservation : prévient les prescripteurs 30 jours "
                                       "avant, puis anonymise les personnes sans activité depuis la durée fixée par "
                                       "leur territoire (la tâche privacy.retention, chaque nuit).")
@click.option("--dry-run", is_flag=True, help="Affiche ce que la tâche ferait, sans rien enregistrer ni envoyer.")
@click.option("--on", "on", callback=_day, metavar="AAAA-MM-JJ",
              help="Le jour pour lequel la tâche s'exécute (par défaut : aujourd'hui, heure de Paris).")
def retention_command(dry_run: bool, on: date | None) -> None:
    from clausematch.database import local_now
    from clausematch.privacy.retention import plan

    day = on or local_now().date()
    if dry_run:
        the_plan = plan(day)
        click.echo("Simulation (rien n'est enregistré ni envoyé).")
        click.echo(the_plan.summary())
        for line in the_plan.lines():
            click.echo(line)
        return
    from clausematch.jobs import JobAlreadyRunning, run_job
    from clausematch.privacy.retention import JOB_NAME, run

    try:
        # A manual run of the daily job: recorded in job_runs, refused while another run works.
        outcome = run_job(JOB_NAME, lambda: run(day))
    except JobAlreadyRunning as refused:
        raise click.ClickException(refused.message) from None
    except Exception as error:  # noqa: BLE001 — logged and recorded by run_job; exit non-zero
        raise click.ClickException(f"La tâche {JOB_NAME} a échoué : {error}") from error
    click.echo(str(outcome))
    done = set(outcome.notified) | set(outcome.anonymised) | set(outcome.reduced)
    for decision, line in zip(outcome.plan.decisions, outcome.plan.lines(), strict=True):
        click.echo(line if decision.candidate_id in done else f"{line} — non fait (activité entre-temps)")
