"""Import kind `contracts`: contracts, their lots and each lot's clause, one line per lot, keyed by
the buyer, the contract reference and the lot number.

The buyer is named by its SIRET (or, without SIRET, by its exact name); a buyer the territory
does not have yet is created with the line's name and type. The titulaire company is named by
its SIRET and must exist in the territory (import the companies first). The contract's columns
repeat on each of its lines and must agree. The rules are the forms' (contracts/services.py,
contracts/clauses.py), with their French words. A line without clause columns leaves the lot's
clause as it is; nothing is ever deleted by an import.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import sqlalchemy as sa

from clausematch.accounts.models import Buyer, BuyerKind, Company, OrganisationKind, Territory, User
from clausematch.contracts.clauses import ClauseInput, checked_clause
from clausematch.contracts.models import Clause, ClauseKind, Contract, Lot, ObjectiveMethod
from clausematch.contracts.services import _check_amount, _check_lot_dates, _check_ordered, _check_plausible
from clausematch.contracts.siret import normalise_siret, siret_error
from clausematch.database import utcnow
from clausematch.errors import DomainError, refusals
from clausematch.extensions import db
from clausematch.formats import MAX_INTEGER, format_number, share_to_percent
from clausematch.imports.base import CHUNK, Column, LineResult, Outcome, Row
from clausematch.imports.companies import holders_by_siret
from clausematch.imports.tabular import (
    CellError,
    Choices,
    format_date_cell,
    format_number_cell,
    parse_date,
    parse_number,
    parse_whole,
)
from clausematch.vocabulary import Criterion, Mode, Sector

SECTORS = Choices(Sector, {"btp": Sector.CONSTRUCTION, "travaux": Sector.CONSTRUCTION})
CLAUSE_KINDS = Choices(ClauseKind, {"condition d execution": ClauseKind.EXECUTION_CONDITION,
                                    "critere d attribution": ClauseKind.AWARD_CRITERION,
                                    "reserve siae": ClauseKind.RESERVED_SIAE, "reserve ea": ClauseKind.RESERVED_EA,
                                    "marche d insertion": ClauseKind.INSERTION_CONTRACT, "aucune": None})
BUYER_KINDS = Choices(BuyerKind)
METHODS = Choices(ObjectiveMethod, {"fixe": ObjectiveMethod.FIXED, "inscrit": ObjectiveMethod.FIXED,
                                    "calcule": ObjectiveMethod.COMPUTED, "calcul": ObjectiveMethod.COMPUTED})
CRITERIA, MODES = Choices(Criterion), Choices(Mode)

CONTRACT_FIELDS = {"object": "objet du marché", "sector": "secteur", "amount_ht": "montant du marché",
                   "notified_on": "date de notification", "start_date": "début d'exécution",
                   "end_date": "fin d'exécution", "clause_kind": "type de clause"}
LOT_FIELDS = {"title": "intitulé du lot", "company_id": "titulaire", "amount_ht": "montant du lot",
              "start_date": "début du lot", "end_date": "fin du lot"}
CLAUSE_FIELDS = {"objective_method": "calcul de l'objectif", "hours_objective": "heures d'insertion",
                 "labour_share": "part de main-d'œuvre", "insertion_rate": "taux d'insertion",
                 "hourly_cost": "coût horaire", "eligible_criteria": "publics éligibles",
                 "allowed_modes": "modalités", "notes": "notes de la clause", "cdi_lump_hours": "forfait CDI"}
CONTRACT_COLUMNS = ("reference", "object", "sector", "amount_ht", "notified_on", "start_date", "end_date",
                    "clause_kind")
CLAUSE_COLUMNS = ("method", "hours_objective", "labour_share", "insertion_rate", "hourly_cost", "criteria",
                  "modes", "notes", "cdi_lump")


class ContractsKind:
    name = "contracts"
    label = "Marchés, lots et clauses"
    tables = ("organisations", "contracts", "lots", "clauses")
    key_label = "acheteur, référence du marché et numéro de lot"
    columns = (
        Column("buyer_siret", "SIRET de l'acheteur", False, ("siret acheteur", "siret du pouvoir adjudicateur"),
               "14 chiffres ; sans SIRET, l'acheteur est reconnu à son nom exact."),
        Column("buyer_name", "Acheteur", False, ("nom de l acheteur", "pouvoir adjudicateur", "maitre d ouvrage",
                                                 "acheteur public"),
               "Nom de l'acheteur ; un acheteur inconnu du territoire est créé avec ce nom."),
        Column("buyer_kind", "Type d'acheteur", False, ("categorie d acheteur",),
               "Pour un acheteur créé : Commune, Bailleur social… (Autre acheteur si vide)."),
        Column("reference", "Référence du marché", True, ("reference", "n du marche", "numero du marche", "marche",
                                                          "ref marche"), "Telle qu'inscrite au marché."),
        Column("object", "Objet du marché", True, ("objet", "intitule du marche"), "Obligatoire."),
        Column("sector", "Secteur", True, ("secteur d activite",), "Bâtiment et travaux publics (BTP) ou Services."),
        Column("amount_ht", "Montant HT du marché", True, ("montant", "montant ht", "montant du marche"),
               "En euros, par exemple 1 250 000,00."),
        Column("notified_on", "Date de notification", True, ("notification", "date notification"), "JJ/MM/AAAA."),
        Column("start_date", "Début d'exécution", True, ("date de debut", "debut", "date de debut d execution"),
               "JJ/MM/AAAA."),
        Column("end_date", "Fin d'exécution", False, ("date de fin", "fin", "date de fin d execution"),
               "JJ/MM/AAAA, facultatif."),
        Column("clause_kind", "Type de clause", False, ("clause", "fondement de la clause"),
               "Condition d'exécution, Critère d'attribution, Réservé SIAE, Réservé EA, Marché d'insertion ; "
               "vide : sans clause sociale."),
        Column("lot_number", "N° de lot", True, ("lot", "numero de lot", "n lot"), "Entier à partir de 1."),
        Column("lot_title", "Intitulé du lot", True, ("titre du lot", "objet du lot", "libelle du lot"),
               "Obligatoire."),
        Column("company_siret", "SIRET du titulaire", False, ("titulaire", "siret titulaire", "siret entreprise"),
               "L'entreprise doit être déjà importée ; vide : lot sans titulaire."),
        Column("lot_amount", "Montant HT du lot", False, ("montant du lot",), "Vide : le montant du marché."),
        Column("lot_start", "Début du lot", False, ("date de debut du lot",), "Vide : le début du marché."),
        Column("lot_end", "Fin du lot", False, ("date de fin du lot",), "Vide : la fin du marché."),
        Column("method", "Calcul de l'objectif", False, ("methode", "mode de calcul"),
               "Fixe (heures inscrites au marché) ou Calculé ; vide : fixe si des heures sont indiquées."),
        Column("hours_objective", "Heures d'insertion", False, ("objectif", "heures", "objectif d heures",
                                                               "nombre d heures d insertion"),
               "Objectif en heures (méthode fixe) ; vide et sans calcul : pas de clause sur ce lot."),
        Column("labour_share", "Part de main-d'œuvre (%)", False, ("part main d oeuvre",), "Méthode calculée."),
        Column("insertion_rate", "Taux d'insertion (%)", False, ("taux d insertion",), "Méthode calculée."),
        Column("hourly_cost", "Coût horaire (€)", False, ("cout horaire",), "Méthode calculée."),
        Column("criteria", "Publics éligibles", False, ("publics",), "Codes séparés par des virgules (rsa, deld, "
               "qpv…) ; vide : tous."),
        Column("modes", "Modalités", False, ("modalites de realisation",), "Codes séparés par des virgules "
               "(direct, etti, ai, geiq, subcontracting_siae) ; vide : toutes."),
        Column("notes", "Notes de la clause", False, ("notes", "commentaire"), "Facultatif."),
        Column("cdi_lump", "Forfait CDI (heures)", False, ("forfait cdi",), "Vide : celui du territoire."),
    )

    def run(self, territory: Territory, actor: User | None, rows: list[Row], *, write: bool) -> list[LineResult]:
        plan = _Plan(territory, rows)
        results = [plan.line(row) for row in rows]
        if write and not any(result.outcome == Outcome.REFUSED for result in results):
            plan.write()
        return results

    def export_rows(self, territory: Territory) -> list[dict[str, str]]:
        """Every lot of the territory in the template's format, by buyer, reference and lot number."""
        titulaire = sa.orm.aliased(Company)
        stmt = (sa.select(Lot, Contract, Buyer, titulaire.siret, Clause)
                .join(Contract, Contract.id == Lot.contract_id).join(Buyer, Buyer.id == Contract.buyer_id)
                .outerjoin(titulaire, titulaire.id == Lot.company_id).outerjoin(Clause, Clause.lot_id == Lot.id)
                .where(Contract.territory_id == territory.id)
                .order_by(Buyer.name, Contract.reference, Lot.number))
        return [_export_row(*record) for record in db.session.execute(stmt)]


