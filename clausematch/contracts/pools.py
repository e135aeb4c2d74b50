"""Pooling agreements (globalisation): when the clause allows it, a titulaire company's hours are
judged over several of its lots together — realised and objective summed over the pool's lots
(docs/domain.md, "Heures qui comptent"; the figures: pathways/counting.py `pool_figures`).

A pool covers at least 2 lots of the same titulaire company in the territory, possibly across
contracts, each with a clause, each in no other pool. A facilitator records, changes or
dissolves it; recording or changing one is refused while the territory's setting
`globalise_across_lots` is off. Switching the setting off keeps the pools recorded but applies
none of them (every lot is judged on its own hours again); switching it back on applies them
again. Each service is one unit of work: it locks the lots whose membership it changes (and the
pool), re-checks every rule under the lock, audits and commits once; edits are version-checked.
"""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from clausematch import audit, versioning
from clausematch.accounts.models import User
from clausematch.contracts.models import Clause, Contract, HoursPool, HoursPoolLot, Lot
from clausematch.contracts.permissions import can_manage_pools, territory_of
from clausematch.database import lock, locked, today
from clausematch.errors import Collector, DomainError, NotAllowed
from clausematch.extensions import db

NOTE_MAX_LENGTH = 1000
EARLIEST = date(1990, 1, 1)
MIN_LOTS = 2
CHOICES_LIMIT = 200  # lots offered on the form; a company with more is pooled by the first ones
SETTING_OFF = ("La globalisation entre lots est désactivée dans les paramètres du territoire (/parametres) : "
               "aucune mutualisation ne peut être enregistrée tant qu'elle n'y est pas activée.")


@dataclass(frozen=True)
class PoolInput:
    lot_ids: list[int] = field(default_factory=list)
    agreed_on: date | None = None
    note: str = ""


def lot_label(lot: Lot) -> str:
    return f"{lot.contract.reference} lot {lot.number}"


# --- Reading ------------------------------------------------------------------------------------

def pool_of_lot(lot_id: int) -> HoursPool | None:
    """The pool covering the lot, its lots and their contracts loaded (two queries)."""
    pool = db.session.scalar(sa.select(HoursPool).join(HoursPoolLot, HoursPoolLot.pool_id == HoursPool.id)
                             .where(HoursPoolLot.lot_id == lot_id))
    return _with_lots(pool) if pool is not None else None


def _with_lots(pool: HoursPool) -> HoursPool:
    db.session.scalars(sa.select(HoursPoolLot).where(HoursPoolLot.pool_id == pool.id)
                       .options(joinedload(HoursPoolLot.lot).joinedload(Lot.contract))).all()
    return pool


def pool_lots(pool: HoursPool) -> list[Lot]:
    return sorted((member.lot for member in pool.members), key=lambda lot: (lot.contract.reference, lot.number))


@dataclass(frozen=True)
class PoolSummary:
    pool_id: int
    agreed_on: date
    lots: list[tuple[int, str]]  # (lot id, "REF lot N")

    def label(self, without: int | None = None) -> str:
        return ", ".join(label for lot_id, label in self.lots if lot_id != without)


def pools_of(*, lot_ids: sa.Select | list[int] | None = None, company_id: int | None = None) -> list[PoolSummary]:
    """The pools covering any of `lot_ids`, or those of a company, with all their lots: one query."""
    members = sa.select(HoursPoolLot.pool_id)
    if lot_ids is not None:
        members = members.where(HoursPoolLot.lot_id.in_(lot_ids))
    pools = sa.select(HoursPool.id).where(HoursPool.id.in_(members))
    if company_id is not None:
        pools = sa.select(HoursPool.id).where(HoursPool.company_id == company_id)
    rows = db.session.execute(
        sa.select(HoursPool.id, HoursPool.agreed_on, Lot.id, Contract.reference, Lot.number)
        .join(HoursPoolLot, HoursPoolLot.pool_id == HoursPool.id).join(Lot, Lot.id == HoursPoolLot.lot_id)
        .join(Contract, Contract.id == Lot.contract_id).where(HoursPool.id.in_(pools))
        .order_by(HoursPool.agreed_on, HoursPool.id, Contract.reference, Lot.number)).all()
    summaries: dict[int, PoolSummary] = {}
    for pool_id, agreed_on, lot_id, reference, number in rows:
        summaries.setdefault(pool_id, PoolSummary(pool_id, agreed_on, [])).lots.append(
            (lot_id, f"{reference} lot {number}"))
    return list(summaries.values())


