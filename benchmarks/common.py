"""What the database benchmarks share: French figures, and running one measure on a throwaway
SQLite file, then on a throwaway PostgreSQL database when a server answers."""
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import sqlalchemy as sa

DEFAULT_POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def count(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}".replace(".", ",") + "\u00a0ms"


@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="clausematch-bench-") as folder:
        yield f"sqlite:///{Path(folder) / 'bench.sqlite'}"


@contextmanager
def postgres_url() -> Iterator[str | None]:
    """A throwaway database on the PostgreSQL server, or None when none answers."""
    admin_url = os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_ADMIN_URL)
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"clausematch_bench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError:
        admin.dispose()
        yield None
        return
    try:
        yield sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def on_each_database(run: Callable[..., None], *args) -> None:
    """run(url, *args) on SQLite, then on PostgreSQL (said and skipped when no server answers)."""
    click.echo("SQLite")
    with sqlite_url() as url:
        run(url, *args)
    with postgres_url() as url:
        if url is None:
            click.echo("PostgreSQL : aucun serveur joignable (TEST_POSTGRES_URL ou 127.0.0.1:5432), mesure ignorée.")
            return
        click.echo("PostgreSQL")
        run(url, *args)
