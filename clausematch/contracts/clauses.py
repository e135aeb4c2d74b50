"""The insertion clause of a lot and its hour objective (typed in, or computed).

The clause form carries the version it was loaded at (clausematch/versioning.py), 0 when the lot
had no clause yet: a clause created meanwhile is then a newer version too, never overwritten
silently."""
from dataclasses import dataclass, field
from decimal import Decimal

from clausematch import audit, versioning
from clausematch.accounts.models import Territory, User
from clausematch.contracts.models import Clause, Lot, ObjectiveMethod, computed_objective
from clausematch.contracts.permissions import can_edit_lot
from clausematch.errors import Collector, DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.formats import percent_to_share, share_to_percent
from clausematch.vocabulary import Criterion, Mode

MAX_HOURS = Decimal("99999999.99")  # Numeric(10, 2)
MAX_HOURLY_COST = Decimal("999999.99")  # Numeric(8, 2)


@dataclass(frozen=True)
class ClauseInput:
    """`hours_objective` for the fixed method; amount and factors (percentages, euros) for
    the computed one."""

    method: ObjectiveMethod
    hours_objective: Decimal | None = None
    amount_ht: Decimal | None = None
    labour_share_percent: Decimal | None = None
    insertion_rate_percent: Decimal | None = None
    hourly_cost: Decimal | None = None
    eligible_criteria: list[str] = field(default_factory=list)
    allowed_modes: list[str] = field(default_factory=list)
    notes: str = ""
    # None: the territory's CDI lump; 0: no lump on this clause; N: N hours per CDI hire.
    cdi_lump_hours: int | None = None


@dataclass(frozen=True)
class CalculatorDefaults:
    """What the calculator shows before anything is typed: the lot amount and the factors of
    the clause if it has them, else the territory's defaults (as percentages and euros)."""

    amount_ht: Decimal
    labour_share_percent: Decimal
    insertion_rate_percent: Decimal
    hourly_cost: Decimal


def calculator_defaults(lot: Lot, territory: Territory) -> CalculatorDefaults:
    clause = lot.clause
    has_factors = clause is not None and clause.objective_method == ObjectiveMethod.COMPUTED
    return CalculatorDefaults(
        amount_ht=lot.amount_ht,
        labour_share_percent=share_to_percent(clause.labour_share if has_factors else territory.default_labour_share),
        insertion_rate_percent=share_to_percent(
            clause.insertion_rate if has_factors else territory.default_insertion_rate),
        hourly_cost=clause.hourly_cost if has_factors else territory.default_hourly_cost,
    )


def calculate_objective(amount_ht: Decimal | None, labour_share_percent: Decimal | None,
                        insertion_rate_percent: Decimal | None, hourly_cost: Decimal | None) -> Decimal:
    """Hours = amount × labour share × insertion rate ÷ hourly cost, shares typed as
    percentages (1 000 000, 50, 5, 30 → 833). Raises FieldErrors naming every wrong factor."""
    collect = Collector()
    if amount_ht is None or amount_ht < 0:
        collect.add("Indiquez un montant hors taxes positif ou nul.", field="amount_ht")
    collect(_check_percent, labour_share_percent, "labour_share_percent", "la part de main-d'œuvre")
    collect(_check_percent, insertion_rate_percent, "insertion_rate_percent", "le taux d'insertion")
    if hourly_cost is None or hourly_cost <= 0 or hourly_cost > MAX_HOURLY_COST:
        collect.add("Indiquez un coût horaire supérieur à 0 €.", field="hourly_cost")
    elif hourly_cost != hourly_cost.quantize(Decimal("0.01")):
        collect.add("Le coût horaire s'exprime en euros et centimes (2 décimales au plus).", field="hourly_cost")
    collect.raise_if_any()
    hours = computed_objective(amount_ht, percent_to_share(labour_share_percent),
                               percent_to_share(insertion_rate_percent), hourly_cost)
    if hours > MAX_HOURS:
        raise DomainError("L'objectif calculé est trop élevé : vérifiez le montant.", field="amount_ht")
    return hours


def _check_percent(value: Decimal | None, field_name: str, what: str) -> None:
    if value is None or value <= 0 or value > 100:
        raise DomainError(f"Indiquez {what} en pourcentage, entre 0 (exclu) et 100.", field=field_name)
    # Shares are stored with 4 decimals: 5,25 % = 0,0525.
    if value != value.quantize(Decimal("0.01")):
        raise DomainError(f"Indiquez {what} avec 2 décimales au plus (par exemple 5,25).", field=field_name)


