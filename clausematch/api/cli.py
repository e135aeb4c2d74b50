"""`flask api token create --organisation ID --scope SCOPE… [--name NOM]` (prints the token once),
`flask api token list [--organisation ID]`, `flask api token revoke ID`."""
import click
from flask.cli import AppGroup

from clausematch.api import tokens
from clausematch.errors import DomainError, refusals

api_cli = AppGroup("api", help="API JSON : jetons d'accès.")
token_cli = AppGroup("token", help="Jetons d'API (créer, lister, révoquer).")
api_cli.add_command(token_cli)


@token_cli.command("create", help="Crée un jeton pour une organisation et l'affiche une seule fois.")
@click.option("--organisation", "organisation_id", type=int, required=True, help="Identifiant de l'organisation.")
@click.option("--scope", "scopes", multiple=True, required=True,
              help="Permission (répétable) : " + ", ".join(tokens.SCOPES) + ".")
@click.option("--name", default="Jeton créé en ligne de commande", show_default=True, help="Nom du jeton.")
def create(organisation_id: int, scopes: tuple[str, ...], name: str) -> None:
    try:
        token, secret = tokens.create_token(None, organisation_id, name, list(scopes))
    except DomainError as refused:
        raise click.ClickException(" ".join(r.message for r in refusals(refused))) from None
    click.echo(f"Jeton n° {token.id} créé pour « {token.organisation.name} » ({token.scopes}).")
    click.echo("Copiez-le maintenant, il ne sera plus affiché :")
    click.echo(secret)


@token_cli.command("list", help="Liste les jetons (jamais leur secret).")
@click.option("--organisation", "organisation_id", type=int, default=None)
def list_tokens(organisation_id: int | None) -> None:
    found = tokens.tokens(organisation_id)
    if not found:
        click.echo("Aucun jeton.")
    for token in found:
        state = f"révoqué le {token.revoked_at:%d/%m/%Y}" if token.revoked_at else "actif"
        click.echo(f"{token.id}\tcm_{token.prefix}_…\t{token.organisation.name}\t{token.name}\t{token.scopes}\t{state}")


@token_cli.command("revoke", help="Révoque un jeton : il ne permet plus aucune requête.")
@click.argument("token_id", type=int)
def revoke(token_id: int) -> None:
    try:
        token = tokens.revoke_token(None, token_id)
    except DomainError as refused:
        raise click.ClickException(refused.message) from None
    click.echo(f"Jeton n° {token.id} « {token.name} » révoqué.")