KIND = ContractsKind()


def _export_row(lot: Lot, contract: Contract, buyer: Buyer, company_siret: str | None, clause: Clause | None) -> dict:
    row = {"buyer_siret": buyer.siret or "", "buyer_name": buyer.name,
           "buyer_kind": buyer.buyer_kind.label if buyer.buyer_kind else "", "reference": contract.reference,
           "object": contract.object, "sector": contract.sector.label,
           "amount_ht": format_number_cell(contract.amount_ht),
           "notified_on": format_date_cell(contract.notified_on), "start_date": format_date_cell(contract.start_date),
           "end_date": format_date_cell(contract.end_date),
           "clause_kind": contract.clause_kind.label if contract.clause_kind else "",
           "lot_number": str(lot.number), "lot_title": lot.title, "company_siret": company_siret or "",
           "lot_amount": format_number_cell(lot.amount_ht), "lot_start": format_date_cell(lot.start_date),
           "lot_end": format_date_cell(lot.end_date)}
    if clause is not None:
        computed = clause.objective_method == ObjectiveMethod.COMPUTED
        row.update(method=clause.objective_method.label,
                   hours_objective="" if computed else format_number_cell(clause.hours_objective),
                   labour_share=format_number_cell(share_to_percent(clause.labour_share)) if computed else "",
                   insertion_rate=format_number_cell(share_to_percent(clause.insertion_rate)) if computed else "",
                   hourly_cost=format_number_cell(clause.hourly_cost) if computed else "",
                   criteria=", ".join(clause.eligible_criteria or []), modes=", ".join(clause.allowed_modes or []),
                   notes=clause.notes or "",
                   cdi_lump="" if clause.cdi_lump_hours is None else str(clause.cdi_lump_hours))
    return row


