"""`flask matching rebuild` and `flask matching train` (help and output in French)."""
import click
from flask.cli import AppGroup

matching_cli = AppGroup("matching", help="Rapprochement candidats-offres : index et modèle de classement.")


@matching_cli.command("rebuild", help="Reconstruit l'index de rapprochement depuis la base (comme la tâche de "
                                      "chaque nuit).")
def rebuild() -> None:
    from clausematch.matching.services import rebuild_index

    click.echo(rebuild_index())


@matching_cli.command("train", help="Apprend un modèle de classement sur les embauches et refus enregistrés ; "
                                    "il n'est utilisé que s'il classe mieux que les pondérations fixes.")
def train() -> None:
    from clausematch.matching.services import train_model

    click.echo(train_model().message)