def lot_choices(lot: Lot) -> list[tuple[Lot, int | None]]:
    """The lots a pool of `lot` may cover: its titulaire's lots in the territory that have a
    clause, each with the pool already covering it (None when free); bounded."""
    if lot.company_id is None:
        return [(lot, None)]
    rows = db.session.execute(
        sa.select(Lot, HoursPoolLot.pool_id).join(Contract, Contract.id == Lot.contract_id)
        .join(Clause, Clause.lot_id == Lot.id).outerjoin(HoursPoolLot, HoursPoolLot.lot_id == Lot.id)
        .options(joinedload(Lot.contract))
        .where(Lot.company_id == lot.company_id, Contract.territory_id == lot.contract.territory_id)
        .order_by(Contract.reference, Lot.number, Lot.id).limit(CHOICES_LIMIT)).all()
    return [(row[0], row[1]) for row in rows]


# --- Checking -----------------------------------------------------------------------------------

def check_pool(actor: User, lot: Lot, data: PoolInput, pool_id: int | None = None) -> list[Lot]:
    """Every rule of the pool form (a new pool from `lot`'s page, or pool `pool_id`), all
    refusals at once (FieldErrors); reads only. Returns the lots the pool would cover."""
    if not can_manage_pools(actor, lot):
        raise NotAllowed("Seule l'équipe de facilitation du territoire enregistre une mutualisation des heures.")
    lots = list(db.session.scalars(
        sa.select(Lot).options(joinedload(Lot.contract), joinedload(Lot.clause))
        .where(Lot.id.in_(set(data.lot_ids))).order_by(Lot.id))) if data.lot_ids else []
    members = dict(db.session.execute(
        sa.select(HoursPoolLot.lot_id, HoursPoolLot.pool_id)
        .where(HoursPoolLot.lot_id.in_([x.id for x in lots]))).all())
    return _checked(lot, data, lots, members, pool_id)


def _checked(lot: Lot, data: PoolInput, lots: list[Lot], members: dict[int, int], pool_id: int | None) -> list[Lot]:
    collect = Collector()
    territory = lot.contract.territory
    if not territory.globalise_across_lots:
        collect.add(SETTING_OFF, field="lots")
    if lot.company_id is None:
        collect.add("Ce lot n'est pas attribué : seules les heures d'une même entreprise titulaire se mutualisent.",
                    field="lots")
    if len(set(data.lot_ids)) != len(lots):
        collect.add("Un des lots choisis n'existe plus.", field="lots")
    if lot.id not in {x.id for x in lots}:
        collect.add(f"La mutualisation doit couvrir le lot {lot_label(lot)} depuis lequel elle est enregistrée.",
                    field="lots")
    if len(lots) < MIN_LOTS:
        collect.add(f"Choisissez au moins {MIN_LOTS} lots à mutualiser.", field="lots")
    for other in lots:
        if other.contract.territory_id != territory.id:
            collect.add(f"Le lot {lot_label(other)} n'est pas de votre territoire.", field="lots")
            continue
        if lot.company_id is not None and other.company_id != lot.company_id:
            collect.add(f"Le lot {lot_label(other)} a une autre entreprise titulaire : seules les heures d'une même "
                        "entreprise se mutualisent.", field="lots")
        if other.clause is None:
            collect.add(f"Le lot {lot_label(other)} n'a pas de clause sociale : définissez-la avant de le mutualiser.",
                        field="lots")
        if members.get(other.id) not in (None, pool_id):
            collect.add(f"Le lot {lot_label(other)} est déjà couvert par une autre mutualisation : un lot n'appartient "
                        "qu'à une seule.", field="lots")
    if data.agreed_on is None:
        collect.add("Indiquez la date de l'accord de mutualisation.", field="agreed_on")
    elif not EARLIEST <= data.agreed_on <= today():
        collect.add("La date de l'accord ne peut pas être à venir (ni avant 1990).", field="agreed_on")
    if len(data.note or "") > NOTE_MAX_LENGTH:
        collect.add(f"La remarque ne doit pas dépasser {NOTE_MAX_LENGTH} caractères.", field="note")
    collect.raise_if_any()
    return lots


# --- Changing -----------------------------------------------------------------------------------

def _locked_lots(lot_ids: set[int]) -> tuple[list[Lot], dict[int, int]]:
    """The lots, locked in id order until the commit, and the pool covering each (read after
    the lock: a pool committed meanwhile is seen)."""
    lots = list(locked(db.session, sa.select(Lot).where(Lot.id.in_(lot_ids)).order_by(Lot.id))) if lot_ids else []
    members = dict(db.session.execute(
        sa.select(HoursPoolLot.lot_id, HoursPoolLot.pool_id).where(HoursPoolLot.lot_id.in_(lot_ids))).all())
    return lots, members


