"""No lost update: an edit form names the version of the record it was loaded at; saving over a
newer version is refused, the person's input is kept and what differs is listed.

One mechanism for every edit form (candidates, offers, contracts, lots, clauses, companies,
buyers, employment contracts): the record's integer `version` column. The service applies the
form's values to the loaded record, then calls `claim(record, version)` before its commit:
`UPDATE … SET version = version + 1 WHERE id = … AND version = <the form's>`. That statement is
atomic on both databases (on PostgreSQL it waits for a concurrent save's row lock, then sees its
new version; SQLite runs one writer at a time), so of two saves of the same version exactly one
wins. The other gets `EditConflict`: the session is rolled back (nothing of the save is kept) and
the error lists the fields whose current value differs from the person's input, with the
current values, and the current version (to save again on purpose, over the listed values).
A service called without a version (command line, tests of the rules) still raises the version.
"""
import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from clausematch.errors import DomainError
from clausematch.extensions import db

CONFLICT_MESSAGE = ("Quelqu'un d'autre a enregistré cette fiche pendant que vous la modifiiez : rien n'a été "
                    "enregistré. Votre saisie est conservée ci-dessous ; vérifiez les valeurs actuelles, puis "
                    "enregistrez de nouveau pour les remplacer.")


class EditConflict(DomainError):
    """`differences`: (column name, current value) of each field where the input differs."""

    def __init__(self, differences: list[tuple[str, object]], current_version: int):
        super().__init__(CONFLICT_MESSAGE)
        self.differences = differences
        self.current_version = current_version


def _versioned_class(record) -> type:
    """The mapped class whose table holds `version` (the base class of joined inheritance)."""
    return sa.inspect(record).mapper.base_mapper.class_


def claim(record, expected: int | None) -> None:
    """Raise the record's version, or raise EditConflict when `expected` is not its current one."""
    cls = _versioned_class(record)
    table = cls.__table__
    condition = [table.c.id == record.id]
    if expected is not None:
        condition.append(table.c.version == expected)
    submitted = _submitted_values(record)
    with db.session.no_autoflush:
        new_version = db.session.execute(sa.update(table).where(*condition).values(version=table.c.version + 1)
                                         .returning(table.c.version)).scalar()
    if new_version is not None:
        set_committed_value(record, "version", new_version)
        return
    ident = record.id
    db.session.rollback()
    current = db.session.get(cls, ident, populate_existing=True)
    differences = [(name, getattr(current, name)) for name, value in submitted.items()
                   if getattr(current, name) != value]
    raise EditConflict(differences, current.version)


def _submitted_values(record) -> dict:
    """The column values the save changes on the loaded record (before flush)."""
    state = sa.inspect(record)
    values = {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if history.added and attr.key != "version":
            values[attr.key] = history.added[0]
    return values