@dataclass
class _NewBuyer:
    """A buyer the import creates (first named on line `line`)."""
    key: tuple
    name: str
    siret: str | None
    kind: BuyerKind
    line: int
    id: int | None = None


@dataclass
class _Line:
    """What one accepted line asks for, keys resolved."""
    row: Row
    buyer: Buyer | _NewBuyer
    contract_key: tuple
    contract: dict
    lot: dict
    clause: dict | None


class _Plan:
    """Existing records loaded in bulk, then each line judged in turn; `write` applies the lines."""

    def __init__(self, territory: Territory, rows: list[Row]):
        self.territory = territory
        buyers = list(db.session.scalars(sa.select(Buyer).where(Buyer.territory_id == territory.id)))
        self.buyers_by_siret = {b.siret: b for b in buyers if b.siret}
        self.buyers_by_name: dict[str, list[Buyer]] = {}
        for buyer in buyers:
            self.buyers_by_name.setdefault(buyer.name.strip().lower(), []).append(buyer)
        self.new_buyers: dict[tuple, _NewBuyer] = {}
        sirets = {normalise_siret(row.get(name)) for row in rows for name in ("buyer_siret", "company_siret")}
        self.holders = holders_by_siret(sirets)
        references = sorted({row.get("reference").lower() for row in rows if row.get("reference")})
        self.contracts: dict[tuple, Contract] = {}
        for start in range(0, len(references), CHUNK):
            for contract in db.session.scalars(sa.select(Contract).where(
                    Contract.territory_id == territory.id,
                    sa.func.lower(Contract.reference).in_(references[start:start + CHUNK]))):
                self.contracts[(contract.buyer_id, contract.reference.lower())] = contract
        contract_ids = sorted(c.id for c in self.contracts.values())
        self.lots: dict[tuple[int, int], tuple[Lot, Clause | None]] = {}
        for start in range(0, len(contract_ids), CHUNK):
            for lot, clause in db.session.execute(sa.select(Lot, Clause).outerjoin(Clause, Clause.lot_id == Lot.id)
                                                  .where(Lot.contract_id.in_(contract_ids[start:start + CHUNK]))):
                self.lots[(lot.contract_id, lot.number)] = (lot, clause)
        self.seen_lots: dict[tuple, int] = {}
        self.seen_contracts: dict[tuple, tuple[int, dict]] = {}
        self.accepted: list[_Line] = []
        self.contract_cache: dict[tuple, tuple] = {}
        self.clause_cache: dict[tuple, tuple] = {}

    # --- judging a line ---

    @staticmethod
    def _cached(cache: dict, columns: tuple[str, ...], row: Row, extra: tuple, reasons: list[str], judge):
        """`judge(reasons)` once per distinct content of `columns` (a contract's columns repeat on
        each of its lots, a clause's on many lots): its value and its refusals are reused."""
        key = (*(row.get(name) for name in columns), *extra)
        if key not in cache:
            found: list[str] = []
            cache[key] = (judge(found), found)
        value, found = cache[key]
        reasons.extend(found)
        return value

    def line(self, row: Row) -> LineResult:
        key = f"Marché {row.get('reference')[:60] or '?'}, lot {row.get('lot_number')[:10] or '?'}"
        reasons: list[str] = []
        buyer = self._buyer(row, reasons)
        contract = self._cached(self.contract_cache, CONTRACT_COLUMNS, row, (), reasons,
                                lambda found: _contract_values(row, found))
        lot = _lot_values(row, contract, reasons)
        company_id = self._company(row, reasons)
        clause = self._cached(self.clause_cache, CLAUSE_COLUMNS, row, (lot["amount_ht"],), reasons,
                              lambda found: _clause_values(row, lot, found))
        if reasons:
            return LineResult.refused(row.line, key, reasons)
        lot["company_id"] = company_id
        buyer_ref = ("id", buyer.id) if isinstance(buyer, Buyer) else ("new", buyer.key)
        contract_key = (buyer_ref, contract["reference"].lower())
        lot_key = (contract_key, lot["number"])
        if lot_key in self.seen_lots:
            first = self.seen_lots[lot_key]
            return LineResult.refused(row.line, key, [f"même marché et même lot que la ligne {first}."])
        if contract_key in self.seen_contracts:
            first_line, first_values = self.seen_contracts[contract_key]
            differ = [CONTRACT_FIELDS[name] for name in CONTRACT_FIELDS if first_values[name] != contract[name]]
            if differ:
                return LineResult.refused(row.line, key, [f"le marché est décrit autrement à la ligne {first_line} "
                                                f"({', '.join(differ)}) : ses colonnes doivent être identiques "
                                                "sur chacun de ses lots."])
        self.seen_lots[lot_key] = row.line
        self.seen_contracts.setdefault(contract_key, (row.line, contract))
        existing = self.contracts.get((buyer.id, contract_key[1])) if isinstance(buyer, Buyer) else None
        self.accepted.append(_Line(row, buyer, contract_key, contract, lot, clause))
        if existing is None:
            return LineResult(row.line, Outcome.CREATED, key)
        changed = [label for name, label in CONTRACT_FIELDS.items() if getattr(existing, name) != contract[name]]
        if existing.reference != contract["reference"]:
            changed.insert(0, "référence (majuscules)")
        found = self.lots.get((existing.id, lot["number"]))
        if found is None:
            return LineResult(row.line, Outcome.CREATED, key, "Nouveau lot d'un marché existant.")
        old_lot, old_clause = found
        changed += [label for name, label in LOT_FIELDS.items() if getattr(old_lot, name) != lot[name]]
        if clause is not None:
            if old_clause is None:
                changed.append("clause ajoutée")
            else:
                changed += [label for name, label in CLAUSE_FIELDS.items()
                            if getattr(old_clause, name) != clause[name]]
        if changed:
            return LineResult(row.line, Outcome.UPDATED, key, "Modifié : " + ", ".join(changed) + ".")
        return LineResult(row.line, Outcome.UNCHANGED, key)

    def _buyer(self, row: Row, reasons: list[str]) -> Buyer | _NewBuyer | None:
        siret, name = normalise_siret(row.get("buyer_siret")), row.get("buyer_name")
        if siret:
            if siret in self.buyers_by_siret:
                return self.buyers_by_siret[siret]
            message = siret_error(siret)
            holder = self.holders.get(siret)
            if message:
                reasons.append(f"SIRET de l'acheteur : {message}")
                return None
            if holder is not None:
                reasons.append("SIRET de l'acheteur : " + (
                    "ce SIRET est déjà enregistré sur un autre territoire." if holder.territory_id != self.territory.id
                    else f"une entreprise avec ce SIRET existe déjà : {holder.name}."))
                return None
            key = ("siret", siret)
        elif name:
            named = self.buyers_by_name.get(name.lower(), [])
            if len(named) == 1:
                return named[0]
            if len(named) > 1:
                reasons.append(f"plusieurs acheteurs s'appellent « {name} » : indiquez le SIRET de l'acheteur.")
                return None
            key = ("name", name.lower())
        else:
            reasons.append("Choisissez un acheteur du territoire : indiquez son SIRET ou son nom.")
            return None
        if key in self.new_buyers:
            return self.new_buyers[key]
        if not name:
            reasons.append("aucun acheteur du territoire n'a ce SIRET : indiquez son nom pour le créer.")
            return None
        if len(name) > 200:
            reasons.append("Le nom de l'acheteur dépasse 200 caractères.")
            return None
        try:
            kind = BUYER_KINDS.parse(row.get("buyer_kind"), "Type d'acheteur") or BuyerKind.OTHER
        except CellError as error:
            reasons.append(str(error))
            return None
        self.new_buyers[key] = _NewBuyer(key, name, siret or None, kind, row.line)
        return self.new_buyers[key]

    def _company(self, row: Row, reasons: list[str]) -> int | None:
        siret = normalise_siret(row.get("company_siret"))
        if not siret:
            return None
        holder = self.holders.get(siret)
        if holder is None or holder.territory_id != self.territory.id or holder.kind != OrganisationKind.COMPANY:
            message = siret_error(siret)
            reasons.append(f"SIRET du titulaire : {message}" if message else
                           f"aucune entreprise du territoire n'a le SIRET {siret} : importez d'abord les entreprises.")
            return None
        return holder.id

    # --- writing ---

    def write(self) -> None:
        now = utcnow()
        for new in self.new_buyers.values():
            buyer = Buyer(territory_id=self.territory.id, name=new.name, siret=new.siret, buyer_kind=new.kind)
            db.session.add(buyer)
            db.session.flush()
            new.id = buyer.id
        contract_ids: dict[tuple, int] = {}  # (buyer id, reference in lower case) → contract id
        contract_inserts, contract_updates = [], []
        for line in self.accepted:
            key = (line.buyer.id, line.contract_key[1])
            if key in contract_ids:
                continue
            existing = self.contracts.get(key)
            values = {**line.contract, "buyer_id": line.buyer.id}
            if existing is None:
                contract_ids[key] = None
                contract_inserts.append({**values, "territory_id": self.territory.id, "version": 1,
                                         "created_at": now, "updated_at": now})
                continue
            contract_ids[key] = existing.id
            if any(getattr(existing, name) != value for name, value in values.items()):
                contract_updates.append({**values, "id": existing.id, "version": existing.version + 1,
                                         "updated_at": now})
        _bulk(sa.insert(Contract), contract_inserts)
        _bulk(sa.update(Contract), contract_updates)
        if contract_inserts:
            stmt = sa.select(Contract.id, Contract.buyer_id, Contract.reference).where(
                Contract.territory_id == self.territory.id)
            for ident, buyer_id, reference in db.session.execute(stmt):
                if contract_ids.get((buyer_id, reference.lower()), 0) is None:
                    contract_ids[(buyer_id, reference.lower())] = ident
        lot_inserts, lot_updates, clause_by_lot_key = [], [], {}
        clause_inserts, clause_updates = [], []
        for line in self.accepted:
            contract_id = contract_ids[(line.buyer.id, line.contract_key[1])]
            found = self.lots.get((contract_id, line.lot["number"]))
            if found is None:
                lot_inserts.append({**line.lot, "contract_id": contract_id, "version": 1, "created_at": now,
                                    "updated_at": now})
                if line.clause is not None:
                    clause_by_lot_key[(contract_id, line.lot["number"])] = line.clause
                continue
            old_lot, old_clause = found
            if any(getattr(old_lot, name) != value for name, value in line.lot.items()):
                lot_updates.append({**line.lot, "id": old_lot.id, "version": old_lot.version + 1, "updated_at": now})
            if line.clause is None:
                continue
            if old_clause is None:
                clause_inserts.append({**line.clause, "lot_id": old_lot.id, "version": 1, "created_at": now,
                                       "updated_at": now})
            elif any(getattr(old_clause, name) != value for name, value in line.clause.items()):
                clause_updates.append({**line.clause, "id": old_clause.id, "version": old_clause.version + 1,
                                       "updated_at": now})
        _bulk(sa.insert(Lot), lot_inserts)
        _bulk(sa.update(Lot), lot_updates)
        if clause_by_lot_key:
            wanted = sorted({contract_id for contract_id, _ in clause_by_lot_key})
            for start in range(0, len(wanted), CHUNK):
                stmt = sa.select(Lot.id, Lot.contract_id, Lot.number).where(
                    Lot.contract_id.in_(wanted[start:start + CHUNK]))
                for ident, contract_id, number in db.session.execute(stmt):
                    clause = clause_by_lot_key.get((contract_id, number))
                    if clause is not None:
                        clause_inserts.append({**clause, "lot_id": ident, "version": 1, "created_at": now,
                                               "updated_at": now})
        _bulk(sa.insert(Clause), clause_inserts)
        _bulk(sa.update(Clause), clause_updates)


