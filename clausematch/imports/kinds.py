"""Every import kind by its CLI name (`flask import KIND FILE`): each kind module defines `KIND`
(an `ImportKind`) and gets one import line and one entry below."""
from clausematch.imports import companies, contracts, decp, hours, people
from clausematch.imports.base import ImportKind

_ALL: tuple[ImportKind, ...] = (contracts.KIND, companies.KIND, people.KIND, hours.KIND, decp.KIND)

KINDS: dict[str, ImportKind] = {kind.name: kind for kind in _ALL}
