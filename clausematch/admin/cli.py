"""`flask jobs list` and `flask jobs run <name>`: the scheduled jobs from the command line."""
import click
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="Tâches planifiées : liste et lancement manuel.")


@jobs_cli.command("list", help="Liste les tâches planifiées et leur dernière exécution.")
def list_command() -> None:
    from clausematch.scheduler import available_jobs, last_runs

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


@jobs_cli.command("run", help="Lance une tâche tout de suite (NAME : voir « flask jobs list »). "
                              "Sans effet en double : chaque tâche peut être relancée.")
@click.argument("name")
def run_command(name: str) -> None:
    from clausematch.scheduler import available_jobs, find_job, run_now

    job = find_job(name)
    if job is None:
        names = ", ".join(j.name for j in available_jobs())
        raise click.ClickException(f"Tâche inconnue : {name}. Tâches disponibles : {names}.")
    try:
        result = run_now(job)
    except Exception as error:  # noqa: BLE001 — logged and recorded by run_job; exit non-zero
        raise click.ClickException(f"La tâche {job.name} a échoué : {error}") from error
    click.echo(result)