def _bulk(statement, values: list[dict]) -> None:
    for start in range(0, len(values), CHUNK):
        db.session.execute(statement, values[start:start + CHUNK])




def _checks(reasons: list[str], check, *args) -> bool:
    """Run one of the services' checks; its French refusals added to `reasons`. True when it passed."""
    try:
        check(*args)
    except DomainError as error:
        reasons.extend(refused.message for refused in refusals(error))
        return False
    return True


def _cell(reasons: list[str], parse, text: str, label: str):
    try:
        return parse(text, label)
    except CellError as error:
        reasons.append(str(error))
        return None


def _contract_values(row: Row, reasons: list[str]) -> dict:
    """The contract's columns, the contract form's rules run (contracts/services._checked_contract)."""
    reference, obj = row.get("reference"), row.get("object")
    if not reference:
        reasons.append("Indiquez la référence du marché.")
    elif len(reference) > 60:
        reasons.append("La référence du marché dépasse 60 caractères.")
    if not obj:
        reasons.append("Indiquez l'objet du marché.")
    elif len(obj) > 500:
        reasons.append("L'objet du marché dépasse 500 caractères.")
    sector = _cell(reasons, SECTORS.parse, row.get("sector"), "Secteur")
    if sector is None and not row.get("sector"):
        reasons.append("Indiquez le secteur du marché.")
    clause_kind = _cell(reasons, CLAUSE_KINDS.parse, row.get("clause_kind"), "Type de clause")
    amount = _cell(reasons, parse_number, row.get("amount_ht"), "Montant HT du marché")
    if not row.get("amount_ht") or amount is not None:
        _checks(reasons, _check_amount, amount)
    notified = _cell(reasons, parse_date, row.get("notified_on"), "Date de notification")
    start = _cell(reasons, parse_date, row.get("start_date"), "Début d'exécution")
    end = _cell(reasons, parse_date, row.get("end_date"), "Fin d'exécution")
    if notified is None and not row.get("notified_on"):
        reasons.append("Indiquez la date de notification du marché.")
    if start is None and not row.get("start_date"):
        reasons.append("Indiquez la date de début d'exécution.")
    plausible = all([_checks(reasons, _check_plausible, value, name)
                     for name, value in (("notified_on", notified), ("start_date", start), ("end_date", end))])
    if plausible and start and notified and start < notified:
        reasons.append("L'exécution ne peut pas commencer avant la notification du marché.")
    if plausible and start:
        _checks(reasons, _check_ordered, start, end)
    return {"reference": reference, "object": obj, "sector": sector, "amount_ht": amount, "notified_on": notified,
            "start_date": start, "end_date": end, "clause_kind": clause_kind}


