"""Published procurement data (DECP) as the buyers' contracts, so the clause share (SPASER
indicator, /rapports/clauses) is computed from what the buyers published.

Each marché of the file whose acheteur SIRET is a buyer of the territory becomes that buyer's
contract; the marché's identifier (`id`, the buyer's own numbering, unique among its marchés) is
the contract's reference, so the key is (buyer, reference) — the key a contract typed by hand
already has: a typed contract with the published reference is the same contract and gets the
published values. Importing the same file again changes nothing.

What a line sets: object, sector (from the CPV code), amount (the latest modification's),
notification date, end date (start + dureeMois) and the social clause (`considerationsSociales`,
see `decp_format.SOCIAL_KINDS`). A new contract starts on its notification date (DECP publishes
no start date); an existing contract keeps its start date.

Marchés of buyers unknown to the territory are left out, never created: a national file holds
every buyer of France, and a SIRET belongs to one territory. Register the buyer with its SIRET
first (/acheteurs).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from clausematch.accounts.models import Buyer, Territory, User
from clausematch.contracts.models import Contract, Lot
from clausematch.contracts.services import EARLIEST, LATEST, MAX_AMOUNT
from clausematch.database import add_months, locked, today, utcnow
from clausematch.extensions import db
from clausematch.formats import format_date, format_number
from clausematch.imports.base import CHUNK, LineResult, Outcome, Row
from clausematch.imports.decp_format import (
    Social,
    clause_kind_for,
    parse_published_amount,
    parse_published_date,
    parse_social,
    read_decp,
    sector_for,
    today_limit,
)
from clausematch.imports.tabular import Table
from clausematch.vocabulary import Sector

MAX_DURATION_MONTHS = 600  # 50 years: beyond, the published duration is a typing mistake
REFERENCE_LENGTH = Contract.__table__.c.reference.type.length
OBJECT_LENGTH = Contract.__table__.c.object.type.length

# The contract's columns a line sets, with their French names (an update's message lists them).
FIELD_LABELS = {"object": "objet", "sector": "secteur", "amount_ht": "montant", "notified_on": "date de notification",
                "end_date": "date de fin", "clause_kind": "clause sociale"}


@dataclass(frozen=True)
class _Published:
    """A line's values, read and checked."""
    reference: str
    siret: str
    object: str
    sector: Sector
    amount_ht: Decimal
    notified_on: date
    duration_months: int | None
    social: Social


class DecpKind:
    name = "decp"
    label = "Données essentielles des marchés publics (DECP)"
    tables = ("organisations", "contracts")
    columns = ()

    def read(self, data: bytes, filename: str, territory: Territory | None = None) -> list[Row]:
        """The file's marchés as rows (JSON, 2019 or 2022 schema, or CSV export); with `territory`,
        only its buyers' marchés (filtered while reading: a national file holds every buyer)."""
        return read_decp(data, filename, territory_sirets(territory) if territory is not None else None).rows

    def read_table(self, data: bytes, filename: str, territory: Territory) -> Table:
        """The runner's reader (imports/runner.py): the territory's buyers' marchés, and in French
        what was left out."""
        reading = read_decp(data, filename, territory_sirets(territory))
        notes = []
        if reading.other_buyers:
            notes.append(f"{format_number(reading.other_buyers)} marché(s) d'acheteurs d'autres territoires (ou "
                         "sans SIRET d'acheteur) laissé(s) de côté.")
        if reading.not_marches:
            notes.append(f"{format_number(reading.not_marches)} contrat(s) de concession laissé(s) de côté "
                         "(seuls les marchés sont importés).")
        return Table(reading.rows, notes=notes, format="decp")

    def run(self, territory: Territory, actor: User | None, rows: list[Row], *, write: bool) -> list[LineResult]:
        results: list[LineResult] = []
        first_lines: dict[tuple[str, str], int] = {}  # (SIRET, lower-case id) → its first line
        for start in range(0, len(rows), CHUNK):
            results += self._run_chunk(territory, rows[start:start + CHUNK], first_lines, write)
        return results

    def _run_chunk(self, territory: Territory, rows: list[Row], first_lines: dict[tuple[str, str], int],
                   write: bool) -> list[LineResult]:
        """One chunk: buyers, contracts and lot dates read in three queries, new contracts inserted
        in one statement and changed ones updated in one, whatever the chunk's size."""
        checked = [_checked(row) for row in rows]
        buyers = _buyers(territory, {p.siret for p in checked if isinstance(p, _Published)}, write)
        keys = {(buyers[p.siret].id, p.reference.lower()) for p in checked
                if isinstance(p, _Published) and p.siret in buyers}
        contracts = _contracts(keys, write)
        lot_spans = _lot_spans([contract.id for contract in contracts.values()])
        results, inserts, updates = [], [], []
        for row, published in zip(rows, checked, strict=True):
            reasons = published if isinstance(published, list) else []
            repeat = _repeat(row, first_lines)
            if repeat:
                reasons = [*reasons, repeat]
            if not reasons and published.siret not in buyers:
                reasons = [f"Aucun acheteur du territoire n'a le SIRET {published.siret} : "
                           "enregistrez l'acheteur avec son SIRET, puis importez à nouveau."]
            if reasons:
                results.append(LineResult(row.line, Outcome.REFUSED, _label(row), reasons[0], reasons))
                continue
            buyer = buyers[published.siret]
            contract = contracts.get((buyer.id, published.reference.lower()))
            results.append(_apply(territory, buyer, contract, published, lot_spans, row, inserts, updates))
        if write and inserts:
            db.session.execute(sa.insert(Contract), inserts)
        if write and updates:
            db.session.execute(sa.update(Contract), updates)
        return results


