"""What the public register page (/donnees-personnelles) reads: the territories and their privacy
settings. No login: only what a territory publishes (its controller, its retention periods)."""
import sqlalchemy as sa

from clausematch.accounts.models import Territory
from clausematch.extensions import db


def register_territories() -> list[tuple[int, str]]:
    """(id, name) of every territory, by name: the page's choice when there are several."""
    return list(db.session.execute(sa.select(Territory.id, Territory.name).order_by(Territory.name, Territory.id)))


def register_territory(territory_id: int) -> Territory | None:
    return db.session.get(Territory, territory_id)