def _lot_values(row: Row, contract: dict, reasons: list[str]) -> dict:
    """The lot's columns, the lot form's rules run (contracts/services._checked_lot)."""
    number = _cell(reasons, parse_whole, row.get("lot_number"), "N° de lot")
    if row.get("lot_number") and number is not None and not 1 <= number <= MAX_INTEGER:
        reasons.append(f"Le numéro de lot est un entier entre 1 et {format_number(MAX_INTEGER)}.")
    elif not row.get("lot_number"):
        reasons.append(f"Le numéro de lot est un entier entre 1 et {format_number(MAX_INTEGER)}.")
    title = row.get("lot_title")
    if not title:
        reasons.append("Indiquez l'intitulé du lot.")
    elif len(title) > 300:
        reasons.append("L'intitulé du lot dépasse 300 caractères.")
    amount = _cell(reasons, parse_number, row.get("lot_amount"), "Montant HT du lot")
    if amount is None and not row.get("lot_amount"):
        amount = contract["amount_ht"]
    elif amount is not None:
        _checks(reasons, _check_amount, amount)
    start = _cell(reasons, parse_date, row.get("lot_start"), "Début du lot")
    end = _cell(reasons, parse_date, row.get("lot_end"), "Fin du lot")
    start = start if start is not None or row.get("lot_start") else contract["start_date"]
    end = end if end is not None or row.get("lot_end") else contract["end_date"]
    if start is not None and contract["start_date"] is not None and all(
            [_checks(reasons, _check_plausible, value, name) for name, value in (("start_date", start),
                                                                                  ("end_date", end))]):
        _checks(reasons, _check_lot_dates, SimpleNamespace(start_date=contract["start_date"],
                                                            end_date=contract["end_date"]), start, end)
    return {"number": number, "title": title, "amount_ht": amount, "start_date": start, "end_date": end}