KIND = DecpKind()


def territory_sirets(territory: Territory) -> set[str]:
    """The SIRETs of the territory's buyers (one query)."""
    return set(db.session.scalars(sa.select(Buyer.siret).where(Buyer.territory_id == territory.id,
                                                                 Buyer.siret.is_not(None))))


def _label(row: Row) -> str:
    reference = row.get("id") or "sans identifiant"
    siret = row.get("buyer_siret")
    return f"Marché {reference}" + (f" (acheteur SIRET {siret})" if siret else "")


def _checked(row: Row) -> _Published | list[str]:
    """The line's values, or every French reason to refuse it."""
    reasons = []
    reference = row.get("id")
    if not reference:
        reasons.append("Identifiant du marché (id) absent.")
    elif len(reference) > REFERENCE_LENGTH:
        reasons.append(f"Identifiant du marché trop long ({len(reference)} caractères, {REFERENCE_LENGTH} au plus).")
    siret = row.get("buyer_siret")
    if not siret:
        reasons.append("SIRET de l'acheteur (acheteur.id) absent.")
    notified_on = None
    try:
        notified_on = parse_published_date(row.get("notified_on"))
        if notified_on is None:
            reasons.append("Date de notification absente.")
        elif not EARLIEST <= notified_on <= today_limit(today()):
            reasons.append(f"Date de notification non plausible ({format_date(notified_on)}).")
            notified_on = None
    except ValueError:
        reasons.append(f"Date de notification illisible : « {row.get('notified_on')} ».")
    amount = None
    try:
        amount = parse_published_amount(row.get("amount"))
        if amount is None:
            reasons.append("Montant absent.")
        elif amount < 0 or amount > MAX_AMOUNT:
            reasons.append(f"Montant non plausible : « {row.get('amount')} ».")
    except ValueError:
        if _is_number(row.get("amount")):  # 1e17: a number, too large for any contract
            reasons.append(f"Montant non plausible : « {row.get('amount')} ».")
        else:
            reasons.append(f"Montant illisible : « {row.get('amount')} ».")
    duration = _duration(row.get("duration_months"), reasons)
    if notified_on is not None and duration and add_months(notified_on, duration) > LATEST:
        reasons.append(f"Durée non plausible : {duration} mois.")
    social = None
    try:
        social = parse_social(row.get("social"))
    except ValueError as error:
        reasons.append(f"Considération sociale inconnue : « {error.args[0]} » (attendu : Clause sociale, "
                       "Critère social, Marché réservé ou Pas de considération sociale).")
    if reasons:
        return reasons
    obj = row.get("object") or "(objet non publié)"
    if len(obj) > OBJECT_LENGTH:
        obj = obj[:OBJECT_LENGTH - 1] + "…"
    return _Published(reference=reference, siret=siret, object=obj,
                      sector=sector_for(row.get("cpv"), row.get("nature")),
                      amount_ht=amount.quantize(Decimal("0.01")), notified_on=notified_on,
                      duration_months=duration, social=social)


def _is_number(text: str) -> bool:
    try:
        return Decimal(text.strip().replace(",", ".")).is_finite()
    except ArithmeticError:
        return False


def _duration(text: str, reasons: list[str]) -> int | None:
    """dureeMois: None when not published ("NC", empty, 0)."""
    text = (text or "").strip()
    if not text or text.upper() == "NC":
        return None
    try:
        value = Decimal(text.replace(",", "."))
    except ArithmeticError:
        reasons.append(f"Durée illisible : « {text} ».")
        return None
    if value != value.to_integral_value() or not 0 <= value <= MAX_DURATION_MONTHS:
        reasons.append(f"Durée non plausible : « {text} » mois.")
        return None
    return int(value) or None