def _lot_for_pool(actor: User, lot_id: int) -> Lot:
    lot = db.session.get(Lot, lot_id)
    if lot is None:
        raise DomainError("Ce lot n'existe pas.")
    if not can_manage_pools(actor, lot):
        raise NotAllowed("Seule l'équipe de facilitation du territoire enregistre une mutualisation des heures.")
    return lot


def create_pool(actor: User, lot_id: int, data: PoolInput) -> HoursPool:
    """Record a pool covering `data.lot_ids` (among them `lot_id`, the page it is recorded from)."""
    lot = _lot_for_pool(actor, lot_id)
    lots, members = _locked_lots(set(data.lot_ids) | {lot.id})
    lot = next((x for x in lots if x.id == lot.id), lot)
    chosen = _checked(lot, data, [x for x in lots if x.id in set(data.lot_ids)], members, None)
    pool = HoursPool(territory_id=lot.contract.territory_id, company_id=lot.company_id, agreed_on=data.agreed_on,
                     note=(data.note or "").strip() or None)
    pool.members = [HoursPoolLot(lot_id=x.id) for x in chosen]
    db.session.add(pool)
    db.session.flush()
    audit.record("hours_pool_created", "hours_pool", pool.id, actor_id=actor.id,
                 lot_ids=[x.id for x in chosen], agreed_on=data.agreed_on.isoformat())
    db.session.commit()
    return pool


def update_pool(actor: User, pool_id: int, data: PoolInput, version: int | None = None) -> HoursPool:
    """Change the lots, date or note of a pool; `version`: the one its form was loaded at."""
    pool = lock(db.session, HoursPool, pool_id)
    if pool is None:
        raise DomainError("Cette mutualisation n'existe plus : elle a été dissoute entre-temps.")
    current = set(db.session.scalars(sa.select(HoursPoolLot.lot_id).where(HoursPoolLot.pool_id == pool.id)))
    anchor = db.session.get(Lot, min(current)) if current else None
    if anchor is None or not can_manage_pools(actor, anchor):
        raise NotAllowed("Seule l'équipe de facilitation du territoire modifie une mutualisation des heures.")
    lots, members = _locked_lots(set(data.lot_ids) | current)
    by_id = {x.id: x for x in lots}
    # The rules are judged from a lot the pool keeps (else from any of its lots).
    anchor = next((by_id[i] for i in sorted(current) if i in set(data.lot_ids)), by_id[min(current)])
    chosen = _checked(anchor, data, [x for x in lots if x.id in set(data.lot_ids)], members, pool.id)
    pool.agreed_on, pool.note = data.agreed_on, (data.note or "").strip() or None
    versioning.claim(pool, version)
    kept = {x.id for x in chosen}
    for member in list(pool.members):
        if member.lot_id not in kept:
            pool.members.remove(member)
    pool.members.extend(HoursPoolLot(lot_id=i) for i in sorted(kept - current))
    audit.record("hours_pool_updated", "hours_pool", pool.id, actor_id=actor.id, lot_ids=sorted(kept),
                 agreed_on=data.agreed_on.isoformat())
    db.session.commit()
    return pool


def dissolve_pool(actor: User, pool_id: int, version: int | None = None) -> None:
    """End a pool: its lots are judged on their own hours again. Allowed whatever the setting."""
    pool = lock(db.session, HoursPool, pool_id)
    if pool is None:
        raise DomainError("Cette mutualisation a déjà été dissoute : la page n'était plus à jour.")
    lot_ids = set(db.session.scalars(sa.select(HoursPoolLot.lot_id).where(HoursPoolLot.pool_id == pool.id)))
    anchor = db.session.get(Lot, min(lot_ids)) if lot_ids else None
    if anchor is None or not can_manage_pools(actor, anchor):
        raise NotAllowed("Seule l'équipe de facilitation du territoire dissout une mutualisation des heures.")
    if territory_of(actor) != pool.territory_id:
        raise NotAllowed("Cette mutualisation n'est pas de votre territoire.")
    _locked_lots(lot_ids)
    versioning.claim(pool, version)
    audit.record("hours_pool_dissolved", "hours_pool", pool.id, actor_id=actor.id, lot_ids=sorted(lot_ids))
    db.session.delete(pool)
    db.session.commit()