def _clause_values(row: Row, lot: dict, reasons: list[str]) -> dict | None:
    """The clause's columns, the clause form's rules run (contracts/clauses.checked_clause); None
    when the line has no clause column filled."""
    if not any(row.get(name) for name in CLAUSE_COLUMNS):
        return None
    method = _cell(reasons, METHODS.parse, row.get("method"), "Calcul de l'objectif")
    if method is None and not row.get("method"):
        method = ObjectiveMethod.FIXED
    data = ClauseInput(
        method=method or ObjectiveMethod.FIXED,
        hours_objective=_cell(reasons, parse_number, row.get("hours_objective"), "Heures d'insertion"),
        amount_ht=lot["amount_ht"],
        labour_share_percent=_cell(reasons, parse_number, row.get("labour_share"), "Part de main-d'œuvre"),
        insertion_rate_percent=_cell(reasons, parse_number, row.get("insertion_rate"), "Taux d'insertion"),
        hourly_cost=_cell(reasons, parse_number, row.get("hourly_cost"), "Coût horaire"),
        eligible_criteria=_cell(reasons, CRITERIA.parse_list, row.get("criteria"), "Publics éligibles") or [],
        allowed_modes=_cell(reasons, MODES.parse_list, row.get("modes"), "Modalités") or [],
        notes=row.get("notes"),
        cdi_lump_hours=_cell(reasons, parse_whole, row.get("cdi_lump"), "Forfait CDI"))
    if reasons:
        return None
    try:
        return checked_clause(None, data)
    except DomainError as error:
        reasons.extend(refused.message for refused in refusals(error))
        return None