def _buyers(territory: Territory, sirets: set[str], write: bool) -> dict[str, Buyer]:
    """The territory's buyers with these SIRETs. Writing, their rows are locked until the commit:
    two imports (or an import and a removal) touching one buyer's contracts run one after the other."""
    if not sirets:
        return {}
    stmt = sa.select(Buyer).where(Buyer.territory_id == territory.id, Buyer.siret.in_(sorted(sirets)))
    found = locked(db.session, stmt) if write else db.session.scalars(stmt)
    return {buyer.siret: buyer for buyer in found}


def _contracts(keys: set[tuple[int, str]], write: bool) -> dict[tuple[int, str], Contract]:
    """Existing contracts by (buyer id, lower-case reference): one query; writing, locked (an edit
    form saving meanwhile waits, then conflicts on the raised version)."""
    if not keys:
        return {}
    buyer_ids, references = {k[0] for k in keys}, {k[1] for k in keys}
    stmt = sa.select(Contract).where(Contract.buyer_id.in_(sorted(buyer_ids)),
                                     sa.func.lower(Contract.reference).in_(sorted(references)))
    found = locked(db.session, stmt) if write else db.session.scalars(stmt)
    return {(contract.buyer_id, contract.reference.lower()): contract for contract in found}


def _lot_spans(contract_ids: list[int]) -> dict[int, tuple[date, date]]:
    """Per contract with lots: (first lot start, last lot end or start); one query."""
    if not contract_ids:
        return {}
    rows = db.session.execute(
        sa.select(Lot.contract_id, sa.func.min(Lot.start_date),
                  sa.func.max(sa.func.coalesce(Lot.end_date, Lot.start_date)))
        .where(Lot.contract_id.in_(contract_ids)).group_by(Lot.contract_id))
    return {contract_id: (first, last) for contract_id, first, last in rows}


def _end_date(start: date, duration_months: int | None) -> date | None:
    return add_months(start, duration_months) - timedelta(days=1) if duration_months else None


def _apply(territory: Territory, buyer: Buyer, contract: Contract | None, published: _Published,
           lot_spans: dict[int, tuple[date, date]], row: Row, inserts: list[dict], updates: list[dict]) -> LineResult:
    """The line's outcome; the values to insert or update added to `inserts` or `updates`."""
    key = f"Marché {published.reference} ({buyer.name})"
    if contract is None:
        kind = clause_kind_for(published.social, None)
        inserts.append({"territory_id": territory.id, "buyer_id": buyer.id, "reference": published.reference,
                        "object": published.object, "sector": published.sector, "amount_ht": published.amount_ht,
                        "notified_on": published.notified_on, "start_date": published.notified_on,
                        "end_date": _end_date(published.notified_on, published.duration_months),
                        "clause_kind": kind})
        return LineResult(row.line, Outcome.CREATED, key, f"Clause sociale : {kind.label if kind else 'aucune'}.")
    end_date = _end_date(contract.start_date, published.duration_months) or contract.end_date
    reasons = []
    if published.notified_on > contract.start_date:
        reasons.append(f"Date de notification publiée ({format_date(published.notified_on)}) postérieure au début "
                       f"d'exécution du marché saisi ({format_date(contract.start_date)}).")
    span = lot_spans.get(contract.id)
    if span is not None and end_date is not None and span[1] > end_date:
        reasons.append(f"Un lot se termine le {format_date(span[1])} : la durée publiée "
                       f"({published.duration_months} mois) finirait le marché avant.")
    if reasons:
        return LineResult(row.line, Outcome.REFUSED, key, reasons[0], reasons)
    values = {"object": published.object, "sector": published.sector, "amount_ht": published.amount_ht,
              "notified_on": published.notified_on, "end_date": end_date,
              "clause_kind": clause_kind_for(published.social, contract.clause_kind)}
    changed = [name for name, value in values.items() if getattr(contract, name) != value]
    if not changed:
        return LineResult(row.line, Outcome.UNCHANGED, key)
    # The version raised: an edit form loaded before the import now conflicts (contract locked).
    updates.append({"id": contract.id, **values, "version": contract.version + 1, "updated_at": utcnow()})
    return LineResult(row.line, Outcome.UPDATED, key,
                      "Modifié : " + ", ".join(FIELD_LABELS[name] for name in changed) + ".")


def _repeat(row: Row, first_lines: dict[tuple[str, str], int]) -> str | None:
    """The reason to refuse a marché (acheteur, id) already met in the file, with other values (the
    same values twice were read once); None for its first line."""
    if not row.get("id") or not row.get("buyer_siret"):
        return None
    first = first_lines.setdefault((row.get("buyer_siret"), row.get("id").lower()), row.line)
    if first == row.line:
        return None
    return f"Ce marché figure déjà plus haut dans le fichier (ligne {first}) avec d'autres valeurs."
