"""The jobs on the command line: `flask jobs list`, `flask jobs run NAME` (the one entry point
of every job), and the older per-feature commands whose work is a job of the platform:
`flask offers expire`, `flask hours remind`, `flask matching rebuild` and `flask matching train`.

Each older command is an alias of `flask jobs run NAME`: it goes through the same runner
(scheduler.run_now), so its run is recorded in job_runs and refused while another run of the job
is working. They live here, beside the list of jobs, because a feature package must not import
the scheduler.
"""
from datetime import date
from typing import Any

import click
from flask.cli import AppGroup

from clausematch.database import today

jobs_cli = AppGroup("jobs", help="Tâches planifiées : liste et lancement manuel.")
offers_cli = AppGroup("offers", help="Offres d'emploi clausées.")
hours_cli = AppGroup("hours", help="Heures d'insertion mensuelles.")
matching_cli = AppGroup("matching", help="Rapprochement candidats-offres : index et modèle de classement.")
COMMANDS = (jobs_cli, offers_cli, hours_cli, matching_cli)


def run_job_command(name: str, on: date | None = None) -> Any:
    """Run the job `name` by hand as `flask jobs run` does; a refusal or a failure is a French
    error and a non-zero exit."""
    from clausematch.jobs import JobAlreadyRunning
    from clausematch.scheduler import available_jobs, find_job, run_now

    job = find_job(name)
    if job is None:
        names = ", ".join(j.name for j in available_jobs())
        raise click.ClickException(f"Tâche inconnue : {name}. Tâches disponibles : {names}.")
    try:
        return run_now(job, on)
    except JobAlreadyRunning as refused:
        raise click.ClickException(refused.message) from None
    except Exception as error:  # noqa: BLE001 — logged and recorded by run_job; exit non-zero
        raise click.ClickException(f"La tâche {job.name} a échoué : {error}") from error


@jobs_cli.command("list", help="Liste les tâches planifiées et leur dernière exécution.")
def list_command() -> None:
    from clausematch.jobs import last_runs
    from clausematch.scheduler import available_jobs

    jobs = available_jobs()
    runs = last_runs([job.name for job in jobs])
    for job in jobs:
        run = runs.get(job.name)
        if run is None:
            last = "jamais exécutée"
        else:
            state = {None: "en cours", True: "réussie", False: "en échec"}[run.succeeded]
            last = f"dernière exécution le {run.started_at:%d/%m/%Y %H:%M} UTC, {state} : {run.result}"
        click.echo(f"{job.name} — {job.label} ({job.schedule.lower()}) — {last}")


@jobs_cli.command("scheduler", help="Exécute les tâches planifiées dans ce processus, jusqu'à son arrêt (en "
                                     "production, à côté de `make serve` ; chaque tâche ne tourne qu'une fois par "
                                     "période, même lancé sur plusieurs machines).")
def scheduler_command() -> None:
    from flask import current_app

    from clausematch.scheduler import run_in_foreground

    run_in_foreground(current_app._get_current_object())


@jobs_cli.command("run", help="Lance une tâche tout de suite (NAME : voir « flask jobs list »). "
                              "Sans effet en double : chaque tâche peut être relancée.")
@click.argument("name")
def run_command(name: str) -> None:
    click.echo(run_job_command(name))


@offers_cli.command("expire", help="Clôture les offres publiées dont la fin de publication est dépassée. "
                                   "Sans effet si on la relance.")
def expire_command() -> None:
    """Close the published offers whose end of publication has passed (job offers.expire)."""
    click.echo(run_job_command("offers.expire"))


@hours_cli.command("remind", help="Relance les entreprises dont les heures du mois ne sont pas déclarées sur un "
                                  "lot clausé. Chaque lot n'est relancé qu'une fois par mois : sans effet si on la "
                                  "relance.")
@click.option("--month", "month_text", metavar="AAAA-MM",
              help="Mois à déclarer (par défaut : le mois dernier).")
def remind_command(month_text: str | None) -> None:
    """Remind companies of the lots whose hours of the month are not declared (job
    pathways.hours_reminders, which reminds of the month before the day it runs for)."""
    from clausematch.formats import month_key
    from clausematch.pathways.hours_rules import HoursValueError, parse_month, previous_month

    try:
        month = parse_month(month_text) if month_text else previous_month(today())
    except HoursValueError as error:
        raise click.BadParameter(error.message, param_hint="--month") from None
    next_month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    count = run_job_command("pathways.hours_reminders", on=next_month).count
    plural = "s" if count > 1 else ""
    click.echo(f"Relances des heures de {month_key(month)} : {count} lot{plural} relancé{plural}.")


@matching_cli.command("rebuild", help="Reconstruit l'index de rapprochement depuis la base (comme la tâche de "
                                      "chaque nuit).")
def rebuild_command() -> None:
    click.echo(run_job_command("matching.rebuild"))


@matching_cli.command("train", help="Apprend un modèle de classement sur les embauches et refus enregistrés ; "
                                    "il n'est utilisé que s'il classe mieux que les pondérations fixes.")
def train_command() -> None:
    click.echo(run_job_command("matching.train"))