# The version an edit form names when the lot had no clause (a clause starts at version 1).
NO_CLAUSE_VERSION = 0


MAX_CDI_LUMP_HOURS = 10000


def check_clause(actor: User, lot_id: int, data: ClauseInput) -> None:
    """Every rule of the clause form, all refusals at once; reads only (the form's first submit)."""
    checked_clause(_lot_for_clause(actor, lot_id), data)


def checked_clause(lot: Lot, data: ClauseInput) -> dict:
    """The clause's columns from `data`, every rule run: one FieldErrors lists all refusals."""
    collect = Collector()
    criteria = collect(_known_codes, data.eligible_criteria, Criterion, "eligible_criteria")
    modes = collect(_known_codes, data.allowed_modes, Mode, "allowed_modes")
    factors = (None, None, None)
    if data.method == ObjectiveMethod.COMPUTED:
        hours = collect(calculate_objective, data.amount_ht, data.labour_share_percent,
                        data.insertion_rate_percent, data.hourly_cost)
        if hours is not None:
            factors = (percent_to_share(data.labour_share_percent),
                       percent_to_share(data.insertion_rate_percent), data.hourly_cost)
    else:
        hours = collect(_fixed_hours, data.hours_objective)
    if data.cdi_lump_hours is not None and not 0 <= data.cdi_lump_hours <= MAX_CDI_LUMP_HOURS:
        collect.add(f"Le forfait CDI se compte de 0 à {MAX_CDI_LUMP_HOURS} heures (laissez vide pour reprendre celui "
                    "du territoire).", field="cdi_lump_hours")
    collect.raise_if_any()
    return {"objective_method": data.method, "hours_objective": hours, "labour_share": factors[0],
            "insertion_rate": factors[1], "hourly_cost": factors[2], "eligible_criteria": criteria,
            "allowed_modes": modes, "notes": data.notes.strip() or None, "cdi_lump_hours": data.cdi_lump_hours}


def _lot_for_clause(actor: User, lot_id: int) -> Lot:
    lot = db.session.get(Lot, lot_id)
    if lot is None:
        raise DomainError("Ce lot n'existe pas.")
    if not can_edit_lot(actor, lot):
        raise NotAllowed("Ce lot n'appartient pas à votre territoire.")
    return lot


def save_clause(actor: User, lot_id: int, data: ClauseInput, version: int | None = None) -> Clause:
    """Create or replace the clause of a lot; `version`: the one its form was loaded at
    (NO_CLAUSE_VERSION if the lot had none)."""
    lot = _lot_for_clause(actor, lot_id)
    values = checked_clause(lot, data)
    clause = lot.clause or Clause(lot_id=lot.id)
    created = clause.id is None
    for name, value in values.items():
        setattr(clause, name, value)
    if not created:
        versioning.claim(clause, version)
    db.session.add(clause)
    db.session.flush()
    audit.record("clause_created" if created else "clause_updated", "clause", clause.id, actor_id=actor.id,
                 lot_id=lot.id, method=data.method.value, hours_objective=str(values["hours_objective"]),
                 amount_ht=str(data.amount_ht) if data.method == ObjectiveMethod.COMPUTED else None)
    db.session.commit()
    return clause


def _fixed_hours(hours: Decimal | None) -> Decimal:
    if hours is None:
        raise DomainError("Indiquez le nombre d'heures d'insertion inscrit au marché.", field="hours_objective")
    if hours < 0 or hours > MAX_HOURS:
        raise DomainError("Le nombre d'heures doit être positif ou nul.", field="hours_objective")
    if hours != hours.quantize(Decimal("0.01")):
        raise DomainError("Le nombre d'heures s'exprime avec 2 décimales au plus.", field="hours_objective")
    return hours


def _known_codes(codes: list[str], vocabulary, field_name: str) -> list[str]:
    """Codes kept in the vocabulary's order, duplicates dropped; an unknown code is refused."""
    known = [member.value for member in vocabulary]
    unknown = set(codes) - set(known)
    if unknown:
        raise DomainError("Un des choix cochés n'existe pas.", field=field_name)
    return [code for code in known if code in set(codes)]
